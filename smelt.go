package smelt

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/mmap"
	"github.com/smeltlm/smelt/model"
	"github.com/smeltlm/smelt/model/sample"
)

// Options configure Load.
type Options struct {
	// Threads is the number of worker threads (0: one per core).
	Threads int
	// NoMmap reads the weights into memory instead of mapping the file.
	NoMmap bool
	// KeepMapped uses a mapped model's weights in place. By default the
	// weight matrices are copied into anonymous host memory at load, where
	// the kernels stream them about three times faster than from the
	// page cache (llama.cpp likewise copies the weights it repacks).
	KeepMapped bool
	// NoReclaim keeps the mapping's pages of the copied weights. By default
	// each tensor's source pages are released (madvise DONTNEED) as soon as
	// it is copied, so the process holds the weights once.
	NoReclaim bool
	// NoRepack keeps the weights in ggml's row layout. By default the
	// matrices in host memory are interleaved four rows at a time where the
	// CPU has kernels for that layout (AVX-512 VNNI: q4_0, q8_0, q4_K,
	// q5_K, q6_K); results
	// are bit for bit the same either way.
	NoRepack bool
	// Progress, if set, reports loading in bytes done of total.
	Progress func(done, total int64)
}

// Model is a loaded GGUF model, safe to share between sessions that run
// one at a time.
type Model struct {
	m *model.Model
}

// Load opens a GGUF model (the first file of a split model).
func Load(path string, opts Options) (*Model, error) {
	mode := mmap.ModeMap
	if opts.NoMmap {
		mode = mmap.ModeRead
	}
	m, err := model.Load(path, model.Options{Threads: opts.Threads, Mmap: mode, Progress: opts.Progress,
		KeepMapped: opts.KeepMapped, KeepSource: opts.NoReclaim, NoRepack: opts.NoRepack})
	if err != nil {
		return nil, err
	}
	return &Model{m: m}, nil
}

// HostCopy reports what Load copied into host memory: tensors, bytes, and
// bytes of mapped source released (all zero with KeepMapped or NoMmap).
func (m *Model) HostCopy() (tensors int, bytes, reclaimed int64) {
	hc := m.m.HostCopy
	return hc.Tensors, hc.Bytes, hc.Reclaimed
}

// Repacked reports the weight matrices Load rewrote into the kernels'
// interleaved layout, and their bytes.
func (m *Model) Repacked() (tensors int, bytes int64) {
	return m.m.Repacked.Tensors, m.m.Repacked.Bytes
}

// WeightBytesPerToken returns the weight bytes one decoded token reads
// (matrices; experts in proportion to those a token uses): divided by the
// memory read bandwidth, the shortest time a token can take.
func (m *Model) WeightBytesPerToken() int64 { return m.m.WeightBytesPerToken() }

// Close releases the model's memory and files.
func (m *Model) Close() error { return m.m.Close() }

// Architecture returns general.architecture ("llama", "qwen2", …).
func (m *Model) Architecture() string { return m.m.Config.Arch }

// TrainContext returns the context length the model was trained with.
func (m *Model) TrainContext() int { return m.m.Config.NCtxTrain }

// VocabSize returns the number of tokens (and logits).
func (m *Model) VocabSize() int { return m.m.VocabSize() }

// Tokenize turns text into token ids. addSpecial adds BOS/EOS as the model
// asks; parseSpecial turns special-token text ("<|eot_id|>") into tokens.
func (m *Model) Tokenize(text string, addSpecial, parseSpecial bool) []int32 {
	return m.m.Tok.Encode(text, addSpecial, parseSpecial)
}

// Detokenize turns ids back into text (special tokens omitted).
func (m *Model) Detokenize(ids []int32) string { return m.m.Tok.Decode(ids) }

// TokenText returns one token's text as generated ("" for control tokens).
func (m *Model) TokenText(id int32) string { return m.m.Tok.Piece(id, false) }

// IsEndOfGeneration reports whether a token ends generation.
func (m *Model) IsEndOfGeneration(id int32) bool { return m.m.Tok.IsEOG(id) }

// SessionOptions configure a Session.
type SessionOptions struct {
	// ContextSize is the number of tokens the session can hold (0: the
	// training context, at most 4096).
	ContextSize int
	// BatchSize is the most prompt tokens evaluated at once (0: 512).
	BatchSize int
	// KVCacheF32 keeps the KV cache in float32 instead of llama.cpp's f16.
	KVCacheF32 bool
}

// Session is one conversation: a KV cache and the tokens in it. It is not
// safe for concurrent use.
type Session struct {
	m      *Model
	st     *model.State
	batch  int
	tokens []int32
	logits []float32
}

