package tokenizer

import "unicode/utf8"

// StreamDecoder turns ids produced one at a time into text chunks that are
// always valid UTF-8: bytes of a multi-byte character split across tokens are
// held back until the character is complete.
type StreamDecoder struct {
	t       *Tokenizer
	ids     []int  // non-byte-level decoders re-decode everything
	pending []byte // bytes not yet returned
	emitted int    // bytes of the full decoding already returned
}

// NewStreamDecoder starts an incremental decoding.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// Add appends one id and returns the newly completed text (possibly "").
func (d *StreamDecoder) Add(id int) string {
	if d.t.dec == decByteLevel {
		d.pending = d.t.appendByteLevel(d.pending, id)
	} else {
		d.ids = append(d.ids, id)
		if tok, ok := d.t.IDToken(id); ok {
			if _, isByte := byteFallbackToken(tok); isByte && d.t.dec == decChain {
				// A <0xAB> run may still be completing one character.
				return ""
			}
		}
		full := d.t.DecodeBytes(d.ids)
		if len(full) >= d.emitted {
			d.pending = append(d.pending[:0], full[d.emitted:]...)
		}
	}
	n := completePrefix(d.pending)
	out := string(d.pending[:n])
	d.emitted += n
	d.pending = append(d.pending[:0], d.pending[n:]...)
	return out
}

// Flush returns whatever is held back (possibly invalid UTF-8 at the end).
func (d *StreamDecoder) Flush() string {
	if d.t.dec != decByteLevel && len(d.ids) > 0 {
		full := d.t.DecodeBytes(d.ids)
		if len(full) >= d.emitted {
			d.pending = append(d.pending[:0], full[d.emitted:]...)
		}
	}
	out := string(d.pending)
	d.emitted += len(d.pending)
	d.pending = d.pending[:0]
	return out
}

// completePrefix returns the length of b minus a trailing incomplete (but so
// far valid) UTF-8 sequence; invalid bytes are passed through.
func completePrefix(b []byte) int {
	n := len(b)
	for i := 1; i <= utf8.UTFMax-1 && i <= n; i++ {
		c := b[n-i]
		if c < 0x80 {
			return n
		}
		if c >= 0xC0 { // a lead byte i bytes from the end
			need := 2
			if c >= 0xE0 {
				need = 3
			}
			if c >= 0xF0 {
				need = 4
			}
			if need > i && utf8.FullRune(b[n-i:]) == false {
				return n - i
			}
			return n
		}
	}
	return n
}
