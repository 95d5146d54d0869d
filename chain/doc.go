// Package chain owns taonet's deterministic state machine: accounts and balances,
// subnets and their hyperparameters, neurons (uids, registration, pruning), classic
// hotkey/coldkey stake, weights with subtensor's checks, commit-reveal (v2 hash),
// commitments, axon endpoints, and the block step (emission and the Yuma epoch).
//
// The package does no I/O: no clock, disk or network. Height, time and block hash
// come in through BeginBlock; transactions come in as bytes through CheckTx and
// DeliverTx; the whole state serializes canonically through Encode, and AppHash is
// the SHA-256 of that encoding. The node package wraps a State in a CometBFT ABCI
// application.
//
// Transaction format (version 1, all integers big-endian, fixed width, so every
// transaction has exactly one encoding):
//
//	u8  version (=1)
//	u16 len, bytes   chain ID
//	u16 len, bytes   signer (ss58 address)
//	u64              nonce (must equal the signer's account nonce)
//	u8               call type (see CallType)
//	u32 len, bytes   call body (per call, see each call's encodeBody)
//	u16 len, bytes   signature (64-byte sr25519, context "substrate")
//
// The signature covers SignBytes = "taonet/tx/v1" followed by the same encoding up to
// and including the call body, so a transaction cannot be replayed on another chain,
// by another signer, or at another nonce.
//
// Fees: a flat Genesis.TxFee (default 100 000 rao) is charged to the signer of every
// successful coldkey call (Transfer, CreateSubnet, SetHyperparameter, BurnedRegister,
// AddStake, RemoveStake) and burned (counted in IssuanceInfo.FeesBurned). Hotkey calls
// (SetWeights, CommitWeights, RevealWeights, SetCommitment, ServeAxon) are fee-free, as
// upstream (Pays::No), and are limited by registration and rate limits instead. A
// failed transaction changes nothing at all: no fee, no nonce increment.
package chain
