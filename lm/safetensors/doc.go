// Package safetensors owns the safetensors tensor file format used by Hugging Face
// model checkpoints: strictly validated parsing (memory-mapped where the OS allows
// it), conversion of F32/F16/BF16 tensors to float32, and atomic writing.
//
// File layout (upstream format rules): an 8-byte little-endian header length N,
// N bytes of UTF-8 JSON mapping tensor names to {"dtype","shape","data_offsets"}
// plus an optional "__metadata__" string-to-string map, then the data section.
// Offsets are relative to the data section; tensors must tile it exactly (no
// gaps, no overlap) and each tensor's byte length must equal its shape product
// times its dtype size. Headers are limited to 100,000,000 bytes like upstream.
package safetensors
