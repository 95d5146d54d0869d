// Package modelid owns a finetuning model's on-chain identity: the
// commitment string "namespace:name:revision:hash:competition_id"
// (finetuning spec §1.4), its size limits, and strict parsing.
//
// The hash field is the hotkey-salted secure hash S = hub.SecureHash(H,
// hotkey) of the model directory hash H (hub.DirHash), so a commitment copied
// by another hotkey never verifies.
package modelid
