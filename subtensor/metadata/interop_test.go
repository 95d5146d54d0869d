package metadata

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/taonet/taonet/keys"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
)

// TestStorageKeysMatchPolkadotAPI: the keys we build for the storage items the
// backend reads (every hasher kind subtensor uses: Identity, Blake2_128Concat,
// Twox64Concat, double and triple maps, plain values) are byte-identical to
// @polkadot/api's StorageKey on the same metadata, and storage values
// @polkadot/api encodes decode to what was encoded.
func TestStorageKeysMatchPolkadotAPI(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	pk := alice.PublicKey()
	ss := alice.SS58Address()
	type kc struct {
		pallet, item string
		goKeys       []any
		jsKeys       []any
	}
	for _, net := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		m, err := Decode(fixture.Load(t, net).Metadata)
		if err != nil {
			t.Fatal(err)
		}
		cases := []kc{
			{"System", "Account", []any{pk}, []any{ss}},
			{"System", "Number", nil, []any{}},
			{"SubtensorModule", "Keys", []any{uint16(1), uint16(5)}, []any{1, 5}},
			{"SubtensorModule", "Weights", []any{uint16(3), uint16(700)}, []any{3, 700}},
			{"SubtensorModule", "Axons", []any{uint16(3), pk}, []any{3, ss}},
			{"SubtensorModule", "Owner", []any{pk}, []any{ss}},
			{"SubtensorModule", "Uids", []any{uint16(9), pk}, []any{9, ss}},
			{"Commitments", "CommitmentOf", []any{uint16(2), pk}, []any{2, ss}},
			{"SubtensorModule", "Tempo", []any{uint16(65535)}, []any{65535}},
		}
		if m.HasStorage("SubtensorModule", "Alpha") {
			cases = append(cases, kc{"SubtensorModule", "Alpha", []any{pk, pk, uint16(4)}, []any{ss, ss, 4}})
		}
		var reqs []map[string]any
		for _, c := range cases {
			reqs = append(reqs, map[string]any{"op": "storageKey", "net": string(net), "pallet": c.pallet, "item": c.item, "args": c.jsKeys})
		}
		ans := fixture.Polkadot(t, reqs)
		for i, c := range cases {
			ours, _, err := m.StorageKey(c.pallet, c.item, c.goKeys...)
			if err != nil {
				t.Fatalf("%s %s.%s: %v", net, c.pallet, c.item, err)
			}
			if theirs := fixture.Hex(t, ans[i]); !bytes.Equal(ours, theirs) {
				t.Errorf("%s %s.%s key\nours   %x\ntheirs %x", net, c.pallet, c.item, ours, theirs)
			}
		}
	}
}

// TestStorageValuesFromPolkadotAPI: values @polkadot/api encodes with the
// metadata's storage types decode to the same values in our decoder.
func TestStorageValuesFromPolkadotAPI(t *testing.T) {
	m, err := Decode(fixture.Load(t, fixture.Finney).Metadata)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := keys.FromURI("//Alice")
	reqs := []map[string]any{
		{"op": "encodeStorage", "net": "mainnet", "pallet": "System", "item": "Account", "value": map[string]any{
			"nonce": 7, "consumers": 1, "providers": 2, "sufficients": 0,
			"data": map[string]any{"free": "123456789012", "reserved": 5, "frozen": 9, "flags": "0x80000000000000000000000000000000"}}},
		{"op": "encodeStorage", "net": "mainnet", "pallet": "SubtensorModule", "item": "Weights", "value": [][]int{{0, 65535}, {3, 17}}},
		{"op": "encodeStorage", "net": "mainnet", "pallet": "SubtensorModule", "item": "Axons", "value": map[string]any{
			"block": 99, "version": 20501, "ip": "2130706433", "port": 8091, "ip_type": 4, "protocol": 4, "placeholder1": 0, "placeholder2": 0}},
		{"op": "encodeStorage", "net": "mainnet", "pallet": "Commitments", "item": "CommitmentOf", "value": map[string]any{
			"deposit": 0, "block": 1234, "info": map[string]any{"fields": []any{map[string]any{"Raw5": "0x68656c6c6f"}}}}},
		{"op": "encodeStorage", "net": "mainnet", "pallet": "SubtensorModule", "item": "Keys", "value": alice.SS58Address()},
	}
	ans := fixture.Polkadot(t, reqs)
	decode := func(i int, pallet, item string) Value {
		_, e, err := m.Storage(pallet, item)
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.DecodeStorage(e, fixture.Hex(t, ans[i]))
		if err != nil {
			t.Fatalf("%s.%s: %v", pallet, item, err)
		}
		return v
	}
	acct := decode(0, "System", "Account")
	data, _ := FieldOf(acct, "data")
	free, _ := FieldOf(data, "free")
	nonce, _ := FieldOf(acct, "nonce")
	if FormatUint(free) != "123456789012" || FormatUint(nonce) != "7" {
		t.Errorf("account: free %v nonce %v", free, nonce)
	}
	rows, _ := AsSlice(decode(1, "SubtensorModule", "Weights"))
	if len(rows) != 2 {
		t.Fatalf("weights rows %v", rows)
	}
	r1, _ := AsSlice(rows[1])
	if FormatUint(r1[0]) != "3" || FormatUint(r1[1]) != "17" {
		t.Errorf("weights row 1 = %v", r1)
	}
	ax := decode(2, "SubtensorModule", "Axons")
	ip, _ := FieldOf(ax, "ip")
	port, _ := FieldOf(ax, "port")
	if FormatUint(ip) != "2130706433" || FormatUint(port) != "8091" {
		t.Errorf("axon ip %v port %v", ip, port)
	}
	reg := decode(3, "Commitments", "CommitmentOf")
	info, _ := FieldOf(reg, "info")
	fields, _ := FieldOf(info, "fields")
	fs, _ := AsSlice(fields)
	if len(fs) != 1 {
		t.Fatalf("commitment fields %v", fields)
	}
	vv, ok := fs[0].(*VariantValue)
	if !ok || vv.Name != "Raw5" {
		t.Fatalf("field %#v", fs[0])
	}
	b, _ := AsBytes(vv.Fields[0].Value)
	if string(b) != "hello" {
		t.Errorf("commitment %q", b)
	}
	hk, _ := AsBytes(decode(4, "SubtensorModule", "Keys"))
	pk := alice.PublicKey()
	if hex.EncodeToString(hk) != hex.EncodeToString(pk[:]) {
		t.Errorf("keys value %x", hk)
	}
}
