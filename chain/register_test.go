package chain

import (
	"fmt"
	"testing"

	"github.com/taonet/taonet/yuma"
)

func TestBurnedRegister(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.block()
	bob := addr(t, "Bob")
	b0 := e.s.Account(bob).Balance
	r := e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "BobHot")})
	if len(r.Events) != 1 || r.Events[0].Type != "neuron_registered" {
		t.Fatalf("events %+v", r.Events)
	}
	fee := e.s.Params().TxFee
	if got := e.s.Account(bob).Balance; got != b0-tao-fee {
		t.Fatalf("balance %d", got)
	}
	if e.s.Issuance().RegistrationBurned != tao {
		t.Fatal("burn not counted")
	}
	n, err := e.s.Neuron(net, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n.Hotkey != addr(t, "BobHot") || n.Coldkey != bob || n.BlockAtRegistration != 1 || n.LastUpdate != 1 || !n.Active {
		t.Fatalf("neuron %+v", n)
	}
	if e.s.Account(addr(t, "BobHot")).Owner != bob {
		t.Fatal("hotkey ownership not recorded")
	}
	// Same hotkey may register on another subnet with the same coldkey.
	net2 := e.subnet("Charlie", "CharlieHot")
	e.ok("Bob", &BurnedRegister{Netuid: net2, Hotkey: addr(t, "BobHot")})
	e.checkIssuance()
}

func TestBurnedRegisterRejections(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.hp(net, func(h *Hyperparams) { h.MaxRegsPerBlock = 2; h.TargetRegsPerInterval = 1 })
	e.block()
	e.reject("Bob", &BurnedRegister{Netuid: net, Hotkey: "bad"}, CodeInvalidAddress)
	e.reject("Bob", &BurnedRegister{Netuid: 77, Hotkey: addr(t, "BobHot")}, CodeSubnetNotFound)
	e.reject("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "AliceHot")}, CodeHotkeyAlreadyRegistered)
	e.reject("Zed", &BurnedRegister{Netuid: net, Hotkey: addr(t, "ZedHot")}, CodeInsufficientBalance)
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "BobHot")})
	e.reject("Charlie", &BurnedRegister{Netuid: net, Hotkey: addr(t, "BobHot")}, CodeHotkeyAlreadyRegistered)
	net2 := e.subnet("Dave", "DaveHot")
	e.reject("Charlie", &BurnedRegister{Netuid: net2, Hotkey: addr(t, "BobHot")}, CodeNonAssociatedColdkey)
	e.ok("Charlie", &BurnedRegister{Netuid: net, Hotkey: addr(t, "CharlieHot")})
	e.reject("Dave", &BurnedRegister{Netuid: net, Hotkey: addr(t, "DaveHot2")}, CodeTooManyRegistrationsBlock)
	e.block()
	e.ok("Dave", &BurnedRegister{Netuid: net, Hotkey: addr(t, "DaveHot2")})
	// 3 registrations = 3 × target this interval.
	e.block()
	e.reject("Eve", &BurnedRegister{Netuid: net, Hotkey: addr(t, "EveHot")}, CodeTooManyRegistrationsInterv)
	e.hp(net, func(h *Hyperparams) { h.RegistrationAllowed = false })
	e.reject("Eve", &BurnedRegister{Netuid: net, Hotkey: addr(t, "EveHot")}, CodeRegistrationDisabled)
}

func TestPruningReplacesLowestNonImmune(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.hp(net, func(h *Hyperparams) { h.MaxAllowedUids = 4; h.ImmunityPeriod = 5; h.Tempo = 0 })
	for _, n := range []string{"H1", "H2", "H3"} {
		e.block()
		e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, n)})
	}
	sn := e.s.subnets[net]
	// uids 1..3 registered at blocks 1..3. Give pruning scores (as an epoch would).
	sn.neurons[0].pruning = 0 // the owner: never pruned
	sn.neurons[1].pruning = 500
	sn.neurons[2].pruning = 100
	sn.neurons[3].pruning = 100
	// At block 4 all three are immune (4−1 < 5): the lowest among immune, ties by
	// earlier registration: uid 2.
	e.block()
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "H4")})
	if uid, _ := e.s.UID(net, addr(t, "H4")); uid != 2 {
		t.Fatalf("H4 got uid %d, want 2", uid)
	}
	if _, ok := e.s.UID(net, addr(t, "H2")); ok {
		t.Fatal("pruned hotkey still registered")
	}
	if sn.neurons[2].pruning != 0xffff || sn.neurons[2].regBlock != 4 {
		t.Fatalf("replaced neuron %+v", *sn.neurons[2])
	}
	// Move on so uid 1 and 3 are out of immunity; uid 3 (100) beats uid 1 (500).
	e.blocks(4) // block 8: uid1 reg 1, uid3 reg 3 non-immune; uid2 reg 4 immune (8−4 < 5)
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "H5")})
	if uid, _ := e.s.UID(net, addr(t, "H5")); uid != 3 {
		t.Fatalf("H5 got uid %d, want 3", uid)
	}
	// Equal scores among non-immune: earlier registration first, then lower uid.
	e.blocks(10)
	for _, n := range sn.neurons {
		n.pruning = 7
	}
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "H6")})
	if uid, _ := e.s.UID(net, addr(t, "H6")); uid != 1 {
		t.Fatalf("H6 got uid %d, want 1 (registered earliest)", uid)
	}
	if uid, _ := e.s.UID(net, addr(t, "AliceHot")); uid != 0 {
		t.Fatal("owner hotkey lost its uid")
	}
	e.checkIssuance()
}

