package chain

import (
	"bytes"
	"reflect"
	"testing"
)

func allCalls(t testing.TB) []Call {
	return []Call{
		&Transfer{Dest: addr(t, "Bob"), Amount: 5},
		&CreateSubnet{Hotkey: addr(t, "AliceHot")},
		&SetHyperparameter{Netuid: 3, Name: "immunity_period", Value: 77},
		&BurnedRegister{Netuid: 1, Hotkey: addr(t, "BobHot")},
		&AddStake{Hotkey: addr(t, "BobHot"), Amount: 9},
		&RemoveStake{Hotkey: addr(t, "BobHot"), Amount: 4},
		&SetWeights{Netuid: 1, UIDs: []uint16{0, 2}, Values: []uint16{1, 65535}, VersionKey: 7},
		&CommitWeights{Netuid: 2, Hash: [32]byte{1, 2, 3, 31: 9}},
		&RevealWeights{Netuid: 2, UIDs: []uint16{1}, Values: []uint16{3}, Salt: []uint16{9, 8}, VersionKey: 1},
		&SetCommitment{Netuid: 1, Fields: []CommitmentField{{Kind: FieldRaw, Data: []byte("ns:name:abc")}, {Kind: FieldSha256, Data: make([]byte, 32)}}},
		&ServeAxon{Netuid: 1, Version: 900, IP: [16]byte{12: 10, 13: 0, 14: 0, 15: 7}, Port: 8091, IPType: 4, Protocol: 4},
		&AddStakeLimit{Hotkey: addr(t, "BobHot"), Netuid: 1, Amount: 3 * tao, LimitPrice: 2 * tao, AllowPartial: true},
		&RemoveStakeLimit{Hotkey: addr(t, "BobHot"), Netuid: 0, Amount: 7},
		&MoveStake{OriginHotkey: addr(t, "BobHot"), DestHotkey: addr(t, "AliceHot"), OriginNetuid: 1, DestNetuid: 2, Amount: 5},
		&TransferStake{DestColdkey: addr(t, "Bob"), Hotkey: addr(t, "BobHot"), OriginNetuid: 2, DestNetuid: 2, Amount: 6},
		&SwapStake{Hotkey: addr(t, "BobHot"), OriginNetuid: 0, DestNetuid: 1, Amount: 8},
		&DecreaseTake{Hotkey: addr(t, "BobHot"), Take: 5},
		&IncreaseTake{Hotkey: addr(t, "BobHot"), Take: 11_796},
	}
}

func TestTxRoundTripEveryCall(t *testing.T) {
	k := devKey(t, "Alice")
	for _, c := range allCalls(t) {
		tx := NewTx(k.SS58Address(), 42, c)
		if err := tx.Sign(k); err != nil {
			t.Fatal(err)
		}
		raw := tx.Encode()
		got, err := DecodeTx(raw)
		if err != nil {
			t.Fatalf("%s: %v", c.CallName(), err)
		}
		if !reflect.DeepEqual(got, tx) {
			t.Fatalf("%s: round trip\n got %+v\nwant %+v", c.CallName(), got, tx)
		}
		if !bytes.Equal(got.Encode(), raw) {
			t.Fatalf("%s: re-encoding differs", c.CallName())
		}
	}
}

func TestDecodeTxRejects(t *testing.T) {
	k := devKey(t, "Alice")
	tx := NewTx(k.SS58Address(), 1, &Transfer{Dest: addr(t, "Bob"), Amount: 5})
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	good := tx.Encode()
	unsigned := NewTx(k.SS58Address(), 1, &Transfer{Dest: addr(t, "Bob"), Amount: 5}).Encode()
	badVersion := append([]byte{2}, good[1:]...)
	unknownCall := append([]byte(nil), good...)
	unknownCall[1+2+len(tx.ChainID)+2+len(tx.Signer)+8] = 99
	cases := map[string][]byte{
		"empty":          nil,
		"truncated":      good[:len(good)-1],
		"trailing":       append(append([]byte(nil), good...), 0),
		"unsigned":       unsigned,
		"bad version":    badVersion,
		"unknown call":   unknownCall,
		"too large":      make([]byte, maxTxSize+1),
		"huge count":     append(good[:1+2+len(tx.ChainID)+2+len(tx.Signer)+8], 7, 0xff, 0xff, 0xff, 0xff),
		"only a version": {1},
	}
	for name, raw := range cases {
		if _, err := DecodeTx(raw); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	// Trailing bytes inside a call body are rejected too.
	var w writer
	w.u8(txVersion)
	w.str("c")
	w.str(k.SS58Address())
	w.u64(0)
	w.u8(uint8(CallCreateSubnet))
	w.bytes32(append([]byte{0, 1, 'x'}, 0))
	w.u16(64)
	w.b = append(w.b, make([]byte, 64)...)
	if _, err := DecodeTx(w.b); err == nil {
		t.Error("call body with trailing byte decoded")
	}
}

func TestSignRejectsWrongSigner(t *testing.T) {
	tx := NewTx(addr(t, "Alice"), 0, &Transfer{Dest: addr(t, "Bob"), Amount: 1})
	if err := tx.Sign(devKey(t, "Bob")); err == nil {
		t.Fatal("signing with another key succeeded")
	}
	if err := (&Tx{Signer: addr(t, "Alice")}).Sign(devKey(t, "Alice")); err == nil {
		t.Fatal("signing a transaction without a call succeeded")
	}
}

func FuzzDecodeTx(f *testing.F) {
	k := devKey(f, "Alice")
	for _, c := range allCalls(f) {
		tx := NewTx(k.SS58Address(), 3, c)
		if err := tx.Sign(k); err != nil {
			f.Fatal(err)
		}
		f.Add(tx.Encode())
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := DecodeTx(raw)
		if err != nil {
			return
		}
		// Canonical: whatever decodes re-encodes to the same bytes.
		if !bytes.Equal(tx.Encode(), raw) {
			t.Fatalf("non-canonical encoding accepted: %x", raw)
		}
		// And a state given it never panics.
		s, _ := NewState(Genesis{ChainID: tx.ChainID + "x", MaxSubnets: 1, SubnetDefaults: DefaultSubnetHyperparams()})
		if s != nil {
			_ = s.DeliverTx(raw)
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	e := newEnv(f, nil)
	net := e.subnet("Alice", "AliceHot")
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(f, "BobHot")})
	e.ok("Alice", &AddStake{Hotkey: addr(f, "AliceHot"), Amount: tao})
	e.blocks(12)
	f.Add(e.s.Encode())
	d := dtaoEnv(f)
	d.ok("Charlie", &AddStakeLimit{Hotkey: addr(f, "AliceHot"), Netuid: 1, Amount: 2 * tao})
	d.ok("Charlie", &AddStakeLimit{Hotkey: addr(f, "AliceHot"), Netuid: 0, Amount: 2 * tao})
	d.blocks(12)
	f.Add(d.s.Encode())
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := DecodeState(raw)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to a state that decodes to the
		// same app hash: nodes that restart from disk must agree.
		h := s.AppHash()
		_ = s.Issuance()
		again, err := DecodeState(s.Encode())
		if err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		if !bytes.Equal(again.AppHash(), h) {
			t.Fatalf("app hash changed across encode/decode")
		}
	})
}
