// Package evaluate owns what a validator (and a careful miner) does with one
// model directory: the constraint checks of the finetuning spec §2.3
// (architecture allow-list, parameter bounds read from config.json before
// the weights are loaded, vocabulary and sequence length against the
// competition tokenizer, a shipped tokenizer.json must equal the
// competition's, finite weights, the Frobenius-norm sanity check) and the
// per-sample loss on response tokens with the LM engine (deterministic:
// the built-in kernels give bit-identical results on every machine; never
// enable the optional BLAS here).
package evaluate
