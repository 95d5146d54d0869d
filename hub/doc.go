// Package hub owns model storage and model identity for the finetuning subnet:
//
//   - Model hashing (finetuning spec §1.3): DirHash reproduces the upstream
//     get_hash_of_directory algorithm (os.walk order, per-file base64 sha256
//     strings chained into one sha256) over an explicit allow-list of model
//     files (AllowedFile), and SecureHash salts it with the miner's hotkey.
//
//   - A content-addressed Store on disk: blobs by sha256, repositories whose
//     revisions are immutable manifests of {path, size, sha256}; revision ids
//     are 40 hex characters like Hugging Face commit shas (see RevisionID).
//
//   - An HTTP Server (http.Handler) that speaks the Hugging Face Hub API the
//     official clients (huggingface_hub, @huggingface/hub) call, for models
//     (hfserver.go), plus taonet's signed manifest protocol:
//
//     GET|HEAD /{ns}/{name}/resolve|raw/{rev}/{file}         file bytes (Range, ETag, X-Linked-*)
//     GET  /api/models/{ns}/{name}[/revision/{rev}]          model info (rev: main, HEAD, tag, 40-hex)
//     GET  /api/models/{ns}/{name}/tree/{rev}[/{path}]       listing (recursive, cursor + Link paging)
//     POST /api/models/{ns}/{name}/paths-info/{rev}          entries of given paths
//     POST /api/repos/create, PUT /api/models/{ns}/{name}/settings
//     POST /api/models/{ns}/{name}/preupload/{rev}           upload mode per file (regular | lfs)
//     POST /{ns}/{name}.git/info/lfs/objects/batch           git-lfs batch (basic transfer + verify)
//     PUT  /api/lfs/{ns}/{name}/{oid}?…, POST …/verify?…     signed upload links from the batch answer
//     POST /api/models/{ns}/{name}/commit/{rev}              NDJSON commit (ndjson.go) → commitOid
//     POST /api/models/{ns}/{name}/tag/{rev}; GET …/refs            tags (immutable) and refs
//     GET  /api/whoami-v2; POST /api/auth/challenge, /api/auth/token (token.go)
//     POST /api/models/{ns}/{name}/preupload|commit, PUT …/blobs/{sha256}   signed protocol (below)
//     GET  /metrics, /healthz
//
//     Errors are the Hub's: a status, a JSON {"error"} body and, for 404s,
//     X-Error-Code RepoNotFound, RevisionNotFound or EntryNotFound.
//     Writes authenticate with "Authorization: Bearer hf_…" (a token from
//     a signed challenge, see token.go) or with a signed request.
//
//   - A download Client (size check before transfer, sha256 / git-blob-sha1
//     verification, Range resume, per-revision cache, progress callback,
//     retries with an idle-timeout watchdog, bounded responses, a few files
//     in parallel) and a signing upload client.
//
// Upload protocol (Client.Upload): preupload sends the manifest
// {"files":[{"path","size","sha256"}]}; the server checks ownership and
// limits before any byte moves and answers the missing blobs and the current
// head. Each missing blob is PUT (the signed body hash is the blob id, checked
// while streaming). The commit names the head as its parent and fails with
// 409 if another commit landed meanwhile (the client starts over), so a
// replayed old commit can never roll a repo back. Equal files to the head are
// not a new revision.
//
// Upload authentication: every write request carries the headers
// X-Taonet-Hotkey (ss58), X-Taonet-Timestamp (unix seconds),
// X-Taonet-Nonce (32 hex chars), X-Taonet-Content-SHA256 (hex sha256 of the
// body) and X-Taonet-Signature (hex sr25519 signature, package keys) over
// SigningMessage(method, path, bodySHA256, timestamp, nonce). The server
// rejects stale timestamps (outside AuthWindow), replayed (hotkey, nonce)
// pairs, bodies whose hash differs from the signed one, and writes to a
// namespace the hotkey does not own. A hotkey owns the namespace equal to its
// ss58 address, and any other free namespace of at most 32 characters it is
// the first to write to (short namespaces keep repo ids within upstream's
// 38-character limit). Longer namespaces must be canonical prefix-42 ss58
// addresses (identity.go), and claims may not differ from another only in
// case. Replay nonces are remembered only after every permission check.
// ServerOptions.AllowWriter (e.g. AllowListed over a subnet's registered
// hotkeys) can restrict writers further.
//
// A private repo (settings) answers 404 to everyone except its namespace
// owner's token or signed reads, so a miner can upload, commit the hash on chain, and
// only then publish, as upstream miners do (finetuning spec §1.2, §4.2).
// Uploaded blobs that no revision references are removed by Store.GC after a
// grace period.
package hub
