package smelt

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func loadStories(t *testing.T) (*Model, []int32, string) {
	t.Helper()
	dir := filepath.Join("..", "shared")
	raw, err := os.ReadFile(filepath.Join(dir, "ref", "stories260k-f32.json"))
	if err != nil {
		t.Skipf("reference data %s is absent (%v); CI has it", dir, err)
	}
	var ref struct {
		GreedyIDs []int32 `json:"greedy_ids"`
		Hex       string  `json:"greedy_text_hex"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	text, _ := hex.DecodeString(ref.Hex)
	m, err := Load(filepath.Join(dir, "models", "stories260k-f32.gguf"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, ref.GreedyIDs, string(text)
}

// TestGenerateStory is the end-to-end golden test: the trained stories
// model continues "Once upon a time" greedily with llama.cpp's 200 tokens
// and the same text.
func TestGenerateStory(t *testing.T) {
	m, want, wantText := loadStories(t)
	s, err := m.NewSession(SessionOptions{ContextSize: 512})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int32
	var text strings.Builder
	st, err := s.Generate(context.Background(), "Once upon a time", GenerateOptions{MaxTokens: len(want)}, func(tk Token) error {
		if tk.ID >= 0 {
			ids = append(ids, tk.ID)
		}
		text.WriteString(tk.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("greedy ids differ from llama.cpp's:\n got  %v\n want %v", ids, want)
	}
	if text.String() != wantText {
		t.Errorf("text:\n got  %q\n want %q", text.String(), wantText)
	}
	if st.PromptTokens != 5 || st.GeneratedTokens != len(want) || st.GenTokensPerSecond() <= 0 {
		t.Errorf("stats %+v", st)
	}
	t.Logf("%s…", text.String()[:120])
}

func TestGenerateCancelAndStop(t *testing.T) {
	m, _, _ := loadStories(t)
	s, _ := m.NewSession(SessionOptions{ContextSize: 128})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := s.Generate(ctx, "Once upon a time", GenerateOptions{}, func(Token) error {
		if n++; n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 5 {
		t.Errorf("cancel: %d tokens, err %v", n, err)
	}
	// Breaking out of the iterator stops generation.
	s2, _ := m.NewSession(SessionOptions{ContextSize: 128})
	got := 0
	for tk, err := range s2.Stream(context.Background(), "Once upon a time", GenerateOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if tk.ID >= 0 {
			got++
		}
		if got == 3 {
			break
		}
	}
	if got != 3 || len(s2.Tokens()) != 5+2 {
		t.Errorf("iterator: %d tokens, session holds %d", got, len(s2.Tokens()))
	}
	// A full context ends generation with ErrContextFull.
	s3, _ := m.NewSession(SessionOptions{ContextSize: 8})
	_, err = s3.Generate(context.Background(), "Once upon a time", GenerateOptions{}, func(Token) error { return nil })
	if !errors.Is(err, ErrContextFull) {
		t.Errorf("full context: %v", err)
	}
	if got := m.Detokenize(m.Tokenize("Once upon a time", true, false)); got != "Once upon a time" {
		t.Errorf("round trip %q", got)
	}
}
