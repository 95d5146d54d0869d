package metadata

import (
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/crypto/blake2b"
)

// Twox returns substrate's twox hash of width bits (64, 128 or 256): xxhash64
// with seeds 0, 1, ... concatenated little-endian.
func Twox(data []byte, bits int) []byte {
	out := make([]byte, 0, bits/8)
	for seed := uint64(0); seed < uint64(bits/64); seed++ {
		d := xxhash.NewWithSeed(seed)
		_, _ = d.Write(data)
		out = binary.LittleEndian.AppendUint64(out, d.Sum64())
	}
	return out
}

// Blake2 returns the blake2b hash of data with the given output size in bytes.
func Blake2(data []byte, size int) []byte {
	h, err := blake2b.New(size, nil)
	if err != nil {
		panic(err) // size is 16 or 32, always valid
	}
	h.Write(data)
	return h.Sum(nil)
}

// Hash applies a storage hasher to an encoded key part.
func (h Hasher) Hash(enc []byte) []byte {
	switch h {
	case Blake2_128:
		return Blake2(enc, 16)
	case Blake2_256:
		return Blake2(enc, 32)
	case Blake2_128Concat:
		return append(Blake2(enc, 16), enc...)
	case Twox128:
		return Twox(enc, 128)
	case Twox256:
		return Twox(enc, 256)
	case Twox64Concat:
		return append(Twox(enc, 64), enc...)
	case Identity:
		return append([]byte(nil), enc...)
	}
	panic("unknown hasher") // decodeHashers rejects unknown hashers
}

// StoragePrefix is twox128(pallet prefix) ++ twox128(item name): the key of a
// plain value and the common prefix of every key of a map.
func StoragePrefix(pallet, item string) []byte {
	return append(Twox(
		[]byte(pallet), 128), Twox([]byte(item), 128)...)
}

// StorageKey builds the key of pallet.item for the given key parts (none for a
// plain value; a prefix of the map's keys gives a prefix for key iteration).
// Each part is encoded as its metadata type and hashed with its hasher.
func (m *Metadata) StorageKey(pallet, item string, keys ...any) ([]byte, *StorageEntry, error) {
	p, e, err := m.Storage(pallet, item)
	if err != nil {
		return nil, nil, err
	}
	key := StoragePrefix(p.StoragePrefix, e.Name)
	if !e.Map {
		if len(keys) != 0 {
			return nil, nil, fmt.Errorf("metadata: %s.%s is a plain value and takes no keys", pallet, item)
		}
		return key, e, nil
	}
	if len(keys) > len(e.Hashers) {
		return nil, nil, fmt.Errorf("metadata: %s.%s takes %d keys, %d given", pallet, item, len(e.Hashers), len(keys))
	}
	parts, err := m.keyTypes(e)
	if err != nil {
		return nil, nil, err
	}
	for i, k := range keys {
		enc, err := m.Encode(parts[i], k)
		if err != nil {
			return nil, nil, fmt.Errorf("metadata: %s.%s key %d: %w", pallet, item, i, err)
		}
		key = append(key, e.Hashers[i].Hash(enc)...)
	}
	return key, e, nil
}

// keyTypes splits a map's key type into one type per hasher: with one hasher
// the key type itself, with several the members of the key tuple.
func (m *Metadata) keyTypes(e *StorageEntry) ([]uint32, error) {
	if len(e.Hashers) == 1 {
		return []uint32{e.Key}, nil
	}
	t, err := m.Types.Type(e.Key)
	if err != nil {
		return nil, err
	}
	if t.Kind != KindTuple || len(t.Tuple) != len(e.Hashers) {
		return nil, fmt.Errorf("metadata: storage %s has %d hashers but its key is not a %d-tuple", e.Name, len(e.Hashers), len(e.Hashers))
	}
	return t.Tuple, nil
}

// DecodeStorage decodes a storage value of e; nil data (absent) yields the
// entry's default, or nil for an Optional entry.
func (m *Metadata) DecodeStorage(e *StorageEntry, data []byte) (Value, error) {
	if data == nil {
		if e.Optional {
			return nil, nil
		}
		data = e.Default
	}
	v, err := m.DecodeAll(e.Value, data)
	if err != nil {
		return nil, fmt.Errorf("metadata: storage %s: %w", e.Name, err)
	}
	return v, nil
}

// KeyParts decodes the concat-hashed key parts that follow the 32-byte prefix
// of a full storage key (Blake2_128Concat, Twox64Concat and Identity parts carry
// the encoded key; opaque hashers yield nil for their part).
func (m *Metadata) KeyParts(e *StorageEntry, key []byte) ([]Value, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("metadata: storage key of %d bytes is shorter than its prefix", len(key))
	}
	parts, err := m.keyTypes(e)
	if err != nil {
		return nil, err
	}
	rest := key[32:]
	out := make([]Value, len(parts))
	for i, h := range e.Hashers {
		skip := map[Hasher]int{Blake2_128: 16, Blake2_256: 32, Blake2_128Concat: 16, Twox128: 16, Twox256: 32, Twox64Concat: 8}[h]
		if len(rest) < skip {
			return nil, fmt.Errorf("metadata: storage key too short for hasher %s", h)
		}
		rest = rest[skip:]
		if h == Blake2_128 || h == Blake2_256 || h == Twox128 || h == Twox256 {
			continue
		}
		d := newDec(rest)
		v, err := m.DecodeValue(parts[i], d)
		if err != nil {
			return nil, fmt.Errorf("metadata: storage key part %d: %w", i, err)
		}
		out[i] = v
		rest = rest[d.Offset():]
	}
	return out, nil
}
