// Package gguf reads and writes GGUF files, the model format of llama.cpp.
//
// The reader accepts GGUF v2 and v3 (little-endian), every metadata value
// type including arrays of arrays, and split models
// (name-00001-of-00003.gguf …) opened as one. It is written for hostile
// input: every length is checked against the bytes left in the file and
// against Limits, every size computation is overflow-checked, every tensor
// must lie inside the file without overlapping another, and an error is
// returned — never a panic — for anything malformed.
//
// Tensor data is not read: TensorInfo.FileOffset and Size locate it, for the
// mmap package to map or read.
//
// The Writer produces the same bytes ggml does, so a file read and written
// again is identical; tests and tools use it to build models and fixtures.
package gguf
