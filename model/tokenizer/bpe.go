package tokenizer

import (
	"container/heap"
	"strings"
	"unicode/utf8"
)

// GPT-2's byte-level encoding: every byte maps to a printable code point
// (printable Latin-1 bytes to themselves, the rest to U+0100 upwards), so
// any byte string is a string of visible characters.
var byteToRune, runeToByte = func() ([256]rune, map[rune]byte) {
	var b2r [256]rune
	r2b := make(map[rune]byte, 256)
	n := rune(0)
	for b := range 256 {
		if ('!' <= b && b <= '~') || (0xA1 <= b && b <= 0xAC) || (0xAE <= b && b <= 0xFF) {
			b2r[b] = rune(b)
		} else {
			b2r[b] = 256 + n
			n++
		}
		r2b[b2r[b]] = byte(b)
	}
	return b2r, r2b
}()

func byteEncode(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(byteToRune[c])
	}
	return sb.String()
}

// symbol is one piece of a word during merging: a byte range of the word
// and its neighbours in the linked list.
type symbol struct {
	start, n   int
	prev, next int
}

type bpeBigram struct {
	left, right int
	rank        int32
	text        string
}

// encodeBPE tokenizes one text fragment (no special tokens in it).
func (t *Tokenizer) encodeBPE(text string, out []int32) []int32 {
	runes := []rune(text) // invalid bytes become U+FFFD, as in llama.cpp
	start := 0
	var buf []byte
	for _, n := range t.pre(runes) {
		buf = buf[:0]
		for _, r := range runes[start : start+n] {
			buf = utf8.AppendRune(buf, r)
		}
		start += n
		out = t.mergeWord(byteEncode(buf), out)
	}
	return out
}

// mergeWord applies the merges to one byte-encoded word, lowest rank
// first, and appends the resulting tokens.
func (t *Tokenizer) mergeWord(word string, out []int32) []int32 {
	if t.ignoreMerges {
		if id, ok := t.ids[word]; ok {
			return append(out, id)
		}
	}
	var syms []symbol
	for off := 0; off < len(word); {
		_, n := utf8.DecodeRuneInString(word[off:])
		syms = append(syms, symbol{start: off, n: n, prev: len(syms) - 1, next: len(syms) + 1})
		off += n
	}
	if len(syms) == 0 {
		return out
	}
	syms[len(syms)-1].next = -1
	text := func(i int) string { return word[syms[i].start : syms[i].start+syms[i].n] }
	// Lowest rank first, then the leftmost pair.
	q := &queue[bpeBigram]{less: func(a, b bpeBigram) bool {
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.left < b.left
	}}
	add := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		lt, rt := text(l), text(r)
		if rank, ok := t.ranks[lt+" "+rt]; ok {
			heap.Push(q, bpeBigram{left: l, right: r, rank: rank, text: lt + rt})
		}
	}
	for i := 1; i < len(syms); i++ {
		add(i-1, i)
	}
	for q.Len() > 0 {
		b := heap.Pop(q).(bpeBigram)
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || text(b.left)+text(b.right) != b.text {
			continue // outdated: one side has merged since
		}
		mergeRight(syms, b.left, b.right)
		add(syms[b.left].prev, b.left)
		add(b.left, syms[b.left].next)
	}
	for i := 0; i != -1; i = syms[i].next {
		s := text(i)
		if id, ok := t.ids[s]; ok {
			out = append(out, id)
			continue
		}
		// Not in the vocabulary: fall back to single bytes that are.
		for j := 0; j < len(s); j++ {
			if id, ok := t.ids[s[j:j+1]]; ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// mergeRight joins symbol i with its right neighbour j: i grows to cover
// both and j is emptied and unlinked.
func mergeRight(syms []symbol, i, j int) {
	l, r := &syms[i], &syms[j]
	l.n += r.n
	r.n = 0
	l.next = r.next
	if r.next >= 0 {
		syms[r.next].prev = i
	}
}

// queue is a binary heap of T ordered by less (container/heap's interface).
type queue[T any] struct {
	items []T
	less  func(a, b T) bool
}

func (q *queue[T]) Len() int           { return len(q.items) }
func (q *queue[T]) Less(i, j int) bool { return q.less(q.items[i], q.items[j]) }
func (q *queue[T]) Swap(i, j int)      { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *queue[T]) Push(x any)         { q.items = append(q.items, x.(T)) }
func (q *queue[T]) Pop() any {
	x := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x
}
