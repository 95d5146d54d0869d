package extrinsic

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"

	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/scale"
)

// Call is an encoded runtime call and what it was built from.
type Call struct {
	Pallet, Name string
	Args         map[string]any
	Bytes        []byte // pallet index, call index, arguments
}

// EncodeCall encodes pallet.name with args given by the call's field names
// (as the metadata names them, e.g. "netuid", "dests"). Every field must be
// given and no other: a runtime whose call gained a field fails loudly.
func EncodeCall(m *metadata.Metadata, pallet, name string, args map[string]any) (*Call, error) {
	p, v, err := m.Call(pallet, name)
	if err != nil {
		return nil, err
	}
	e := &scale.Encoder{}
	e.U8(p.Index)
	e.U8(v.Index)
	for _, f := range v.Fields {
		a, ok := args[f.Name]
		if !ok {
			return nil, fmt.Errorf("extrinsic: %s.%s needs argument %q (%s) in this runtime", pallet, name, f.Name, f.TypeName)
		}
		if err := m.EncodeValue(e, f.Type, a); err != nil {
			return nil, fmt.Errorf("extrinsic: %s.%s argument %s: %w", pallet, name, f.Name, err)
		}
	}
	if len(args) != len(v.Fields) {
		for k := range args {
			if !hasField(v.Fields, k) {
				return nil, fmt.Errorf("extrinsic: %s.%s has no argument %q in this runtime", pallet, name, k)
			}
		}
	}
	return &Call{Pallet: pallet, Name: name, Args: args, Bytes: e.Bytes()}, nil
}

