// Package metadata decodes a substrate runtime's metadata (v14 and v15) and
// drives everything else from it: the portable type registry, dynamic SCALE
// decoding and encoding of any registered type into Values, storage keys
// (twox64/128, blake2_128(_concat), identity hashers), call indices by pallet
// and call name, and event and dispatch-error names. Nothing is hard-coded:
// a runtime upgrade that renumbers pallets or changes a struct is handled by
// decoding the new metadata.
package metadata
