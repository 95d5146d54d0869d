package chain

import (
	"bytes"
	"testing"

	"github.com/taonet/taonet/yuma"
)

func TestSetCommitment(t *testing.T) {
	e, net := weightsEnv(t)
	text := "acme:tiny-model:0123456789abcdef0123456789abcdef01234567:hash:1"
	e.ok("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldRaw, Data: []byte(text)}}})
	cs := e.s.Commitments(net)
	if len(cs) != 1 || cs[0].Text != text || cs[0].Block != 2 || cs[0].UID != 2 || cs[0].Hotkey != addr(t, "M1") {
		t.Fatalf("commitments %+v", cs)
	}
	e.block()
	e.ok("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldBigRaw, Data: bytes.Repeat([]byte("x"), 512)},
		{Kind: FieldSha256, Data: make([]byte, 32)}, {Kind: FieldNone}}})
	cs = e.s.Commitments(net)
	if len(cs[0].Fields) != 3 || cs[0].Block != 3 || len(cs[0].Text) != 512 {
		t.Fatalf("second commitment %+v", cs[0])
	}
	if len(e.s.Commitments(99)) != 0 {
		t.Fatal("commitments of a missing subnet")
	}
}

func TestSetCommitmentRejections(t *testing.T) {
	e, net := weightsEnv(t)
	raw := func(n int) CommitmentField {
		return CommitmentField{Kind: FieldRaw, Data: bytes.Repeat([]byte("a"), n)}
	}
	e.reject("M1", &SetCommitment{Netuid: 9, Fields: []CommitmentField{raw(1)}}, CodeSubnetNotFound)
	e.reject("Nobody", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(1)}}, CodeHotkeyNotRegistered)
	e.reject("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(129)}}, CodeInvalidCommitmentField)
	e.reject("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldKeccak256, Data: make([]byte, 31)}}}, CodeInvalidCommitmentField)
	e.reject("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldNone, Data: []byte{1}}}}, CodeInvalidCommitmentField)
	e.reject("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: 42}}}, CodeUnsupportedCommitmentField)
	// Space limit: 3100 bytes per epoch, each commitment counts at least 100.
	e.hp(net, func(h *Hyperparams) { h.CommitmentMaxSpace = 250 })
	e.ok("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(1)}})   // 100
	e.ok("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(128)}}) // 228
	e.reject("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(1)}}, CodeSpaceLimitExceeded)
	e.ok("M2", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(1)}}) // per account
	e.blocks(8)                                                                // block 10: next epoch index
	e.ok("M1", &SetCommitment{Netuid: net, Fields: []CommitmentField{raw(1)}})
}

func TestCommitmentResetsBonds(t *testing.T) {
	e, net := weightsEnv(t)
	sn := e.s.subnets[net]
	sn.neurons[1].bonds = []yuma.Entry{{UID: 2, Value: 100}, {UID: 3, Value: 200}}
	reset := &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldResetBondsFlag}}}
	e.ok("M1", reset)
	if len(sn.neurons[1].bonds) != 2 {
		t.Fatal("bonds reset while bonds_reset_enabled is off")
	}
	e.hp(net, func(h *Hyperparams) { h.BondsResetEnabled = true })
	e.block()
	e.ok("M1", reset)
	if b := sn.neurons[1].bonds; len(b) != 1 || b[0].UID != 3 {
		t.Fatalf("bonds after reset %+v", b)
	}
}

func TestServeAxon(t *testing.T) {
	e, net := weightsEnv(t)
	ip, typ, err := AxonIP("203.0.113.7")
	if err != nil || typ != 4 {
		t.Fatal(err)
	}
	e.ok("M1", &ServeAxon{Netuid: net, Version: 7002000, IP: ip, Port: 8091, IPType: typ, Protocol: 4})
	m, _ := e.s.Metagraph(net)
	a := m.Axons[2]
	if a.IP != "203.0.113.7" || a.Port != 8091 || a.IPType != 4 || a.Version != 7002000 || a.Protocol != 4 || a.Block != 2 ||
		a.Hotkey != addr(t, "M1") || a.Coldkey != addr(t, "Bob") {
		t.Fatalf("axon %+v", a)
	}
	if m.Axons[3].IP != "0.0.0.0" {
		t.Fatal("unserved axon must read 0.0.0.0")
	}
	ip6, typ6, _ := AxonIP("2001:db8::1")
	e.ok("M2", &ServeAxon{Netuid: net, IP: ip6, Port: 1, IPType: typ6})
	if n, _ := e.s.Neuron(net, 3); n.Axon.IP != "2001:db8::1" {
		t.Fatalf("ipv6 axon %+v", n.Axon)
	}
	zero, _, _ := AxonIP("0.0.0.0")
	// Upstream allows 0 for axons; taonet refuses it unless local IPs are allowed.
	e.reject("V", &ServeAxon{Netuid: net, IP: zero, Port: 1, IPType: 4}, CodeInvalidIPAddress)
	if _, _, err := AxonIP("not an ip"); err == nil {
		t.Fatal("AxonIP accepted garbage")
	}
}

func TestServeAxonRejections(t *testing.T) {
	e, net := weightsEnv(t)
	ip, _, _ := AxonIP("10.1.2.3")
	lo, _, _ := AxonIP("127.0.0.1")
	lo6, _, _ := AxonIP("::1")
	var ones [16]byte
	for i := range ones {
		ones[i] = 0xff
	}
	v4max := [16]byte{12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}
	big := [16]byte{11: 1}
	ax := func(ip [16]byte, typ uint8, port uint16) *ServeAxon {
		return &ServeAxon{Netuid: net, IP: ip, IPType: typ, Port: port}
	}
	e.reject("M1", &ServeAxon{Netuid: 9, IP: ip, IPType: 4, Port: 1}, CodeSubnetNotFound)
	e.reject("Nobody", ax(ip, 4, 1), CodeHotkeyNotRegistered)
	e.reject("M1", ax(ip, 5, 0), CodeInvalidIPType)
	e.reject("M1", ax(lo, 4, 0), CodeInvalidIPAddress)
	e.reject("M1", ax(lo6, 6, 1), CodeInvalidIPAddress)
	e.reject("M1", ax(v4max, 4, 1), CodeInvalidIPAddress)
	e.reject("M1", ax(big, 4, 1), CodeInvalidIPAddress)
	e.reject("M1", ax(ones, 6, 1), CodeInvalidIPAddress)
	// The whole loopback range, the unspecified addresses and IPv4-mapped
	// forms of both (sent raw as ip_type 6), not only 127.0.0.1 and ::1.
	mapped := func(a, b, c, d byte) [16]byte { return [16]byte{10: 0xff, 11: 0xff, 12: a, 13: b, 14: c, 15: d} }
	for _, bad := range []struct {
		ip  [16]byte
		typ uint8
	}{
		{v4(t, "127.0.0.2"), 4}, {v4(t, "127.255.255.254"), 4}, {v4(t, "0.0.0.0"), 4}, {[16]byte{}, 6},
		{mapped(127, 0, 0, 1), 6}, {mapped(127, 0, 0, 2), 6}, {mapped(0, 0, 0, 0), 6},
	} {
		e.reject("M1", ax(bad.ip, bad.typ, 1), CodeInvalidIPAddress)
	}
	e.hp(net, func(h *Hyperparams) { h.ServingRateLimit = 5 })
	e.ok("M1", ax(ip, 4, 1))
	e.reject("M1", ax(ip, 4, 0), CodeServingRateLimitExceeded)
	e.reject("M2", ax(ip, 4, 0), CodeInvalidPort)
	e.blocks(5)
	e.ok("M1", ax(ip, 4, 2))

	// A localnet genesis allows loopback axons.
	e2 := newEnv(t, func(g *Genesis) { g.AllowLocalAxonIPs = true })
	n2 := e2.subnet("Alice", "AliceHot")
	e2.ok("AliceHot", &ServeAxon{Netuid: n2, IP: lo, IPType: 4, Port: 8091})
	if n, _ := e2.s.Neuron(n2, 0); n.Axon.IP != "127.0.0.1" {
		t.Fatalf("loopback axon %+v", n.Axon)
	}
	e2.ok("AliceHot", &ServeAxon{Netuid: n2, IP: v4(t, "127.0.0.2"), IPType: 4, Port: 8091})
}

// TestServeAxonPrivateRangesAllowed: private (LAN) addresses stay valid, as
// upstream, whose private-range exclusion was never implemented.
func TestServeAxonPrivateRangesAllowed(t *testing.T) {
	e, net := weightsEnv(t)
	for i, a := range []string{"10.0.0.1", "172.16.5.4", "192.168.1.20", "fd00::1"} {
		ip, typ, err := AxonIP(a)
		if err != nil {
			t.Fatal(err)
		}
		e.ok([]string{"M1", "M2", "V", "M1"}[i], &ServeAxon{Netuid: net, IP: ip, IPType: typ, Port: 8091})
		e.blocks(1)
	}
}

func v4(t *testing.T, s string) [16]byte {
	t.Helper()
	ip, typ, err := AxonIP(s)
	if err != nil || typ != 4 {
		t.Fatalf("AxonIP(%s): %v %d", s, err, typ)
	}
	return ip
}
