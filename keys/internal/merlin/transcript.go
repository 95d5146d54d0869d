package merlin

import (
	"encoding/binary"
	"math"
)

// Transcript is a Merlin v1.0 transcript. It is a value of about 200 bytes:
// assigning it copies the whole state, which forks the transcript (both
// copies continue independently from the same history). The zero value is
// not a transcript; start with NewTranscript.
type Transcript struct {
	s strobe
}

// NewTranscript starts a transcript for the application label (Merlin's
// Transcript::new: STROBE-128 initialized with "Merlin v1.0", then the
// label appended under "dom-sep").
func NewTranscript(label string) Transcript {
	t := Transcript{s: newStrobe([]byte("Merlin v1.0"))}
	t.AppendMessage([]byte("dom-sep"), []byte(label))
	return t
}

// AppendMessage appends a labeled message: meta-AD of the label and the
// message length as a 32-bit little-endian integer, then AD of the message.
// Messages of 2^32 bytes or more cannot be framed and panic, as in the
// reference implementation.
func (t *Transcript) AppendMessage(label, message []byte) {
	t.frame(label, len(message))
	t.s.ad(message, false)
}

// ExtractBytes fills out with challenge bytes bound to everything appended
// so far and to the label: meta-AD of the label and len(out), then PRF.
func (t *Transcript) ExtractBytes(label, out []byte) {
	t.frame(label, len(out))
	t.s.prf(out, false)
}

// frame absorbs the meta-AD of an operation: label ‖ LE32(n).
func (t *Transcript) frame(label []byte, n int) {
	if uint64(n) > math.MaxUint32 {
		panic("merlin: message longer than 2^32-1 bytes")
	}
	var le [4]byte
	binary.LittleEndian.PutUint32(le[:], uint32(n))
	t.s.metaAD(label, false)
	t.s.metaAD(le[:], true)
}