// NewSession allocates a session's KV cache.
func (m *Model) NewSession(opts SessionOptions) (*Session, error) {
	n := opts.ContextSize
	if n <= 0 {
		n = min(m.TrainContext(), 4096)
		if n <= 0 {
			n = 4096
		}
	}
	kv := gguf.TypeF16
	if opts.KVCacheF32 {
		kv = gguf.TypeF32
	}
	st, err := m.m.NewStateKV(n, kv)
	if err != nil {
		return nil, err
	}
	b := opts.BatchSize
	if b <= 0 {
		b = 512
	}
	return &Session{m: m, st: st, batch: b}, nil
}

// ContextSize returns how many tokens the session holds at most.
func (s *Session) ContextSize() int { return s.st.Context() }

// Tokens returns the tokens evaluated so far.
func (s *Session) Tokens() []int32 { return s.tokens }

// Eval runs tokens through the model in batches, appending them to the
// session; afterwards Logits holds the last token's logits.
func (s *Session) Eval(ctx context.Context, ids []int32) error {
	for len(ids) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(ids), s.batch)
		logits, err := s.st.Eval(ids[:n], false)
		if err != nil {
			return err
		}
		s.logits = logits
		s.tokens = append(s.tokens, ids[:n]...)
		ids = ids[n:]
	}
	return nil
}

// Logits returns the logits after the last evaluated token (nil before any).
func (s *Session) Logits() []float32 { return s.logits }

// GenerateOptions configure Generate.
type GenerateOptions struct {
	// MaxTokens bounds the tokens generated (0: until the context is full).
	MaxTokens int
	// Sampling configures token choice; the zero value is greedy.
	Sampling sample.Params
	// ParseSpecial lets special-token text in the prompt become tokens.
	ParseSpecial bool
}

// Token is one generated token and the text it completes (text of a
// character split across tokens comes with the token that finishes it).
type Token struct {
	ID   int32
	Text string
}

// Stats are the timings of a Generate call.
type Stats struct {
	PromptTokens    int
	PromptDuration  time.Duration
	GeneratedTokens int
	GenDuration     time.Duration
}

// PromptTokensPerSecond and GenTokensPerSecond are the throughputs.
func (s Stats) PromptTokensPerSecond() float64 { return rate(s.PromptTokens, s.PromptDuration) }
func (s Stats) GenTokensPerSecond() float64    { return rate(s.GeneratedTokens, s.GenDuration) }

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// ErrContextFull ends generation when the session has no room left.
var ErrContextFull = model.ErrContextFull

// errStop is how a callback ends generation early without an error.
var errStop = errors.New("stop")

// Generate evaluates prompt (with BOS when the session is empty) and then
// generates tokens, calling fn with each until an end-of-generation token,
// MaxTokens, a full context, fn returning an error, or ctx being done. It
// returns the timings; a cancelled ctx returns ctx's error.
func (s *Session) Generate(ctx context.Context, prompt string, opts GenerateOptions, fn func(Token) error) (st Stats, err error) {
	ids := s.m.Tokenize(prompt, len(s.tokens) == 0, opts.ParseSpecial)
	start := time.Now()
	if err = s.Eval(ctx, ids); err != nil {
		return st, err
	}
	st.PromptTokens, st.PromptDuration = len(ids), time.Since(start)
	if s.logits == nil {
		return st, errors.New("smelt: nothing to generate from (empty prompt and session)")
	}
	sm := sample.New(opts.Sampling)
	for _, id := range s.tokens {
		sm.Accept(id)
	}
	dec := s.m.m.Tok.NewDecoder()
	start = time.Now()
	defer func() { st.GenDuration = time.Since(start) }()
	for opts.MaxTokens <= 0 || st.GeneratedTokens < opts.MaxTokens {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		id := sm.Sample(s.logits)
		sm.Accept(id)
		st.GeneratedTokens++
		if s.m.IsEndOfGeneration(id) {
			break
		}
		if err := fn(Token{ID: id, Text: dec.Add(id)}); err != nil {
			if errors.Is(err, errStop) {
				return st, nil
			}
			return st, err
		}
		if len(s.tokens) >= s.st.Context() {
			return st, fmt.Errorf("smelt: %w after %d tokens", ErrContextFull, len(s.tokens))
		}
		if err := s.Eval(ctx, []int32{id}); err != nil {
			return st, err
		}
	}
	if rest := dec.Flush(); rest != "" {
		if err := fn(Token{ID: -1, Text: rest}); err != nil && !errors.Is(err, errStop) {
			return st, err
		}
	}
	return st, nil
}

// Stream is Generate as an iterator: range over it to receive tokens;
// breaking out of the loop stops generation. The error, if any, comes as
// the last pair.
func (s *Session) Stream(ctx context.Context, prompt string, opts GenerateOptions) iter.Seq2[Token, error] {
	return func(yield func(Token, error) bool) {
		_, err := s.Generate(ctx, prompt, opts, func(t Token) error {
			if !yield(t, nil) {
				return errStop
			}
			return nil
		})
		if err != nil {
			yield(Token{ID: -1}, err)
		}
	}
}
