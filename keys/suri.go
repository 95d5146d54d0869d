package keys

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"golang.org/x/crypto/blake2b"
)

// DevPhrase is Substrate's development mnemonic; a URI without a phrase
// (e.g. "//Alice") derives from it.
const DevPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

// ErrInvalidURI is returned for strings that are not Substrate secret URIs.
var ErrInvalidURI = errors.New("keys: invalid secret URI")

// The same grammar as sp-core's SECRET_PHRASE_REGEX and JUNCTION_REGEX.
var (
	suriRegex     = regexp.MustCompile(`^(?P<phrase>[\d\w ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$`)
	junctionRegex = regexp.MustCompile(`/(/?[^/]+)`)
)

// maxURILen keeps regexp work and junction count bounded on hostile input.
const maxURILen = 4096

// Junction is one step of a Substrate derivation path.
type Junction struct {
	ChainCode [32]byte
	Hard      bool
}

// ParseJunction converts one path element ("Alice", "/Alice" for hard, "5")
// into its chain code exactly like sp-core's DeriveJunction::from: a decimal
// u64 is SCALE-encoded as 8 little-endian bytes, anything else as a
// compact-length-prefixed string; encodings over 32 bytes are replaced by
// their BLAKE2b-256 hash.
func ParseJunction(code string) Junction {
	var j Junction
	if strings.HasPrefix(code, "/") {
		j.Hard = true
		code = code[1:]
	}
	var enc []byte
	if n, ok := parseRustU64(code); ok {
		enc = binary.LittleEndian.AppendUint64(nil, n)
	} else {
		enc = append(compactLen(uint64(len(code))), code...)
	}
	if len(enc) > 32 {
		h := blake2b.Sum256(enc)
		enc = h[:]
	}
	copy(j.ChainCode[:], enc)
	return j
}

// parseRustU64 mirrors Rust's u64::from_str, which also accepts a leading '+'.
func parseRustU64(s string) (uint64, bool) {
	t := strings.TrimPrefix(s, "+")
	if t == "" || t[0] < '0' || t[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(t, 10, 64)
	return n, err == nil
}

// compactLen is the SCALE compact encoding of a length.
func compactLen(v uint64) []byte {
	switch {
	case v < 1<<6:
		return []byte{byte(v << 2)}
	case v < 1<<14:
		return binary.LittleEndian.AppendUint16(nil, uint16(v<<2|1))
	case v < 1<<30:
		return binary.LittleEndian.AppendUint32(nil, uint32(v<<2|2))
	default:
		b := binary.LittleEndian.AppendUint64(nil, v)
		for len(b) > 4 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		return append([]byte{byte(len(b)-4)<<2 | 3}, b...)
	}
}

// FromURI derives a keypair from a Substrate secret URI:
// `<mnemonic or 0x-hex 32-byte seed>[//hard|/soft]...[///password]`. A URI
// without a phrase uses DevPhrase, so "//Alice" is the well-known dev account.
func FromURI(suri string) (*Keypair, error) {
	if len(suri) > maxURILen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidURI, maxURILen)
	}
	m := suriRegex.FindStringSubmatch(suri)
	if m == nil {
		return nil, fmt.Errorf("%w: %q does not match phrase//hard/soft///password", ErrInvalidURI, redact(suri))
	}
	phrase := m[suriRegex.SubexpIndex("phrase")]
	path := m[suriRegex.SubexpIndex("path")]
	password := m[suriRegex.SubexpIndex("password")]
	if phrase == "" {
		phrase = DevPhrase
	}
	var root *Keypair
	var err error
	if h, ok := strings.CutPrefix(phrase, "0x"); ok {
		b, herr := hex.DecodeString(h)
		if herr != nil || len(b) != 32 {
			return nil, fmt.Errorf("%w: 0x seed must be 64 hex digits", ErrInvalidURI)
		}
		root, err = FromSeed([32]byte(b))
	} else {
		root, err = FromMnemonic(phrase, password)
	}
	if err != nil {
		return nil, err
	}
	var js []Junction
	for _, jm := range junctionRegex.FindAllStringSubmatch(path, -1) {
		js = append(js, ParseJunction(jm[1]))
	}
	if password != "" || len(js) > 0 {
		// The phrase alone no longer reproduces this key.
		root.mnemonic = ""
	}
	return root.Derive(js...)
}

// redact keeps error messages free of secrets: only the URI's length shows.
func redact(s string) string { return fmt.Sprintf("<%d bytes>", len(s)) }

// Derive applies derivation junctions like sp-core's sr25519 Pair::derive:
// hard junctions derive a new mini-secret (kept as Seed while every step so
// far was hard), soft junctions derive the scalar additively (no seed).
func (k *Keypair) Derive(js ...Junction) (*Keypair, error) {
	if len(js) == 0 {
		return k, nil
	}
	cur := k
	for _, j := range js {
		if j.Hard {
			msk, _, err := cur.secret.HardDeriveMiniSecretKey(nil, j.ChainCode)
			if err != nil {
				return nil, fmt.Errorf("keys: hard derivation: %w", err)
			}
			next, err := FromSeed(msk.Encode())
			if err != nil {
				return nil, err
			}
			next.hasSeed = cur.hasSeed
			if !cur.hasSeed {
				next.seed = [32]byte{}
			}
			cur = next
			continue
		}
		ek, err := schnorrkel.DeriveKeySimple(cur.secret, nil, j.ChainCode)
		if err != nil {
			return nil, fmt.Errorf("keys: soft derivation: %w", err)
		}
		sk, err := ek.Secret()
		if err != nil {
			return nil, fmt.Errorf("keys: soft derivation: %w", err)
		}
		nonce, err := randomNonce()
		if err != nil {
			return nil, fmt.Errorf("keys: soft derivation nonce: %w", err)
		}
		next, err := fromSecret(sk.Encode(), nonce)
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}
