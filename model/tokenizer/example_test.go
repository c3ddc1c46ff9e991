package tokenizer_test

import (
	"bytes"
	"fmt"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/model/tokenizer"
)

// A tiny SentencePiece vocabulary: the pieces with higher scores merge first.
func Example() {
	w := gguf.NewWriter()
	w.Set("tokenizer.ggml.model", "llama")
	w.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>", "▁", "h", "i", "▁h", "▁hi", "!"})
	w.Set("tokenizer.ggml.scores", []float32{0, 0, 0, -1, -2, -2, -3, -1, -4})
	w.Set("tokenizer.ggml.token_type", []int32{2, 3, 3, 1, 1, 1, 1, 1, 1})
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		panic(err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), gguf.Limits{})
	if err != nil {
		panic(err)
	}
	tk, err := tokenizer.New(f.Metadata)
	if err != nil {
		panic(err)
	}
	ids := tk.Encode("hi hi!", true, false)
	fmt.Println(ids)
	for i, id := range ids {
		if i > 0 {
			fmt.Print(" ")
		}
		fmt.Printf("%q", tk.Token(id))
	}
	fmt.Printf("\n%q\n", tk.Decode(ids))
	// Output:
	// [1 7 7 8]
	// "<s>" "▁hi" "▁hi" "!"
	// "hi hi!"
}
