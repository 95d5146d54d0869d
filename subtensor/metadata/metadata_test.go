package metadata

import (
	"testing"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

func TestDecodeRealMetadata(t *testing.T) {
	for _, n := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		mat := fixture.Load(t, n)
		m, err := Decode(mat.Metadata)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		t.Logf("%s: v%d, %d types, %d pallets, ext v%d, %d signed extensions", n, m.Version, m.Types.Len(), len(m.Pallets), m.ExtrinsicVersion, len(m.SignedExtensions))
		for _, s := range m.SignedExtensions {
			t.Logf("  ext %s ty=%d add=%d", s.Identifier, s.Type, s.Additional)
		}
		for _, p := range m.Pallets {
			t.Logf("  pallet %d %s storage=%d", p.Index, p.Name, len(p.Storage))
		}
		t.Logf("addr=%d sig=%d call=%d", m.AddressType, m.SignatureType, m.CallType)
	}
}
