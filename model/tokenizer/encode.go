package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// fragment is a piece of input: raw text, or a special token found in it.
type fragment struct {
	text  string
	token int32 // NoToken for text
}

// partition splits text on the special tokens it contains, longest special
// first, as llama.cpp's tokenizer_st_partition does. User-defined tokens
// always split; control and unknown tokens only with parseSpecial.
func (t *Tokenizer) partition(text string, parseSpecial bool) []fragment {
	frags := []fragment{{text: text, token: NoToken}}
	for _, id := range t.specials {
		a := t.attrs[id]
		if !parseSpecial && (a == AttrControl || a == AttrUnknown) {
			continue
		}
		special := t.tokens[id]
		var next []fragment
		for _, f := range frags {
			if f.token != NoToken || !strings.Contains(f.text, special) {
				next = append(next, f)
				continue
			}
			rest := f.text
			for {
				i := strings.Index(rest, special)
				if i < 0 {
					break
				}
				if i > 0 {
					next = append(next, fragment{text: rest[:i], token: NoToken})
				}
				next = append(next, fragment{token: id})
				rest = rest[i+len(special):]
			}
			if rest != "" {
				next = append(next, fragment{text: rest, token: NoToken})
			}
		}
		frags = next
	}
	return frags
}

// Encode tokenizes text. addSpecial adds BOS/EOS as the vocabulary asks;
// parseSpecial lets control tokens written in the text ("<|eot_id|>")
// become those tokens instead of plain text.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	var out []int32
	if addSpecial && t.AddBOS && t.bos != NoToken {
		out = append(out, t.bos)
	}
	if text != "" {
		prevSpecial := true // an SPM prefix space goes before the first text
		for _, f := range t.partition(text, parseSpecial) {
			if f.token != NoToken {
				out = append(out, f.token)
				prevSpecial = true
				continue
			}
			switch t.kind {
			case SPM:
				s := f.text
				if t.AddSpacePrefix && prevSpecial {
					s = " " + s
				}
				out = t.encodeSPM(s, out)
			case BPE:
				out = t.encodeBPE(f.text, out)
			}
			prevSpecial = false
		}
	}
	if addSpecial && t.AddEOS && t.eos != NoToken {
		out = append(out, t.eos)
	}
	return out
}

// Piece returns the bytes a token stands for: SPM's ▁ as a space, byte
// tokens as their byte, BPE's byte-level characters as their bytes.
// Control and unknown tokens give "" unless special is set, when they give
// their text. A piece may be part of a UTF-8 character.
func (t *Tokenizer) Piece(id int32, special bool) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	text, a := t.tokens[id], t.attrs[id]
	switch {
	case a == AttrControl || a == AttrUnknown:
		if special {
			return text
		}
		return ""
	case a == AttrUserDefined:
		return text
	case a == AttrByte && t.kind == SPM:
		if len(text) == 6 && strings.HasPrefix(text, "<0x") {
			if b, ok := parseHexByte(text[3:5]); ok {
				return string([]byte{b})
			}
		}
		return text
	case a == AttrNormal:
		if t.kind == SPM {
			return strings.ReplaceAll(text, spaceMarker, " ")
		}
		return byteDecode(text)
	}
	return ""
}

// byteDecode maps GPT-2 byte-level characters back to bytes; characters
// outside the mapping are kept as their UTF-8.
func byteDecode(s string) string {
	var b []byte
	for _, r := range s {
		if c, ok := runeToByte[r]; ok {
			b = append(b, c)
		} else {
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

func parseHexByte(h string) (byte, bool) {
	var b byte
	for i := range 2 {
		c := h[i]
		switch {
		case '0' <= c && c <= '9':
			b = b<<4 | (c - '0')
		case 'A' <= c && c <= 'F':
			b = b<<4 | (c - 'A' + 10)
		case 'a' <= c && c <= 'f':
			b = b<<4 | (c - 'a' + 10)
		default:
			return 0, false
		}
	}
	return b, true
}

// Decode turns ids back into text as llama.cpp's detokenizer does with
// remove_special: a leading BOS and trailing EOS that Encode would add are
// dropped, other control tokens give nothing, and with an SPM prefix space
// the first token's leading space is dropped. Bytes that do not form valid
// UTF-8 are kept as they are.
func (t *Tokenizer) Decode(ids []int32) string {
	if t.AddBOS && len(ids) > 0 && ids[0] == t.bos {
		ids = ids[1:]
	}
	if t.AddEOS && len(ids) > 0 && ids[len(ids)-1] == t.eos {
		ids = ids[:len(ids)-1]
	}
	var sb strings.Builder
	for i, id := range ids {
		p := t.Piece(id, false)
		if i == 0 && t.kind == SPM && t.AddSpacePrefix {
			p = strings.TrimPrefix(p, " ")
		}
		sb.WriteString(p)
	}
	return sb.String()
}

// Decoder turns a stream of ids into text without ever cutting a UTF-8
// character: bytes of an unfinished character wait for the next token.
type Decoder struct {
	t       *Tokenizer
	pending []byte
	Special bool // render control tokens as their text
}

// NewDecoder returns a streaming decoder.
func (t *Tokenizer) NewDecoder() *Decoder { return &Decoder{t: t} }

// Add appends a token and returns the text that is now complete.
func (d *Decoder) Add(id int32) string {
	d.pending = append(d.pending, d.t.Piece(id, d.Special)...)
	n := completePrefix(d.pending)
	out := string(d.pending[:n])
	d.pending = append(d.pending[:0], d.pending[n:]...)
	return out
}

// Flush returns whatever is left, complete or not.
func (d *Decoder) Flush() string {
	out := string(d.pending)
	d.pending = d.pending[:0]
	return out
}

// completePrefix returns the length of b without a trailing unfinished
// UTF-8 sequence (an invalid byte counts as complete: it will never be).
func completePrefix(b []byte) int {
	for back := 1; back <= 3 && back <= len(b); back++ {
		c := b[len(b)-back]
		if c < 0x80 {
			return len(b)
		}
		if c >= 0xC0 { // a lead byte
			if need := utf8LeadLen(c); need > back {
				return len(b) - back
			}
			return len(b)
		}
	}
	return len(b)
}
