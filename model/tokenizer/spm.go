package tokenizer

import (
	"container/heap"
	"strings"
)

// spaceMarker is SentencePiece's visible space, U+2581.
const spaceMarker = "\u2581"

type spmBigram struct {
	left, right int
	score       float32
	size        int
}

// encodeSPM tokenizes one fragment as llama.cpp's SPM tokenizer does:
// spaces become ▁, characters are merged pairwise by the score of the
// merged piece, and pieces that are not tokens fall back to their merge
// history and finally to <0xXX> byte tokens.
func (t *Tokenizer) encodeSPM(text string, out []int32) []int32 {
	text = strings.ReplaceAll(text, " ", spaceMarker)
	var syms []symbol
	for off := 0; off < len(text); {
		// A UTF-8 lead byte says how long the character is; a broken
		// sequence is cut at the end of the text, as llama.cpp does.
		n := min(utf8LeadLen(text[off]), len(text)-off)
		syms = append(syms, symbol{start: off, n: n, prev: len(syms) - 1, next: len(syms) + 1})
		off += n
	}
	if len(syms) == 0 {
		return out
	}
	syms[len(syms)-1].next = -1
	piece := func(l, r int) string { return text[syms[l].start : syms[l].start+syms[l].n+syms[r].n] }
	// Highest score first, then the leftmost pair.
	q := &queue[spmBigram]{less: func(a, b spmBigram) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return a.left < b.left
	}}
	add := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		s := piece(l, r)
		if id, ok := t.ids[s]; ok {
			heap.Push(q, spmBigram{left: l, right: r, score: t.scores[id], size: len(s)})
		}
	}
	for i := 1; i < len(syms); i++ {
		add(i-1, i)
	}
	for q.Len() > 0 {
		b := heap.Pop(q).(spmBigram)
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue // outdated: one side has merged since
		}
		mergeRight(syms, b.left, b.right)
		add(syms[b.left].prev, b.left)
		add(b.left, syms[b.left].next)
	}
	// Every merged piece is a token; a piece that is not is a single
	// character outside the vocabulary and falls back to its bytes.
	for i := 0; i != -1; i = syms[i].next {
		s := text[syms[i].start : syms[i].start+syms[i].n]
		if id, ok := t.ids[s]; ok {
			out = append(out, id)
			continue
		}
		for j := 0; j < len(s); j++ {
			if id := t.byteTokens[s[j]]; id != NoToken {
				out = append(out, id)
			} else if t.unk != NoToken {
				out = append(out, t.unk)
			}
		}
	}
	return out
}

// utf8LeadLen is llama.cpp's unicode_len_utf8: the sequence length a lead
// byte announces (1 for continuation and invalid bytes).
func utf8LeadLen(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b>>5 == 0x6:
		return 2
	case b>>4 == 0xe:
		return 3
	case b>>3 == 0x1e:
		return 4
	}
	return 1
}
