// Package tensor holds ggml's quantization block layouts as Go structs, field
// for field (f16 values stored as uint16 bits), each with a compile-time size
// check, and the exact float16/bfloat16 conversions ggml uses.
//
// Blocks are read from model bytes without copying (Blocks) on
// little-endian hosts, which is every platform smelt supports.
package tensor
