// Package epistula owns Epistula v2, the signed plain-HTTP scheme that later Bittensor
// subnets (macrocosm-os/prompting, 2025) use instead of Axon/Dendrite synapses: any HTTP
// request (e.g. an OpenAI-compatible /v1/chat/completions) carries
//
//	Epistula-Version: 2
//	Epistula-Timestamp: <unix ms>
//	Epistula-Uuid: <uuid4>
//	Epistula-Signed-By: <sender ss58>
//	Epistula-Signed-For: <receiver ss58>
//	Epistula-Request-Signature: 0x<sr25519 over "{sha256_hex(body)}.{uuid}.{timestamp}.{signed_for}">
//	Epistula-Secret-Signature-{0,1,2}: 0x<sr25519 over "{interval-1|interval|interval+1}.{signed_for}">
//
// where interval is ceil(ms/1e4)·1e4 rendered as Python renders that float. Receivers
// reject requests older than 8 s. Sign and Transport are the client side; Verifier and
// its Middleware the server side, which additionally requires Signed-For to be the
// receiver's own hotkey and refuses a replayed (sender, uuid) inside the window.
package epistula
