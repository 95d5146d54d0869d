package feed

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse"
)

// Domain prefixes the canonical encoding so a feed signature can never be
// replayed as a signature of anything else (a synapse, a transaction).
const Domain = "taonet/prompting-feed/v1"

// MaxFieldBytes bounds each text field of a record.
const MaxFieldBytes = 64 << 10

// maxCitationBytes bounds each citation field.
const maxCitationBytes = 2048

// Record is one published sample. Seq is the publishing store's cursor and
// is not signed (it is transport, not content); everything else is.
type Record struct {
	Seq        uint64  `json:"seq"`
	Netuid     uint16  `json:"netuid"`
	Block      uint64  `json:"block"`
	TimeMs     int64   `json:"time_ms"`
	Task       string  `json:"task"`
	Challenge  string  `json:"challenge"`
	Reference  string  `json:"reference"`
	Completion string  `json:"completion"`
	Miner      string  `json:"miner"`  // hotkey of the best miner ("" if none)
	Reward     float64 `json:"reward"` // that miner's step reward
	Validator  string  `json:"validator"`
	// Citation is where the challenge's material came from (nil for
	// material without a source, e.g. generated math).
	Citation  *Citation `json:"citation,omitempty"`
	Signature string    `json:"signature"` // 0x-hex sr25519 over Canonical()
}

// Citation names the source of a record's context: title, section, URL or
// file path, and revision (page revision id or content hash).
type Citation struct {
	Title    string `json:"title"`
	Section  string `json:"section,omitempty"`
	URL      string `json:"url,omitempty"`
	Path     string `json:"path,omitempty"`
	Revision string `json:"revision,omitempty"`
	Source   string `json:"source,omitempty"`
}

// Canonical returns the signed encoding: Domain, then every field except
// Seq and Signature in declaration order; strings as u32 big-endian length +
// bytes, integers big-endian, the reward as its IEEE-754 bits.
func (r *Record) Canonical() []byte {
	n := len(Domain) + 2 + 8 + 8 + 8 + 7*4 + len(r.Task) + len(r.Challenge) + len(r.Reference) +
		len(r.Completion) + len(r.Miner) + len(r.Validator)
	b := make([]byte, 0, n)
	str := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	str(Domain)
	b = binary.BigEndian.AppendUint16(b, r.Netuid)
	b = binary.BigEndian.AppendUint64(b, r.Block)
	b = binary.BigEndian.AppendUint64(b, uint64(r.TimeMs))
	str(r.Task)
	str(r.Challenge)
	str(r.Reference)
	str(r.Completion)
	str(r.Miner)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(r.Reward))
	str(r.Validator)
	// The citation is appended only when present, so records without one
	// keep the encoding (and signatures) of before it existed.
	if c := r.Citation; c != nil {
		for _, s := range []string{"citation", c.Title, c.Section, c.URL, c.Path, c.Revision, c.Source} {
			str(s)
		}
	}
	return b
}

// ID is the record's content identifier: hex of the first 16 bytes of
// sha256(Canonical()). It does not depend on Seq or the signature.
func (r *Record) ID() string {
	h := sha256.Sum256(r.Canonical())
	return hex.EncodeToString(h[:16])
}

// Signer signs with a hotkey (*keys.Keypair).
type Signer interface {
	SS58Address() string
	Sign(msg []byte) ([]byte, error)
}

// Sign sets Validator to the signer's address and signs the record.
func (r *Record) Sign(s Signer) error {
	r.Validator = s.SS58Address()
	if err := r.check(); err != nil {
		return err
	}
	sig, err := s.Sign(r.Canonical())
	if err != nil {
		return fmt.Errorf("feed: sign: %w", err)
	}
	r.Signature = synapse.EncodeSignature(sig)
	return nil
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("feed: bad signature")
	ErrMalformed    = errors.New("feed: malformed record")
)

// Verify checks the record's shape and that Signature is the Validator
// hotkey's signature of Canonical(). Whether that hotkey may publish (permit,
// stake) is the caller's policy.
func (r *Record) Verify() error {
	if err := r.check(); err != nil {
		return err
	}
	sig, err := synapse.DecodeSignature(r.Signature)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if !keys.VerifySS58(r.Validator, r.Canonical(), sig) {
		return ErrBadSignature
	}
	return nil
}

func (r *Record) check() error {
	if _, err := keys.SS58Decode(r.Validator); err != nil {
		return fmt.Errorf("%w: validator: %v", ErrMalformed, err)
	}
	if r.Miner != "" {
		if _, err := keys.SS58Decode(r.Miner); err != nil {
			return fmt.Errorf("%w: miner: %v", ErrMalformed, err)
		}
	}
	for name, s := range map[string]string{"task": r.Task, "challenge": r.Challenge, "reference": r.Reference, "completion": r.Completion} {
		if len(s) > MaxFieldBytes {
			return fmt.Errorf("%w: %s is %d bytes (max %d)", ErrMalformed, name, len(s), MaxFieldBytes)
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("%w: %s is not valid UTF-8", ErrMalformed, name)
		}
	}
	if c := r.Citation; c != nil {
		for name, s := range map[string]string{"title": c.Title, "section": c.Section, "url": c.URL, "path": c.Path, "revision": c.Revision, "source": c.Source} {
			if len(s) > maxCitationBytes || !utf8.ValidString(s) {
				return fmt.Errorf("%w: citation %s: over %d bytes or not UTF-8", ErrMalformed, name, maxCitationBytes)
			}
		}
	}
	if r.Task == "" || r.Challenge == "" {
		return fmt.Errorf("%w: empty task or challenge", ErrMalformed)
	}
	if math.IsNaN(r.Reward) || math.IsInf(r.Reward, 0) {
		return fmt.Errorf("%w: reward %v", ErrMalformed, r.Reward)
	}
	return nil
}
