// Package kernels holds smelt's numeric kernels for every ggml type it
// supports: dequantize a row, quantize a row (weights as ggml's reference
// quantizers do, activations as ggml-cpu does before a dot), the dot of a
// weight row with a quantized activation row, and matrix × vector and
// matrix × matrix products on a persistent worker pool.
//
// Each kernel has a pure-Go version (the "generic" twin, always compiled)
// that computes in the order of ggml-cpu's x86 SIMD kernels: exact integer
// sums in 8 lanes, one float32 FMA per lane and block, and ggml's
// horizontal-sum tree. So the generic kernels reproduce llama.cpp's numbers
// bit for bit, and the assembly is tested against them exactly.
//
// The assembly is chosen once, in cpu.go, from klauspost/cpuid: AVX2 (with
// FMA3 and F16C) row kernels and activation quantizers; AVX-512 (F, BW,
// DQ, VL) with VNNI for matrices interleaved four rows at a time
// (Interleave, CanInterleave; the layouts are described in interleave.go);
// NEON with the dot-product extension (SDOT) on arm64. -tags purego builds
// the Go twins alone.
//
// For returns a type's kernels (Traits) on raw bytes, the form in which
// weights come from a GGUF file.
package kernels
