// Package tokenizer turns text into token ids and back exactly as
// llama.cpp does, from the vocabulary stored in a GGUF file: SentencePiece
// (tokenizer.ggml.model "llama": score-ordered merges, ▁ for spaces, byte
// fallback) and byte-level BPE ("gpt2": pre-tokenizer chosen by
// tokenizer.ggml.pre, merges by rank). Special tokens written in the text
// are recognised when asked, and decoding streams without cutting UTF-8
// characters.
package tokenizer
