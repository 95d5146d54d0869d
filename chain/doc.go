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
// upstream (Pays::No), and are limited by registration and rate limits instead.
// RemoveStake may pay its fee out of the amount unstaked. A
// failed transaction changes nothing at all: no fee, no nonce increment.
//
// Chain rules (classic, pre-dynamic-TAO subtensor; spec yuma-consensus.md §5):
//   - Stake is classic: per (hotkey, coldkey), global across subnets; a hotkey's
//     stake weight in every subnet it is registered on is its total stake. Any
//     coldkey may stake on any hotkey that has an owner (every hotkey is a delegate).
//   - Registration is burned_register only (no PoW): checks in upstream order, caps
//     per block and per interval (3 × target), burn adjusted every adjustment
//     interval by upgraded_burn in U110F18. A full subnet replaces the non-immune uid
//     with the lowest pruning score (ties: earlier registration, then lower uid),
//     or the lowest immune one if all are immune; the owner hotkey is never pruned.
//     The pruning score is the epoch's per-uid emission max-upscaled to u16.
//   - CreateSubnet locks the classic network lock cost (2 × last lock, decaying
//     linearly, floor NetworkMinLockCost) and registers the owner hotkey as uid 0.
//   - Weights: every set_weights check of §5.4 in upstream order; values stored
//     max-upscaled. Commit-reveal v2 with the classic epoch index
//     (block + netuid + 1) / (tempo + 1). With commit-reveal on, the epoch gets each
//     uid's earliest unexpired commit block for upstream's column mask.
//   - Block step (EndBlock, i.e. after the block's transactions): the block emission
//     (1e9 rao by default, halving by circulating supply) is split equally among
//     subnets with tempo > 0; each subnet's owner cut goes to the owner coldkey's
//     balance; the rest accumulates and is paid by yuma.Epoch when
//     (height + netuid + 1) % (tempo + 1) == 0: miner (server) emission to the
//     hotkey owner's stake, validator emission through the delegate take (18%) and
//     pro rata to the hotkey's nominators. Rounding dust is recycled (burned).
//   - BeginBlock resets per-block registration counters and runs burn adjustments.
//
// Dynamic TAO (Genesis.Economics = "dtao"; subtensor main 14bc6f9f9, spec
// yuma-consensus.md §5.2, §5.7):
//   - Every subnet has a TAO/alpha pool priced by package swap (subtensor's
//     weighted balancer). A new subnet's pool holds its lock (at least
//     NetworkMinLockCost) and that TAO's worth of alpha at the median subnet price.
//     Netuid 0 is root: TAO stake at 1:1.
//   - Stake is alpha per (netuid, hotkey, coldkey): AddStakeLimit swaps TAO in,
//     RemoveStakeLimit swaps alpha out, with upstream's minimum (0.002 TAO), price
//     limits and partial fills; MoveStake, TransferStake and SwapStake move alpha
//     within a subnet or through both pools. Swap fees (33/65535) are burned (there
//     is no block author in state). The classic AddStake/RemoveStake are refused.
//   - burned_register swaps the burn into the pool and recycles the alpha bought.
//   - The block step is run_coinbase: the block emission (substrate-fixed log2
//     halving on circulating TAO) is shared by moving-price shares weighted by the
//     miner emission not withheld; each subnet's TAO goes into its pool with alpha
//     at the current price (capped by root_proportion × alpha emission, the excess
//     TAO buying alpha for the protocol), the weights absorbing the injection;
//     alpha emission (same halving on the subnet's alpha issuance) pays the 18%
//     owner cut, 50% miners, 50% validators minus root's proportion (to root
//     stakers when Σ moving prices > 1, else recycled). At a subnet's epoch the
//     pending alpha is distributed: incentive to miners (the owner's own hotkeys'
//     incentive is burned), dividends split into alpha and root parts by
//     alpha : tao_weight × root stake, the delegate take to the hotkey owner, the
//     rest pro rata to the hotkey's stakers (root part: to its root stakers, as
//     subnet alpha). Stake weight = alpha + tao_weight × root stake.
//   - Not built: parent/child key inheritance (childkeys), root claim types (root
//     dividends are paid at once), dynamic tempo (epochs keep the classic
//     schedule), start_call (a subnet emits from the block after its creation),
//     owner-set fee rates, subnet leases and locks. Per-hotkey share pools are plain
//     per-coldkey amounts; pro-rata payouts floor and give the remainder to the
//     hotkey owner.
//   - Delegate take per hotkey: DecreaseTake any time (≥ 0), IncreaseTake up to
//     18% and once per 216 000 blocks, by the hotkey's owner; a hotkey that never
//     changed it has Genesis.DelegateTake.
package chain
