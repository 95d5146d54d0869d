package merlin

import "crypto/subtle"

// STROBE v1.0.2 (strobe.sourceforge.io/specs) at the 128-bit security level,
// reduced to the operations Merlin uses. The sponge rate is
// 1600/8 − 2·128/8 − 2 = 166 bytes: two bytes of each block are reserved for
// the padding that runF adds.
const strobeR = 166

// Operation flags (STROBE specification §6.2).
const (
	flagI = 1 << 0 // inbound
	flagA = 1 << 1 // application: data goes through the sponge
	flagC = 1 << 2 // cipher: output depends on the state
	flagT = 1 << 3 // transport
	flagM = 1 << 4 // meta
	flagK = 1 << 5 // keytree
)

// strobe is a STROBE-128 duplex state. It is a value: copying it forks it.
type strobe struct {
	st       [200]byte
	pos      int  // next byte of the current block, < strobeR
	posBegin byte // pos+1 where the current operation began in this block, 0 if in an earlier block
	curFlags byte
}

// newStrobe is STROBE's initialization: the domain block
// [1, R+2, 1, 0, 1, 8·12] ‖ "STROBEv1.0.2" permuted, then the protocol
// label as meta-AD.
func newStrobe(protocolLabel []byte) strobe {
	var s strobe
	copy(s.st[:], []byte{1, strobeR + 2, 1, 0, 1, 12 * 8})
	copy(s.st[6:], "STROBEv1.0.2")
	keccakF1600(&s.st)
	s.metaAD(protocolLabel, false)
	return s
}

// metaAD absorbs framing data (flags M|A).
func (s *strobe) metaAD(data []byte, more bool) {
	s.beginOp(flagM|flagA, more)
	s.absorb(data)
}

// ad absorbs application data (flag A).
func (s *strobe) ad(data []byte, more bool) {
	s.beginOp(flagA, more)
	s.absorb(data)
}

// prf squeezes len(out) pseudorandom bytes (flags I|A|C).
func (s *strobe) prf(out []byte, more bool) {
	s.beginOp(flagI|flagA|flagC, more)
	s.squeeze(out)
}

// beginOp marks the start of an operation in the sponge: the previous
// operation's start and the new flags are absorbed, and operations whose
// output depends on the state (C or K) start on a fresh block. more
// continues the current operation.
func (s *strobe) beginOp(flags byte, more bool) {
	if more {
		if flags != s.curFlags {
			panic("merlin: strobe operation continued with different flags")
		}
		return
	}
	if flags&flagT != 0 {
		panic("merlin: transport operations are not supported")
	}
	oldBegin := s.posBegin
	s.posBegin = byte(s.pos + 1)
	s.curFlags = flags
	s.absorbByte(oldBegin)
	s.absorbByte(flags)
	if flags&(flagC|flagK) != 0 && s.pos != 0 {
		s.runF()
	}
}

// absorb XORs data into the rate part of the state, permuting whenever a
// block is full.
func (s *strobe) absorb(data []byte) {
	for len(data) > 0 {
		n := min(strobeR-s.pos, len(data))
		block := s.st[s.pos : s.pos+n]
		subtle.XORBytes(block, block, data[:n])
		s.pos += n
		data = data[n:]
		if s.pos == strobeR {
			s.runF()
		}
	}
}

// absorbByte is absorb of one byte.
func (s *strobe) absorbByte(b byte) {
	s.st[s.pos] ^= b
	s.pos++
	if s.pos == strobeR {
		s.runF()
	}
}

// squeeze copies rate bytes out and zeroes them (STROBE's "squeeze" for
// PRF: the output replaces the state bytes, which for an all-zero input is
// overwriting them with zero), permuting whenever a block is used up.
func (s *strobe) squeeze(out []byte) {
	for len(out) > 0 {
		n := min(strobeR-s.pos, len(out))
		copy(out[:n], s.st[s.pos:s.pos+n])
		clear(s.st[s.pos : s.pos+n])
		s.pos += n
		out = out[n:]
		if s.pos == strobeR {
			s.runF()
		}
	}
}

// runF pads the block (the operation's start position, then the cSHAKE-style
// 0x04 domain bit and the final 0x80 bit at the end of the rate) and
// permutes.
func (s *strobe) runF() {
	s.st[s.pos] ^= s.posBegin
	s.st[s.pos+1] ^= 0x04
	s.st[strobeR+1] ^= 0x80
	keccakF1600(&s.st)
	s.pos = 0
	s.posBegin = 0
}
