// Package feed owns the prompting subnet's signed dataset feed: every
// validator publishes its scored exchanges (challenge, hidden reference,
// best completion, task, block, validator hotkey) as sr25519-signed Records,
// and finetuning validators read them as evaluation data.
//
// Pieces:
//
//   - Record: the sample, its canonical binary encoding (what is signed) and
//     its content ID; Sign / Verify.
//   - Store: a validator's own records, persisted append-only as JSONL in
//     its data directory, with a block retention window and a monotonically
//     increasing cursor (Seq).
//   - Handler: GET /feed?since=CURSOR&limit=N (JSON) over a Store.
//   - Client: discovers prompting validators from the metagraph (validator
//     permit and a minimum stake) and their feed URL from their chain
//     commitment, pulls every feed incrementally, verifies each record's
//     signature and its signer's permit (rejecting and logging forged or
//     tampered records), merges and deduplicates by content ID, and
//     implements the finetuning data.Source contract. It keeps what lies
//     in a block window behind the chain head (Retention), pruning older
//     records at every sync; there is no count cap, so a validator's new
//     records are always taken (bounded by the window and MaxPerBlock
//     records per validator and block, excess dropped with a warning).
//     Clients that synced the same feeds hold the same window, so
//     finetuning validators started at different times draw the same
//     samples — with limits, as the held records are not a function of the
//     block window alone: a record dated inside a window but published
//     after one client's sync reaches only clients that sync later (the
//     localnet's finetuning source leaves out records younger than a lag),
//     publishers are judged by the live metagraph (a validator that lost
//     its permit has its records dropped, also from past windows), a feed
//     unreachable at a sync is missing until the next, and records older
//     than Retention are gone (the finetuning validator package doc states
//     the resulting agreement guarantee).
//
// Discovery: a validator announces its feed by committing the text
// "prompting-feed=<URL>" (CommitmentText) on the prompting subnet. The URL
// is the feed's base (the client requests <URL>/feed). Validators usually do
// not serve an axon, so the axon address is not used; a commitment also lets
// the feed sit behind any reverse proxy.
package feed