func TestPruningClearsTheUid(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.hp(net, func(h *Hyperparams) { h.MaxAllowedUids = 3; h.ImmunityPeriod = 1; h.Tempo = 0 })
	e.block()
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "V")})
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "M")})
	sn := e.s.subnets[net]
	sn.neurons[1].permit = true
	e.block()
	e.ok("V", &SetWeights{Netuid: net, UIDs: []uint16{1, 2}, Values: []uint16{1, 1}})
	e.ok("M", &ServeAxon{Netuid: net, Version: 1, IP: [16]byte{12: 8, 13: 8, 14: 8, 15: 8}, Port: 1, IPType: 4})
	sn.neurons[2].bonds = nil
	sn.neurons[1].bonds = []yuma.Entry{{UID: 2, Value: 9}}
	sn.neurons[1].pruning, sn.neurons[2].pruning = 10, 1
	sn.neurons[2].weights = []yuma.Entry{{UID: 1, Value: 65535}}
	e.block()
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "New")})
	n := sn.neurons[2]
	if n.hotkey != addr(t, "New") || n.weights != nil || n.bonds != nil || n.axon != nil || n.permit || n.emission != 0 {
		t.Fatalf("uid 2 not cleared: %+v", *n)
	}
	if w := sn.neurons[1].weights; len(w) != 2 || w[1].UID != 2 || w[1].Value != 0 || w[0].Value != 65535 {
		t.Fatalf("weights on the pruned uid not zeroed: %+v", w)
	}
}

func TestNoNeuronAvailable(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.hp(net, func(h *Hyperparams) { h.MaxAllowedUids = 1 })
	e.reject("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "BobHot")}, CodeNoNeuronIDAvailable)
}

func TestUpgradedBurn(t *testing.T) {
	const min, max = 100, 1_000_000
	cases := []struct {
		cur          uint64
		regs, target uint16
		alpha        uint64
		want         uint64
	}{
		{1000, 4, 2, 0, 1500},              // 1000·6/4
		{1000, 0, 2, 0, 500},               // halves when nobody registered
		{1000, 3, 2, 0, 1250},              // 1000·5/4
		{1001, 0, 2, 0, 500},               // 500.5 floors
		{150, 0, 2, 0, min},                // clamped to min
		{900_000, 6, 2, 0, max},            // clamped to max
		{1000, 4, 2, ^uint64(0), 1000},     // α = u64::MAX/u64::MAX = 1 exactly: unchanged
		{1000, 4, 2, ^uint64(0) / 2, 1250}, // α_raw = 2^17−1: (131071·1000 + 131073·1500)/2^18 = 1250.0019
	}
	for _, c := range cases {
		if got := upgradedBurn(c.cur, c.regs, c.target, c.alpha, min, max); got != c.want {
			t.Errorf("upgradedBurn(%d, %d, %d, %d) = %d, want %d", c.cur, c.regs, c.target, c.alpha, got, c.want)
		}
	}
}

func TestBurnAdjustmentSchedule(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot") // created at block 0
	e.hp(net, func(h *Hyperparams) {
		h.AdjustmentInterval = 10
		h.TargetRegsPerInterval = 1
		h.Burn = 8 * tao
		h.MinBurn = tao / 2
		h.MaxBurn = 100 * tao
	})
	burn := func() uint64 { hp, _ := e.s.Hyperparameters(net); return hp.Burn }
	e.blocks(9)
	if burn() != 8*tao {
		t.Fatal("adjusted before the interval elapsed")
	}
	e.block() // block 10: no registrations → halve
	if burn() != 4*tao {
		t.Fatalf("burn %d after an empty interval", burn())
	}
	for i, n := range []string{"A1", "A2", "A3"} {
		e.block()
		e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, fmt.Sprint(n, i))})
	}
	e.blocks(7) // block 20: 3 registrations, target 1 → ×(3+1)/2
	if burn() != 8*tao {
		t.Fatalf("burn %d after a busy interval", burn())
	}
	e.block()
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "B1")})
	e.blocks(9) // block 30: 1 registration = target → burn unchanged (only PoW difficulty would move)
	if burn() != 8*tao {
		t.Fatalf("burn %d after an on-target interval", burn())
	}
}
