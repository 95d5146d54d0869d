package timelock

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/taonet/taonet/subtensor/scale"
)

// Payload is what a timelocked weight commit encrypts: subtensor's
// WeightsTlockPayload {hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>,
// version_key: u64} in SCALE (pallets/subtensor/src/coinbase/
// reveal_commits.rs; bittensor-drand builds the same struct). Hotkey holds
// the committer's 32-byte account id. Legacy payloads (commit_crv3_weights
// runtimes before the hotkey was added) omit it.
type Payload struct {
	Hotkey     []byte
	UIDs       []uint16
	Values     []uint16
	VersionKey uint64
	Legacy     bool
}

// MaxCommitBytes bounds the encrypted commit: commit_timelocked_weights takes
// BoundedVec<u8, ConstU32<MAX_CRV3_COMMIT_SIZE_BYTES>> with the constant 5000.
const MaxCommitBytes = 5000

// Encode is the payload's SCALE encoding (without the hotkey when Legacy).
func (p Payload) Encode() []byte {
	var e scale.Encoder
	if !p.Legacy {
		e.ByteVec(p.Hotkey)
	}
	for _, v := range [][]uint16{p.UIDs, p.Values} {
		e.CompactU64(uint64(len(v)))
		for _, x := range v {
			e.U16(x)
		}
	}
	e.U64(p.VersionKey)
	return e.Bytes()
}

// ErrHotkeyMismatch is a payload whose hotkey is not the committer's; the
// chain drops such a commit.
var ErrHotkeyMismatch = errors.New("timelock: payload hotkey is not the committer")

// DecodePayload decodes a revealed payload as the chain does for a commit
// by committer: first as WeightsTlockPayload, whose hotkey must decode as an
// account id (its first 32 bytes) equal to committer, else
// ErrHotkeyMismatch; when that layout does not decode, or its hotkey is too
// short for an account id, as the legacy {uids, values, version_key}. Like
// parity-scale-codec's Decode, bytes after the value are ignored.
func DecodePayload(b []byte, committer [32]byte) (Payload, error) {
	p, err := decodePayload(b, false)
	if err == nil {
		if len(p.Hotkey) >= 32 {
			if !bytes.Equal(p.Hotkey[:32], committer[:]) {
				return p, ErrHotkeyMismatch
			}
			return p, nil
		}
	}
	lp, lerr := decodePayload(b, true)
	if lerr != nil {
		return Payload{}, fmt.Errorf("timelock: payload decodes in neither layout: %v; legacy: %v", err, lerr)
	}
	return lp, nil
}

func decodePayload(b []byte, legacy bool) (Payload, error) {
	d := scale.NewDecoder(b)
	p := Payload{Legacy: legacy}
	var err error
	if !legacy {
		if p.Hotkey, err = d.ByteVec(); err != nil {
			return p, err
		}
	}
	for _, dst := range []*[]uint16{&p.UIDs, &p.Values} {
		n, err := d.Len(2)
		if err != nil {
			return p, err
		}
		v := make([]uint16, n)
		for i := range v {
			if v[i], err = d.U16(); err != nil {
				return p, err
			}
		}
		*dst = v
	}
	p.VersionKey, err = d.U64()
	return p, err
}
