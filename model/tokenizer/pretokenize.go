package tokenizer

import (
	"fmt"
	"unicode"
)

// BPE pre-tokenizers split text into words before merging. They are
// written out by hand, code point by code point, as llama.cpp's own
// "custom" splitters are, so that they match its regexes exactly without a
// regex engine (Go's regexp has no lookahead):
//
//	llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//	qwen2:  the same with \p{N} (one digit at a time)
//	gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
//
// Letters are Unicode category L, numbers N, whitespace the White_Space
// property; invalid UTF-8 bytes are U+FFFD, as in llama.cpp.

// preTokenizer splits runes into words, returned as lengths in runes.
type preTokenizer func(r []rune) []int

// preTokenizerFor maps tokenizer.ggml.pre to a splitter, and reports
// whether words found whole in the vocabulary skip merging (llama3).
func preTokenizerFor(pre string) (preTokenizer, bool, error) {
	switch pre {
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "superbpe":
		return func(r []rune) []int { return splitLlama3(r, 3) }, true, nil
	case "qwen2", "deepseek-r1-qwen", "megrez", "hunyuan":
		return func(r []rune) []int { return splitLlama3(r, 1) }, false, nil
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "refact", "starcoder", "mpt", "olmo", "jais", "trillion", "granite-docling":
		return splitGPT2, false, nil
	case "", "default":
		return splitDefault, false, nil
	}
	return nil, false, fmt.Errorf("tokenizer: pre-tokenizer %q is not supported", pre)
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }
func isNumber(r rune) bool { return unicode.IsNumber(r) }
func isSpace(r rune) bool  { return unicode.IsSpace(r) }

// runes holds a fragment and answers "what is at pos" with a zero answer
// past its end, as llama.cpp's _get_cpt/_get_flags do.
type runes []rune

func (s runes) at(i int) rune {
	if i < 0 || i >= len(s) {
		return -1
	}
	return s[i]
}

func (s runes) letter(i int) bool { return i < len(s) && isLetter(s[i]) }
func (s runes) number(i int) bool { return i < len(s) && isNumber(s[i]) }
func (s runes) space(i int) bool  { return i < len(s) && isSpace(s[i]) }

// other is [^\s\p{L}\p{N}] for a rune inside the fragment.
func (s runes) other(i int) bool {
	return i < len(s) && !isSpace(s[i]) && !isLetter(s[i]) && !isNumber(s[i])
}

// contraction returns the length of 's 't 're 've 'm 'll 'd at pos (0 if
// none), optionally ignoring case.
func (s runes) contraction(pos int, fold bool) int {
	if s.at(pos) != '\'' || pos+1 >= len(s) {
		return 0
	}
	lower := func(r rune) rune {
		if fold {
			return unicode.ToLower(r)
		}
		return r
	}
	switch lower(s[pos+1]) {
	case 's', 't', 'm', 'd':
		return 2
	}
	if pos+2 < len(s) {
		a, b := lower(s[pos+1]), lower(s[pos+2])
		if (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l') {
			return 3
		}
	}
	return 0
}

// whitespaceRun handles the shared tail of both patterns: \s+(?!\S) keeps
// the last space for the next word; \s+ at the end takes it all.
func (s runes) whitespaceRun(pos int) (end int, ok bool) {
	n := 0
	for s.space(pos + n) {
		n++
	}
	if n > 1 && pos+n < len(s) {
		return pos + n - 1, true
	}
	if n > 0 {
		return pos + n, true
	}
	return pos, false
}

// words collects word lengths as a splitter advances: emit(end) closes the
// word that runs from the last end to this one.
type words struct {
	lens []int
	prev int
}

func (w *words) emit(end int) {
	if end > w.prev {
		w.lens = append(w.lens, end-w.prev)
	}
	w.prev = end
}

