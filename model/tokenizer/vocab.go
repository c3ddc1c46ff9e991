package tokenizer

import (
	"errors"
	"fmt"
	"slices"

	"github.com/smeltlm/smelt/gguf"
)

// Kind is the tokenizer algorithm (tokenizer.ggml.model).
type Kind int

const (
	// SPM is SentencePiece BPE with scores and byte fallback ("llama").
	SPM Kind = iota
	// BPE is byte-level BPE with merge ranks ("gpt2").
	BPE
)

func (k Kind) String() string {
	if k == SPM {
		return "spm"
	}
	return "bpe"
}

// Attr is a token's type as GGUF stores it (tokenizer.ggml.token_type).
type Attr int32

const (
	AttrUndefined   Attr = 0
	AttrNormal      Attr = 1
	AttrUnknown     Attr = 2
	AttrControl     Attr = 3
	AttrUserDefined Attr = 4
	AttrUnused      Attr = 5
	AttrByte        Attr = 6
)

// NoToken marks an absent special token.
const NoToken int32 = -1

// Tokenizer turns text into token ids and back, as llama.cpp does for the
// vocabulary stored in a GGUF file.
type Tokenizer struct {
	kind   Kind
	pre    preTokenizer
	tokens []string
	scores []float32
	attrs  []Attr
	ids    map[string]int32

	// BPE merge ranks, keyed by "left right".
	ranks map[string]int32
	// byteTokens maps a byte to its SPM <0xXX> token (NoToken if absent).
	byteTokens [256]int32
	// specials are the tokens the text may contain verbatim, longest first.
	specials []int32

	bos, eos, eot, unk, pad, sep int32
	eog                          map[int32]bool

	AddBOS, AddEOS, AddSpacePrefix bool
	ignoreMerges                   bool
}

// errNoVocab is returned for files without a tokenizer.
var errNoVocab = errors.New("tokenizer: the file has no tokenizer.ggml.tokens")

// New builds the tokenizer described by a GGUF file's metadata.
func New(md *gguf.Metadata) (*Tokenizer, error) {
	model, err := md.String("tokenizer.ggml.model")
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	tokens, err := md.Strings("tokenizer.ggml.tokens")
	if err != nil {
		if errors.Is(err, gguf.ErrKeyNotFound) {
			return nil, errNoVocab
		}
		return nil, err
	}
	t := &Tokenizer{tokens: tokens, ids: make(map[string]int32, len(tokens)), eog: map[int32]bool{}}
	switch model {
	case "llama":
		t.kind = SPM
		t.AddSpacePrefix = true
	case "gpt2":
		t.kind = BPE
	default:
		return nil, fmt.Errorf("tokenizer: model %q is not supported (llama and gpt2 are)", model)
	}
	n := len(tokens)
	t.scores = make([]float32, n)
	if s, err := md.Float32s("tokenizer.ggml.scores"); err == nil {
		if len(s) != n {
			return nil, fmt.Errorf("tokenizer: %d scores for %d tokens", len(s), n)
		}
		copy(t.scores, s)
	}
	t.attrs = make([]Attr, n)
	for i := range t.attrs {
		t.attrs[i] = AttrNormal
	}
	if ty, err := md.Int32s("tokenizer.ggml.token_type"); err == nil {
		if len(ty) != n {
			return nil, fmt.Errorf("tokenizer: %d token types for %d tokens", len(ty), n)
		}
		for i, v := range ty {
			t.attrs[i] = Attr(v)
		}
	}
	for i, s := range tokens {
		// The first of duplicate texts wins, as in llama.cpp's map insert.
		if _, dup := t.ids[s]; !dup {
			t.ids[s] = int32(i)
		}
	}
	if t.kind == BPE {
		merges, err := md.Strings("tokenizer.ggml.merges")
		if err != nil {
			return nil, fmt.Errorf("tokenizer: BPE vocabulary without merges: %w", err)
		}
		t.ranks = make(map[string]int32, len(merges))
		for i, m := range merges {
			if _, dup := t.ranks[m]; !dup {
				t.ranks[m] = int32(i)
			}
		}
	}
	for b := range 256 {
		t.byteTokens[b] = NoToken
		if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
			t.byteTokens[b] = id
		} else if id, ok := t.ids[string([]byte{byte(b)})]; ok && t.kind == SPM {
			t.byteTokens[b] = id
		}
	}
	pre, _ := md.String("tokenizer.ggml.pre")
	if t.kind == BPE {
		if t.pre, t.ignoreMerges, err = preTokenizerFor(pre); err != nil {
			return nil, err
		}
	}
	t.bos, t.eos, t.eot, t.unk, t.pad, t.sep = NoToken, NoToken, NoToken, NoToken, NoToken, NoToken
	if t.kind == SPM {
		t.bos, t.eos, t.unk = 1, 2, 0
	}
	for key, dst := range map[string]*int32{
		"bos": &t.bos, "eos": &t.eos, "eot": &t.eot, "unknown": &t.unk, "padding": &t.pad, "seperator": &t.sep,
	} {
		if id, err := md.Uint32("tokenizer.ggml." + key + "_token_id"); err == nil {
			if int(id) >= n {
				return nil, fmt.Errorf("tokenizer: %s token id %d out of range (%d tokens)", key, id, n)
			}
			*dst = int32(id)
		}
	}
	t.AddBOS = t.kind == SPM || t.bos != NoToken
	if b, err := md.Bool("tokenizer.ggml.add_bos_token"); err == nil {
		t.AddBOS = b
	}
	if b, err := md.Bool("tokenizer.ggml.add_eos_token"); err == nil {
		t.AddEOS = b
	}
	if b, err := md.Bool("tokenizer.ggml.add_space_prefix"); err == nil {
		t.AddSpacePrefix = b
	}
	t.findEOG()
	t.findSpecials()
	return t, nil
}

