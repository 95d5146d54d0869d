package substratetest

import (
	"encoding/binary"
	"fmt"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/scale"
)

// verifyLocked decodes a signed v4 extrinsic with the current metadata,
// rebuilds its signing payload and checks signature and nonce. It returns
// the decoded call, or a rejection reason as a node words it.
func (s *Server) verifyLocked(raw []byte) (*Call, []byte, string) {
	m := s.rt.meta
	d := scale.NewDecoder(raw)
	n, err := d.Len(1)
	if err != nil || n != d.Remaining() {
		return nil, nil, "Could not decode extrinsic: bad length prefix"
	}
	ver, _ := d.U8()
	if ver != 0x84 {
		return nil, nil, fmt.Sprintf("Could not decode extrinsic: version byte %#x, want signed v4 0x84", ver)
	}
	addr, err := m.DecodeValue(m.AddressType, d)
	if err != nil {
		return nil, nil, "Could not decode address: " + err.Error()
	}
	av, ok := addr.(*metadata.VariantValue)
	if !ok || av.Name != "Id" {
		return nil, nil, "only MultiAddress::Id senders are scripted"
	}
	pubB, _ := metadata.AsBytes(av.Fields[0].Value)
	sigV, err := m.DecodeValue(m.SignatureType, d)
	if err != nil {
		return nil, nil, "Could not decode signature: " + err.Error()
	}
	sv, ok := sigV.(*metadata.VariantValue)
	if !ok || sv.Name != "Sr25519" {
		return nil, nil, "only sr25519 signatures are scripted"
	}
	sig, _ := metadata.AsBytes(sv.Fields[0].Value)
	extraStart := d.Offset()
	var nonce uint64
	var eraRaw []byte
	for _, ext := range m.SignedExtensions {
		start := d.Offset()
		v, err := m.DecodeValue(ext.Type, d)
		if err != nil {
			return nil, nil, fmt.Sprintf("Could not decode %s: %v", ext.Identifier, err)
		}
		switch ext.Identifier {
		case "CheckNonce":
			nonce, _ = metadata.AsUint64(v)
		case "CheckMortality":
			eraRaw = raw[start:d.Offset()]
		case "CheckMetadataHash":
			if raw[start] != 0 {
				return nil, nil, "CheckMetadataHash mode Enabled is not scripted"
			}
		}
	}
	extra := raw[extraStart:d.Offset()]
	callBytes := raw[d.Offset():]
	callV, err := m.DecodeAll(m.CallType, callBytes)
	if err != nil {
		return nil, nil, "Could not decode call: " + err.Error()
	}
	additional, reason := s.additionalLocked(m, eraRaw)
	if reason != "" {
		return nil, nil, reason
	}
	payload := append(append(append([]byte(nil), callBytes...), extra...), additional...)
	if len(payload) > 256 {
		payload = metadata.Blake2(payload, 32)
	}
	pub := [32]byte(pubB)
	if !keys.Verify(pub, payload, sig) {
		return nil, nil, "Transaction has a bad signature"
	}
	if want := s.nonces[pub]; nonce < want {
		return nil, nil, fmt.Sprintf("Transaction is outdated (nonce %d, account is at %d)", nonce, want)
	} else if nonce > want {
		return nil, nil, fmt.Sprintf("Transaction will be valid in the future (nonce %d, account is at %d)", nonce, want)
	}
	outer := callV.(*metadata.VariantValue)
	inner := outer.Fields[0].Value.(*metadata.VariantValue)
	return &Call{Signer: keys.SS58Encode(pub), Pallet: outer.Name, Name: inner.Name, Args: inner, Nonce: nonce}, callBytes, ""
}

// additionalLocked is the signed-only data of each extension, from the
// server's own chain state (spec/tx version, genesis, the era's birth block).
func (s *Server) additionalLocked(m *metadata.Metadata, eraRaw []byte) ([]byte, string) {
	var out []byte
	for _, ext := range m.SignedExtensions {
		switch ext.Identifier {
		case "CheckSpecVersion":
			out = binary.LittleEndian.AppendUint32(out, s.rt.SpecVersion)
		case "CheckTxVersion":
			out = binary.LittleEndian.AppendUint32(out, s.rt.TxVersion)
		case "CheckGenesis":
			out = append(out, s.genesis[:]...)
		case "CheckMortality":
			h, reason := s.birthHashLocked(eraRaw)
			if reason != "" {
				return nil, reason
			}
			out = append(out, h[:]...)
		case "CheckMetadataHash":
			out = append(out, 0) // Option::None
		}
	}
	return out, ""
}

func (s *Server) birthHashLocked(era []byte) ([32]byte, string) {
	if len(era) == 1 && era[0] == 0 {
		return s.genesis, ""
	}
	if len(era) != 2 {
		return [32]byte{}, "Could not decode era"
	}
	enc := uint64(binary.LittleEndian.Uint16(era))
	period := uint64(2) << (enc % 16)
	q := max(period>>12, 1)
	phase := (enc >> 4) * q
	current := s.blocks[len(s.blocks)-1].number
	birth := (max(current, phase)-phase)/period*period + phase
	if birth > current || birth >= uint64(len(s.blocks)) {
		return [32]byte{}, "Transaction has an ancient birth block"
	}
	return s.blocks[birth].hash, ""
}