func hasField(fs []metadata.Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// HasArg reports whether the runtime's pallet.name takes argument arg (e.g.
// whether add_stake takes a netuid: dynamic TAO runtimes do).
func HasArg(m *metadata.Metadata, pallet, name, arg string) bool {
	_, v, err := m.Call(pallet, name)
	return err == nil && hasField(v.Fields, arg)
}

// Era is a transaction's validity window.
type Era struct {
	Immortal bool
	Period   uint64 // a power of two in 4..65536 after normalisation
	Phase    uint64
}

// MortalEra is the era of period blocks starting at block current, as
// substrate's Era::mortal computes it.
func MortalEra(current, period uint64) Era {
	p := uint64(1) << 16
	if period <= 1<<16 {
		p = 1
		for p < period {
			p <<= 1
		}
	}
	p = min(max(p, 4), 1<<16)
	phase := current % p
	q := max(p>>12, 1)
	return Era{Period: p, Phase: phase / q * q}
}

// Encode is the era's SCALE encoding (0x00 immortal, else two bytes).
func (e Era) Encode() []byte {
	if e.Immortal {
		return []byte{0}
	}
	q := max(e.Period>>12, 1)
	low := uint16(min(max(bits.TrailingZeros64(e.Period)-1, 1), 15))
	enc := low | uint16(e.Phase/q)<<4
	return []byte{byte(enc), byte(enc >> 8)}
}

// Birth is the first block of the era that contains current; its hash is
// what the CheckMortality extension signs.
func (e Era) Birth(current uint64) uint64 {
	if e.Immortal {
		return 0
	}
	return (max(current, e.Phase)-e.Phase)/e.Period*e.Period + e.Phase
}

// Params are the values the signed extensions take.
type Params struct {
	Nonce       uint64
	Tip         *big.Int // nil: 0
	Era         Era
	BlockHash   [32]byte // hash of the era's birth block (genesis for immortal)
	GenesisHash [32]byte
	SpecVersion uint32
	TxVersion   uint32
}

// Signer signs with an sr25519 key; *keys.Keypair satisfies it.
type Signer interface {
	PublicKey() [32]byte
	Sign(msg []byte) ([]byte, error)
}

// extras encodes the extension data carried in the extrinsic and the
// additional data only signed, in the metadata's order.
func extras(m *metadata.Metadata, p Params) (extra, additional []byte, err error) {
	var ex, ad scale.Encoder
	tip := p.Tip
	if tip == nil {
		tip = new(big.Int)
	}
	for _, s := range m.SignedExtensions {
		switch s.Identifier {
		case "CheckMortality", "CheckEra":
			ex.Raw(p.Era.Encode())
			err = m.EncodeValue(&ad, s.Additional, p.BlockHash)
		case "CheckNonce":
			err = m.EncodeValue(&ex, s.Type, p.Nonce)
		case "ChargeTransactionPayment":
			err = m.EncodeValue(&ex, s.Type, tip)
		case "ChargeAssetTxPayment":
			err = m.EncodeValue(&ex, s.Type, map[string]any{"tip": tip, "asset_id": nil})
		case "CheckSpecVersion":
			err = m.EncodeValue(&ad, s.Additional, p.SpecVersion)
		case "CheckTxVersion":
			err = m.EncodeValue(&ad, s.Additional, p.TxVersion)
		case "CheckGenesis":
			err = m.EncodeValue(&ad, s.Additional, p.GenesisHash)
		case "CheckMetadataHash":
			// Mode::Disabled in the extrinsic, Option::None signed: we do not
			// carry a metadata hash (no offline-signer device needs it).
			if err = m.EncodeValue(&ex, s.Type, map[string]any{"mode": "Disabled"}); err == nil {
				err = m.EncodeValue(&ad, s.Additional, nil)
			}
		default:
			if !zeroSized(m, s.Type) || !zeroSized(m, s.Additional) {
				err = fmt.Errorf("signed extension %s carries data this client does not know how to fill", s.Identifier)
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("extrinsic: signed extension %s: %w", s.Identifier, err)
		}
	}
	return ex.Bytes(), ad.Bytes(), nil
}

// zeroSized reports whether a type encodes to no bytes (unit structs and
// empty tuples, possibly nested): such extensions need nothing from us.
func zeroSized(m *metadata.Metadata, id uint32) bool {
	t, err := m.Types.Type(id)
	if err != nil {
		return false
	}
	switch t.Kind {
	case metadata.KindTuple:
		for _, x := range t.Tuple {
			if !zeroSized(m, x) {
				return false
			}
		}
		return true
	case metadata.KindComposite:
		for _, f := range t.Fields {
			if !zeroSized(m, f.Type) {
				return false
			}
		}
		return true
	case metadata.KindArray:
		return t.Len == 0 || zeroSized(m, t.Elem)
	}
	return false
}

// SigningPayload is what the signer signs: call ++ extra ++ additional,
// replaced by its blake2-256 hash when longer than 256 bytes.
func SigningPayload(m *metadata.Metadata, call []byte, p Params) ([]byte, error) {
	raw, err := RawPayload(m, call, p)
	if err != nil {
		return nil, err
	}
	if len(raw) > 256 {
		return metadata.Blake2(raw, 32), nil
	}
	return raw, nil
}

// RawPayload is call ++ extra ++ additional before the >256-byte hashing.
func RawPayload(m *metadata.Metadata, call []byte, p Params) ([]byte, error) {
	ex, ad, err := extras(m, p)
	if err != nil {
		return nil, err
	}
	out := append(append(append([]byte(nil), call...), ex...), ad...)
	return out, nil
}

// ErrVersion is returned for metadata whose extrinsic version we cannot build.
var ErrVersion = errors.New("extrinsic: only version 4 extrinsics are supported")

// Assemble builds the signed extrinsic from a signature made over the
// signing payload by the sr25519 key pub: compact length ++ 0x84 ++
// MultiAddress::Id(pub) ++ MultiSignature::Sr25519(sig) ++ extra ++ call.
func Assemble(m *metadata.Metadata, call []byte, p Params, pub [32]byte, sig []byte) ([]byte, error) {
	if m.ExtrinsicVersion != 4 {
		return nil, fmt.Errorf("%w (metadata says %d)", ErrVersion, m.ExtrinsicVersion)
	}
	if len(sig) != 64 {
		return nil, fmt.Errorf("extrinsic: sr25519 signature of %d bytes, want 64", len(sig))
	}
	ex, _, err := extras(m, p)
	if err != nil {
		return nil, err
	}
	var body scale.Encoder
	body.U8(0x80 | 4)
	if err := m.EncodeValue(&body, m.AddressType, &metadata.VariantValue{Name: "Id", Fields: []metadata.NamedValue{{Value: pub}}}); err != nil {
		return nil, fmt.Errorf("extrinsic: address: %w", err)
	}
	var sig64 [64]byte
	copy(sig64[:], sig)
	if err := m.EncodeValue(&body, m.SignatureType, &metadata.VariantValue{Name: "Sr25519", Fields: []metadata.NamedValue{{Value: sig64}}}); err != nil {
		return nil, fmt.Errorf("extrinsic: signature: %w", err)
	}
	body.Raw(ex)
	body.Raw(call)
	var out scale.Encoder
	out.ByteVec(body.Bytes())
	return out.Bytes(), nil
}

// Sign builds and signs the extrinsic for call with signer.
func Sign(m *metadata.Metadata, call []byte, p Params, s Signer) ([]byte, error) {
	payload, err := SigningPayload(m, call, p)
	if err != nil {
		return nil, err
	}
	sig, err := s.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("extrinsic: sign: %w", err)
	}
	return Assemble(m, call, p, s.PublicKey(), sig)
}

// RawData is the Commitments pallet's Data::Raw variant for b (the metadata
// names one variant per length: Raw0 ... Raw128).
func RawData(b []byte) *metadata.VariantValue {
	return &metadata.VariantValue{Name: fmt.Sprintf("Raw%d", len(b)), Fields: []metadata.NamedValue{{Value: b}}}
}
