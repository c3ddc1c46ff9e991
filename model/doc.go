// Package model runs GGUF language models on the CPU: llama (and Mistral-
// style GQA), qwen2 (Q/K/V biases, NEOX rope, tied output), qwen3 (per-head
// Q/K norms) and qwen3moe (softmax router, top-k experts, 3-D expert
// tensors). Hyperparameters come from the file's metadata and tensors are
// found by llama.cpp's names, from one table; what differs between
// architectures is a short list of switches (config.go).
//
// Weights are used in place from the mapped file. The forward pass follows
// llama.cpp's CPU graph operation by operation, including its F16 KV cache
// (Q and the attention weights are rounded to f16 for their products, V is
// stored transposed, the attended length is padded to 32) and ggml's
// vectorised exp in softmax and SiLU, so that logits match llama.cpp's, on
// most of the reference models bit for bit.
//
// A State holds one sequence's KV cache; Eval runs a batch of tokens
// through the model (the prompt as one matrix) and returns logits.
package model
