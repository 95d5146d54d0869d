// Package train owns training of the lm/model language models: AdamW with
// PyTorch semantics, gradient clipping by global norm, the warmup + cosine
// learning-rate schedule, gradient accumulation, fine-tuning on (prompt,
// response) pairs with the loss on the response only, and checkpoints written
// in the Hugging Face layout.
package train