// findEOG collects the end-of-generation tokens: EOS, EOT, and control
// tokens whose text says they end a turn, as llama.cpp does.
func (t *Tokenizer) findEOG() {
	for _, id := range []int32{t.eos, t.eot} {
		if id != NoToken {
			t.eog[id] = true
		}
	}
	for _, s := range []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>"} {
		if id, ok := t.ids[s]; ok && t.attrs[id] == AttrControl {
			t.eog[id] = true
		}
	}
}

// findSpecials lists the tokens that text is split on before tokenizing:
// control, user-defined and unknown tokens, longest text first.
func (t *Tokenizer) findSpecials() {
	for id, a := range t.attrs {
		if (a == AttrControl || a == AttrUserDefined || a == AttrUnknown) && t.tokens[id] != "" {
			t.specials = append(t.specials, int32(id))
		}
	}
	// Longest first, then by id, so a longer special wins at one position.
	sortSpecials(t.specials, t.tokens)
}

// Kind returns the tokenizer algorithm.
func (t *Tokenizer) Kind() Kind { return t.kind }

// Len returns the vocabulary size.
func (t *Tokenizer) Len() int { return len(t.tokens) }

// Token returns the stored text of token id ("▁the", "Ġthe", "<0x0A>").
func (t *Tokenizer) Token(id int32) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// Attr returns a token's type.
func (t *Tokenizer) Attr(id int32) Attr {
	if id < 0 || int(id) >= len(t.attrs) {
		return AttrUndefined
	}
	return t.attrs[id]
}

// TokenID returns the id of a token text, or NoToken.
func (t *Tokenizer) TokenID(text string) int32 {
	if id, ok := t.ids[text]; ok {
		return id
	}
	return NoToken
}

// BOS, EOS, EOT and Unknown return those special tokens (NoToken if absent).
func (t *Tokenizer) BOS() int32     { return t.bos }
func (t *Tokenizer) EOS() int32     { return t.eos }
func (t *Tokenizer) EOT() int32     { return t.eot }
func (t *Tokenizer) Unknown() int32 { return t.unk }

// IsEOG reports whether id ends generation.
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

func sortSpecials(ids []int32, tokens []string) {
	slices.SortFunc(ids, func(a, b int32) int {
		if la, lb := len(tokens[a]), len(tokens[b]); la != lb {
			return lb - la
		}
		return int(a - b)
	})
}
