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
//   - An HTTP Server (http.Handler) with Hugging-Face-style paths, so one
//     Client works against this hub and against huggingface.co:
//
//     GET  /{ns}/{name}/resolve/{revision}/{file}          file bytes (Range, ETag = "sha256")
//     HEAD /{ns}/{name}/resolve/{revision}/{file}          headers only
//     GET  /api/models/{ns}/{name}                          latest revision info
//     GET  /api/models/{ns}/{name}/revision/{revision}      revision info (HF shape)
//     POST /api/models/{ns}/{name}/preupload                signed; manifest in, missing blobs out
//     PUT  /api/models/{ns}/{name}/blobs/{sha256}           signed; one file's bytes
//     POST /api/models/{ns}/{name}/commit                   signed; manifest + parent in, revision out
//     PUT  /api/models/{ns}/{name}/settings                 signed; {"private": bool}
//     GET  /metrics                                         Prometheus metrics
//     GET  /healthz                                         liveness
//
//     Revision info has Hugging Face's model_info shape (files_metadata=True):
//     {"id", "sha", "lastModified", "siblings": [{"rfilename", "size",
//     "blobId", "lfs": {"sha256", "size"}}]}. "main" names the latest revision.
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
// ss58 address, and any other free namespace it is the first to write to
// (short namespaces keep repo ids within upstream's 38-character limit).
// ServerOptions.AllowWriter (e.g. AllowListed over a subnet's registered
// hotkeys) can restrict writers further.
//
// A private repo (settings) answers 404 to everyone except signed reads by
// its namespace owner, so a miner can upload, commit the hash on chain, and
// only then publish, as upstream miners do (finetuning spec §1.2, §4.2).
// Uploaded blobs that no revision references are removed by Store.GC after a
// grace period.
package hub
