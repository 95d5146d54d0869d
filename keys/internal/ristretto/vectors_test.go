package ristretto

import (
	"crypto/sha512"
	"encoding/hex"
	"math/big"
	"testing"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// The test vectors of RFC 9496 Appendix A (A.1 multiples of the generator,
// A.2 invalid encodings, A.3 group elements from uniform byte strings). The
// transcription was checked against the identical lists in the tests of
// github.com/gtank/ristretto255 v0.1.2, github.com/cloudflare/circl v1.6.3
// (group/ristretto255_test.go) and github.com/oasisprotocol/curve25519-voi
// (curve/ristretto_vectors_test.go); none of those implementations is used
// to produce or judge any result here.

// rfcGeneratorMultiples[i] is the encoding of i·B (RFC 9496 A.1).
var rfcGeneratorMultiples = [16]string{
	"0000000000000000000000000000000000000000000000000000000000000000",
	"e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
	"6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
	"94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
	"da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
	"e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
	"f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
	"44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
	"903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
	"02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
	"20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
	"bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
	"e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
	"aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
	"46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
	"e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
}

// rfcInvalidEncodings must all be rejected by Decode (RFC 9496 A.2).
var rfcInvalidEncodings = []string{
	// non-canonical field encodings
	"00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	// negative field elements
	"0100000000000000000000000000000000000000000000000000000000000000",
	"01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
	"c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
	"c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
	"47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
	"f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
	"87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
	// non-square x²
	"26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
	"4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
	"de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
	"bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
	"2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
	"f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
	"8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
	"2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
	// negative x·y
	"3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
	"a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
	"d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
	"8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
	"32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
	"227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
	"5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
	"445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
	// s = -1, which gives y = 0
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
}

// rfcHashToGroup: the input of each vector is SHA-512 of the label; the
// first two are also listed with the RFC's input bytes (RFC 9496 A.3).
var rfcHashToGroup = []struct{ label, out string }{
	{"Ristretto is traditionally a short shot of espresso coffee", "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46"},
	{"made with the normal amount of ground coffee but extracted with", "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b"},
	{"about half the amount of water in the same amount of time", "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826"},
	{"by using a finer grind.", "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a"},
	{"This produces a concentrated shot of coffee per volume.", "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179"},
	{"Just pulling a normal shot short will produce a weaker shot", "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628"},
	{"and is not a Ristretto as some believe.", "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065"},
}

// rfcUniformInputs: the RFC's 64-byte inputs for the first two labels
// (checks that "input = SHA-512(label)" is how the vectors read).
var rfcUniformInputs = []string{
	"5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c14d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6",
	"f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b270102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38",
}

// rfcSameImage: non-canonical and high-bit-set field inputs that all map to
// one element (RFC 9496 A.3, the "all produce the same output" list).
var rfcSameImage = struct {
	inputs []string
	out    string
}{
	inputs: []string{
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" + "1200000000000000000000000000000000000000000000000000000000000000",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"0000000000000000000000000000000000000000000000000000000000000080" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000000" + "1200000000000000000000000000000000000000000000000000000000000080",
	},
	out: "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f",
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRFCGeneratorMultiples(t *testing.T) {
	acc := NewElement()
	B := NewGenerator()
	for i, want := range rfcGeneratorMultiples {
		if got := hex.EncodeToString(acc.Encode(nil)); got != want {
			t.Fatalf("%d·B by repeated addition encodes as %s, RFC 9496 says %s", i, got, want)
		}
		var sb [32]byte
		sb[0] = byte(i)
		x, _ := edwards25519.NewScalar().SetCanonicalBytes(sb[:])
		if got := hex.EncodeToString(NewElement().ScalarBaseMult(x).Encode(nil)); got != want {
			t.Fatalf("ScalarBaseMult(%d) encodes as %s, RFC 9496 says %s", i, got, want)
		}
		if got := hex.EncodeToString(NewElement().ScalarMult(x, B).Encode(nil)); got != want {
			t.Fatalf("ScalarMult(%d, B) encodes as %s, RFC 9496 says %s", i, got, want)
		}
		dec := NewElement()
		if err := dec.Decode(unhex(t, want)); err != nil {
			t.Fatalf("%d·B: %v", i, err)
		}
		if dec.Equal(acc) != 1 {
			t.Fatalf("decoded %d·B is not equal to %d·B", i, i)
		}
		if got := hex.EncodeToString(dec.Encode(nil)); got != want {
			t.Fatalf("%d·B does not round-trip: %s", i, got)
		}
		acc.Add(acc, B)
	}
}

func TestRFCInvalidEncodings(t *testing.T) {
	for i, h := range rfcInvalidEncodings {
		e := NewGenerator()
		if err := e.Decode(unhex(t, h)); err == nil {
			t.Fatalf("invalid encoding #%d %s accepted", i, h)
		}
		if e.Equal(NewGenerator()) != 1 {
			t.Fatalf("rejected decode #%d changed the receiver", i)
		}
	}
	for _, n := range []int{0, 31, 33, 64} {
		if err := NewElement().Decode(make([]byte, n)); err == nil && n != 32 {
			t.Fatalf("%d-byte input accepted", n)
		}
	}
}

func TestRFCHashToGroup(t *testing.T) {
	for i, in := range rfcUniformInputs {
		h := sha512.Sum512([]byte(rfcHashToGroup[i].label))
		if hex.EncodeToString(h[:]) != in {
			t.Fatalf("vector %d: SHA-512(label) is not the RFC's input", i)
		}
	}
	for i, v := range rfcHashToGroup {
		h := sha512.Sum512([]byte(v.label))
		if got := hex.EncodeToString(NewElement().FromUniformBytes(h[:]).Encode(nil)); got != v.out {
			t.Fatalf("vector %d (%q): got %s, RFC 9496 says %s", i, v.label, got, v.out)
		}
	}
	for i, in := range rfcSameImage.inputs {
		if got := hex.EncodeToString(NewElement().FromUniformBytes(unhex(t, in)).Encode(nil)); got != rfcSameImage.out {
			t.Fatalf("same-image input %d: got %s, RFC 9496 says %s", i, got, rfcSameImage.out)
		}
	}
}

// TestConstants checks the RFC 9496 §4.1 constants against their defining
// equations, computed independently with math/big.
func TestConstants(t *testing.T) {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	toBig := func(fe *field.Element) *big.Int {
		le := fe.Bytes()
		be := make([]byte, 32)
		for i := range le {
			be[31-i] = le[i]
		}
		return new(big.Int).SetBytes(be)
	}
	mod := func(x *big.Int) *big.Int { return x.Mod(x, p) }
	d := mod(new(big.Int).Mul(big.NewInt(-121665), new(big.Int).ModInverse(big.NewInt(121666), p)))
	one := big.NewInt(1)
	sq := func(x *big.Int) *big.Int { return mod(new(big.Int).Mul(x, x)) }
	checks := []struct {
		name      string
		got, want *big.Int
	}{
		{"D = -121665/121666", toBig(dConst), d},
		{"SQRT_M1² = -1", sq(toBig(sqrtM1)), mod(big.NewInt(-1))},
		{"SQRT_AD_MINUS_ONE² = a·d - 1", sq(toBig(sqrtADMinusOne)), mod(new(big.Int).Sub(new(big.Int).Neg(d), one))},
		{"INVSQRT_A_MINUS_D²·(a - d) = 1", mod(new(big.Int).Mul(sq(toBig(invsqrtAMinusD)), new(big.Int).Sub(big.NewInt(-1), d))), one},
		{"ONE_MINUS_D_SQ = 1 - d²", toBig(oneMinusDSquared), mod(new(big.Int).Sub(one, sq(d)))},
		{"D_MINUS_ONE_SQ = (d - 1)²", toBig(dMinusOneSquared), sq(new(big.Int).Sub(d, one))},
	}
	for _, c := range checks {
		if c.got.Cmp(c.want) != 0 {
			t.Errorf("%s: got %v want %v", c.name, c.got, c.want)
		}
	}
}
