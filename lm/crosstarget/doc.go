// Package crosstarget holds the cross-target determinism check of the LM
// engine (see crosstarget_test.go): the same test binary is built for amd64 at
// GOAMD64=v1, v3 and v4, for amd64 without assembly (tag purego), and for
// arm64 (run under qemu-aarch64-static), and every build must produce
// bit-identical per-token log-probabilities, per-sample losses, BERT
// embeddings and parameters after AdamW steps for every fixture in
// lm/testdata (GPT-2, Llama, BERT and the other decoder families), under every matrix-multiply kernel the CPU offers. That is what
// lets finetuning validators on different machines agree exactly.
//
// The package has no non-test code.
package crosstarget
