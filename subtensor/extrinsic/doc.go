// Package extrinsic builds signed v4 substrate extrinsics from runtime
// metadata: calls are encoded by pallet and call name with their arguments
// by field name, and the signed extensions are written in the order the
// metadata lists them (mortal era, nonce, tip, spec/tx version, genesis and
// era block hashes, CheckMetadataHash with mode Disabled; extensions whose
// types carry no data, such as subtensor's own, contribute nothing). Unknown
// extensions that do carry data are an error, never silently skipped.
package extrinsic
