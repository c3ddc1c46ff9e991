// Package smelt runs GGUF language models (the llama.cpp file format) in
// pure Go, on CPUs and, through dlopen'd Vulkan and CUDA backends, on GPUs.
//
// This root package is the library API. The engine is built from
// packages that can be used on their own:
//
//   - gguf: read and write GGUF files, split models included, hardened
//     against hostile input.
//   - mmap: map model files, hand out zero-copy tensor views, and track and
//     release the memory behind each tensor.
//
// The command smelt (cmd/smelt) puts them behind one binary:
// "smelt inspect MODEL.gguf" prints a model's header, metadata and tensors.
package smelt
