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
// so finetuning validators on different machines agree exactly.
//
// # Numerics convention (every architecture must follow it)
//
// Results are also bit-identical on every target (amd64 GOAMD64=v1…v4,
// arm64, the purego build, every Sgemm kernel). Go allows the compiler to
// fuse a multiplication and a following addition or subtraction into one FMA
// (one rounding instead of two) — it does on arm64 and GOAMD64=v3, also across
// statements and after inlining — unless an explicit conversion rounds the
// product. So, in lm/model, lm/train, lm/kernels' Go code and lm/detmath:
//
//   - Round every float product explicitly before it is added, subtracted,
//     stored, returned or passed on: float32(a*b) + c, not a*b + c;
//     x = float32(x*y), not x *= y. A product may feed another product, a
//     division or a comparison directly.
//   - Where a fused multiply-add is wanted, use the kernels' own fused paths
//     (Sgemm, whose every element is one fixed FMA chain on all targets), never
//     an implicit one.
//   - Call no transcendental function of package math (Exp, Log, Pow, Sin,
//     Cos, Tanh, Erf, ...): on amd64 some are assembly chosen by CPU feature
//     and the pure-Go ones contain fusible expressions. Use lm/detmath, or the
//     kernels' vector primitives (Exp, ExpSubSum, GeluTanh, SwiGLU). math.Sqrt
//     and the other exactly rounded functions are fine.
//   - Reductions keep a fixed order independent of thread count (sum per row
//     or column in index order, or the kernels' lane order).
//
// TestNoFusibleFloatExpressions (lm/crosstarget) checks the first and third
// rules on the sources; TestCrossTarget (lm/crosstarget) builds the engine for
// all targets (arm64 under qemu) and requires bit-identical logprobs, losses,
// embeddings and trained parameters for GPT-2, Llama and BERT. A float
// function that is not model arithmetic can opt out of the source check with
// a "//numerics:exempt <reason>" line in its doc comment.
package model
