// Package model owns the transformer language models of the taonet LM engine:
// Hugging Face config.json parsing, loading and saving the Hugging Face
// safetensors layout, the forward and backward passes of GPT-2, Llama and
// BERT, and the forward pass (loss, generation) of the decoder family —
// Qwen2, Mistral, Gemma, Gemma2, Phi-3, StableLM, GPT-NeoX (decoder.go) —
// written llm.c style — one layer per file, forward next to backward, flat
// float32 slices and explicit buffers, every matmul through kernels.Sgemm.
//
// Results are bit-identical regardless of the number of threads: work is split
// only across independent outputs, and every reduction runs in a fixed order,
// so finetuning validators on different machines agree exactly (given the same
// Sgemm kernel).
package model