func splitLlama3(r []rune, maxDigits int) []int {
	s := runes(r)
	var w words
	for pos := 0; pos < len(s); {
		c := s[pos]
		if n := s.contraction(pos, true); n > 0 {
			pos += n
			w.emit(pos)
			continue
		}
		// [^\r\n\p{L}\p{N}]?\p{L}+
		if c != '\r' && c != '\n' && !isNumber(c) && (isLetter(c) || s.letter(pos+1)) {
			pos++
			for s.letter(pos) {
				pos++
			}
			w.emit(pos)
			continue
		}
		// \p{N}{1,maxDigits}
		if isNumber(c) {
			start := pos
			for s.number(pos) {
				if pos++; pos-start >= maxDigits {
					w.emit(pos)
					start = pos
				}
			}
			w.emit(pos)
			continue
		}
		// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
		next := pos
		if c == ' ' {
			next = pos + 1
		}
		if s.other(next) {
			pos = next
			for s.other(pos) {
				pos++
			}
			for s.at(pos) == '\r' || s.at(pos) == '\n' {
				pos++
			}
			w.emit(pos)
			continue
		}
		// \s*[\r\n]+ : through the last \r or \n of the whitespace run.
		lastNL := -1
		for i := pos; s.space(i); i++ {
			if s[i] == '\r' || s[i] == '\n' {
				lastNL = i + 1
			}
		}
		if lastNL > 0 {
			pos = lastNL
			w.emit(pos)
			continue
		}
		if end, ok := s.whitespaceRun(pos); ok {
			pos = end
			w.emit(pos)
			continue
		}
		pos++
		w.emit(pos)
	}
	return w.lens
}

func splitGPT2(r []rune) []int {
	s := runes(r)
	var w words
	for pos := 0; pos < len(s); {
		c := s[pos]
		if n := s.contraction(pos, false); n > 0 {
			pos += n
			w.emit(pos)
			continue
		}
		next := pos
		if c == ' ' {
			next = pos + 1
		}
		// ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
		for _, class := range []func(int) bool{s.letter, s.number, s.other} {
			if class(next) {
				pos = next
				for class(pos) {
					pos++
				}
				break
			}
		}
		if pos != w.prev {
			w.emit(pos)
			continue
		}
		if end, ok := s.whitespaceRun(pos); ok {
			pos = end
			w.emit(pos)
			continue
		}
		pos++
		w.emit(pos)
	}
	return w.lens
}

// splitDefault is llama.cpp's default BPE pre-tokenizer, four patterns
// applied in turn, each splitting the fragments the last one left (matches
// and the text between them both kept): runs of punctuation and
// $+<=>^~|, then the GPT-2 pattern, then runs of numbers, then groups of
// three ASCII digits.
func splitDefault(r []rune) []int {
	isPunct := func(c rune) bool { return unicode.IsPunct(c) || (c < 128 && stringsContainsRune("$+<=>^~|", c)) }
	isASCIIDigit := func(c rune) bool { return '0' <= c && c <= '9' }
	lens := []int{len(r)}
	lens = refine(r, lens, func(f []rune) []int { return runsOf(f, isPunct, 0) })
	lens = refine(r, lens, splitGPT2)
	lens = refine(r, lens, func(f []rune) []int { return runsOf(f, isNumber, 0) })
	lens = refine(r, lens, func(f []rune) []int { return runsOf(f, isASCIIDigit, 3) })
	return lens
}

// refine applies split to each fragment (given as lengths) of r.
func refine(r []rune, lens []int, split func([]rune) []int) []int {
	var out []int
	start := 0
	for _, n := range lens {
		out = append(out, split(r[start:start+n])...)
		start += n
	}
	return out
}

// runsOf splits f into runs matching class and the text between them;
// group > 0 cuts matching runs into pieces of exactly group (a regex
// [x]{group}), leaving a shorter remainder as unmatched text.
func runsOf(f []rune, class func(rune) bool, group int) []int {
	var out []int
	gap := 0
	for i := 0; i < len(f); {
		if !class(f[i]) {
			gap++
			i++
			continue
		}
		j := i
		for j < len(f) && class(f[j]) {
			j++
		}
		run := j - i
		if group > 0 {
			full := run / group * group
			if full == 0 {
				gap += run
				i = j
				continue
			}
			if gap > 0 {
				out = append(out, gap)
				gap = 0
			}
			for k := 0; k < full; k += group {
				out = append(out, group)
			}
			gap = run - full
			i = j
			continue
		}
		if gap > 0 {
			out = append(out, gap)
			gap = 0
		}
		out = append(out, run)
		i = j
	}
	if gap > 0 {
		out = append(out, gap)
	}
	return out
}

func stringsContainsRune(s string, c rune) bool {
	for _, x := range s {
		if x == c {
			return true
		}
	}
	return false
}
