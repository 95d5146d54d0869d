package chain

import (
	"testing"
)

func TestTransfer(t *testing.T) {
	e := newEnv(t, nil)
	alice, bob := addr(t, "Alice"), addr(t, "Bob")
	r := e.ok("Alice", &Transfer{Dest: bob, Amount: 7 * tao})
	fee := e.s.Params().TxFee
	if r.Fee != fee || fee == 0 {
		t.Fatalf("fee %d, want %d", r.Fee, fee)
	}
	if got := e.s.Account(alice); got.Balance != 10_000*tao-7*tao-fee || got.Nonce != 1 {
		t.Fatalf("alice %+v", got)
	}
	if got := e.s.Account(bob).Balance; got != 10_007*tao {
		t.Fatalf("bob balance %d", got)
	}
	if e.s.Issuance().FeesBurned != fee {
		t.Fatalf("fee not burned: %+v", e.s.Issuance())
	}
	// A fresh account can receive.
	e.ok("Alice", &Transfer{Dest: addr(t, "Zed"), Amount: 1})
	e.checkIssuance()
}

func TestTransferRejections(t *testing.T) {
	e := newEnv(t, nil)
	bal := e.s.Account(addr(t, "Alice")).Balance
	fee := e.s.Params().TxFee
	e.reject("Alice", &Transfer{Dest: "not-an-address", Amount: 1}, CodeInvalidAddress)
	e.reject("Alice", &Transfer{Dest: addr(t, "Bob"), Amount: 0}, CodeInvalidAmount)
	e.reject("Alice", &Transfer{Dest: addr(t, "Bob"), Amount: bal - fee + 1}, CodeInsufficientBalance)
	e.reject("Alice", &Transfer{Dest: addr(t, "Bob"), Amount: ^uint64(0)}, CodeInsufficientBalance)
	e.ok("Alice", &Transfer{Dest: addr(t, "Bob"), Amount: bal - fee}) // exactly everything
	// An unfunded account cannot pay the fee.
	e.reject("Zed", &Transfer{Dest: addr(t, "Bob"), Amount: 1}, CodeInsufficientBalance)
}

func TestEnvelopeRejections(t *testing.T) {
	e := newEnv(t, nil)
	k := devKey(t, "Alice")
	call := &Transfer{Dest: addr(t, "Bob"), Amount: 1}
	mk := func(mut func(*Tx)) []byte {
		tx := NewTx(k.SS58Address(), 0, call)
		tx.ChainID = e.s.ChainID()
		mut(tx)
		if err := tx.Sign(k); err != nil {
			t.Fatal(err)
		}
		return tx.Encode()
	}
	check := func(name string, raw []byte, code uint32) {
		t.Helper()
		before := e.s.Encode()
		r := e.s.DeliverTx(raw)
		if r.Code != code || r.Log == "" {
			t.Fatalf("%s: code %d (%s), want %d", name, r.Code, r.Log, code)
		}
		if string(before) != string(e.s.Encode()) {
			t.Fatalf("%s: state changed", name)
		}
	}
	check("garbage", []byte{1, 2, 3}, CodeDecode)
	check("wrong chain", mk(func(tx *Tx) { tx.ChainID = "other-chain" }), CodeWrongChain)
	check("future nonce", mk(func(tx *Tx) { tx.Nonce = 1 }), CodeBadNonce)
	tampered := mk(func(*Tx) {})
	tampered[len(tampered)-1] ^= 1
	check("tampered signature", tampered, CodeBadSignature)
	// A valid signature over other fields (signed as Bob, claiming Alice).
	tx := NewTx(addr(t, "Bob"), 0, call)
	tx.ChainID = e.s.ChainID()
	if err := tx.Sign(devKey(t, "Bob")); err != nil {
		t.Fatal(err)
	}
	tx.Signer = k.SS58Address()
	check("signature of another key", tx.Encode(), CodeBadSignature)
	// Replay: the same bytes twice.
	raw := mk(func(*Tx) {})
	if r := e.s.DeliverTx(raw); r.Code != CodeOK {
		t.Fatal(r.Log)
	}
	check("replay", raw, CodeBadNonce)
	// CheckTx applies too: consecutive nonces pass on the check state.
	c := e.s.Clone()
	for n := uint64(1); n <= 3; n++ {
		tx := NewTx(k.SS58Address(), n, call)
		tx.ChainID = e.s.ChainID()
		_ = tx.Sign(k)
		if r := c.CheckTx(tx.Encode()); r.Code != CodeOK {
			t.Fatalf("CheckTx nonce %d: %s", n, r.Log)
		}
	}
	if e.s.Account(k.SS58Address()).Nonce != 1 || c.Account(k.SS58Address()).Nonce != 4 {
		t.Fatal("clone is not independent")
	}
}

func TestStake(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	hot := addr(t, "AliceHot")
	fee := e.s.Params().TxFee
	b0 := e.s.Account(addr(t, "Bob")).Balance
	e.ok("Bob", &AddStake{Hotkey: hot, Amount: 50 * tao}) // nominating someone else's hotkey
	e.ok("Alice", &AddStake{Hotkey: hot, Amount: 20 * tao})
	if got := e.s.Stake(hot, addr(t, "Bob")); got != 50*tao {
		t.Fatalf("stake %d", got)
	}
	if got := e.s.Account(hot).HotkeyStake; got != 70*tao {
		t.Fatalf("hotkey stake %d", got)
	}
	m, _ := e.s.Metagraph(net)
	if m.Stake[0] != 70*tao {
		t.Fatalf("metagraph stake %v", m.Stake)
	}
	e.ok("Bob", &RemoveStake{Hotkey: hot, Amount: 50 * tao})
	if got := e.s.Account(addr(t, "Bob")).Balance; got != b0-2*fee {
		t.Fatalf("bob balance %d, want %d", got, b0-2*fee)
	}
	if got := len(e.s.Account(addr(t, "Bob")).Stakes); got != 0 {
		t.Fatalf("empty stake entry kept: %d", got)
	}
	e.checkIssuance()

	e.reject("Bob", &AddStake{Hotkey: "bad", Amount: 1}, CodeInvalidAddress)
	e.reject("Bob", &AddStake{Hotkey: hot, Amount: 0}, CodeInvalidAmount)
	e.reject("Bob", &AddStake{Hotkey: addr(t, "Nobody"), Amount: 1}, CodeHotkeyAccountNotExists)
	e.reject("Bob", &AddStake{Hotkey: hot, Amount: b0}, CodeInsufficientBalance)
	e.reject("Bob", &RemoveStake{Hotkey: "bad", Amount: 1}, CodeInvalidAddress)
	e.reject("Bob", &RemoveStake{Hotkey: hot, Amount: 0}, CodeInvalidAmount)
	e.reject("Bob", &RemoveStake{Hotkey: addr(t, "Nobody"), Amount: 1}, CodeHotkeyAccountNotExists)
	e.reject("Bob", &RemoveStake{Hotkey: hot, Amount: 1}, CodeNotEnoughStakeToWithdraw)
	e.reject("Alice", &RemoveStake{Hotkey: hot, Amount: 20*tao + 1}, CodeNotEnoughStakeToWithdraw)

	// A coldkey that staked everything can still unstake: the fee comes out of the
	// unstaked amount; an amount below the fee cannot pay it.
	e.ok("Alice", &Transfer{Dest: addr(t, "Zed"), Amount: 10 * tao})
	e.ok("Zed", &AddStake{Hotkey: hot, Amount: 10*tao - fee})
	if e.s.Account(addr(t, "Zed")).Balance != 0 {
		t.Fatal("setup")
	}
	e.reject("Zed", &RemoveStake{Hotkey: hot, Amount: fee - 1}, CodeInsufficientBalance)
	e.reject("Zed", &Transfer{Dest: addr(t, "Bob"), Amount: 1}, CodeInsufficientBalance)
	e.ok("Zed", &RemoveStake{Hotkey: hot, Amount: fee})
	if got := e.s.Account(addr(t, "Zed")); got.Balance != 0 || got.TotalStaked != 10*tao-2*fee {
		t.Fatalf("after unstaking the fee: %+v", got)
	}
	e.checkIssuance()
}

func TestCreateSubnetAndLockCost(t *testing.T) {
	e := newEnv(t, func(g *Genesis) {
		g.MaxSubnets = 2
		g.NetworkLockReductionInterval = 100
	})
	alice := addr(t, "Alice")
	b0 := e.s.Account(alice).Balance
	if got := e.s.LockCost(); got != 100*tao {
		t.Fatalf("first lock cost %d", got)
	}
	e.block()
	n1 := e.subnet("Alice", "AliceHot")
	if n1 != 1 {
		t.Fatalf("first netuid %d", n1)
	}
	fee := e.s.Params().TxFee
	if got := e.s.Account(alice).Balance; got != b0-100*tao-fee {
		t.Fatalf("balance %d", got)
	}
	info := e.s.Subnets()[0]
	if info.Locked != 100*tao || info.N != 1 || info.OwnerColdkey != alice || info.OwnerHotkey != addr(t, "AliceHot") {
		t.Fatalf("subnet %+v", info)
	}
	// Owner hotkey is uid 0.
	if uid, ok := e.s.UID(n1, addr(t, "AliceHot")); !ok || uid != 0 {
		t.Fatal("owner hotkey not uid 0")
	}
	// Doubling, then linear decay: last*2 − last/interval·blocks.
	if got := e.s.LockCost(); got != 200*tao {
		t.Fatalf("lock after creation %d", got)
	}
	e.blocks(30)
	if got := e.s.LockCost(); got != 200*tao-30*(100*tao/100) {
		t.Fatalf("decayed lock %d", got)
	}
	e.blocks(200)
	if got := e.s.LockCost(); got != 100*tao {
		t.Fatalf("lock floor %d", got)
	}
	e.reject("Bob", &CreateSubnet{Hotkey: addr(t, "AliceHot")}, CodeNonAssociatedColdkey)
	e.reject("Bob", &CreateSubnet{Hotkey: "x"}, CodeInvalidAddress)
	e.reject("Zed", &CreateSubnet{Hotkey: addr(t, "ZedHot")}, CodeInsufficientBalance)
	e.subnet("Bob", "BobHot")
	e.reject("Charlie", &CreateSubnet{Hotkey: addr(t, "CharlieHot")}, CodeTooManySubnets)
	e.checkIssuance()
}

func TestSetHyperparameter(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "immunity_period", Value: 123})
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "commit_reveal_weights_enabled", Value: 1})
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "liquid_alpha_enabled", Value: 1})
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "alpha_low", Value: 2000})
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "alpha_high", Value: 60000})
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "alpha_sigmoid_steepness", Value: 500})
	hp, err := e.s.Hyperparameters(net)
	if err != nil {
		t.Fatal(err)
	}
	if hp.ImmunityPeriod != 123 || !hp.CommitRevealWeightsEnabled || hp.AlphaLow != 2000 || hp.AlphaHigh != 60000 || hp.AlphaSigmoidSteepness != 500 {
		t.Fatalf("hyperparams %+v", hp)
	}
	cases := []struct {
		name   string
		signer string
		netuid uint16
		param  string
		value  uint64
		code   uint32
	}{
		{"no subnet", "Alice", 9, "rho", 1, CodeSubnetNotFound},
		{"not owner", "Bob", net, "rho", 1, CodeNotSubnetOwner},
		{"unknown", "Alice", net, "nope", 1, CodeUnknownHyperparameter},
		{"root only tempo", "Alice", net, "tempo", 5, CodeHyperparameterNotSettable},
		{"root only kappa", "Alice", net, "kappa", 5, CodeHyperparameterNotSettable},
		{"root only max uids", "Alice", net, "max_allowed_uids", 5, CodeHyperparameterNotSettable},
		{"u16 overflow", "Alice", net, "rho", 65536, CodeHyperparameterOutOfBounds},
		{"bool overflow", "Alice", net, "yuma3_enabled", 2, CodeHyperparameterOutOfBounds},
		{"activity cutoff floor", "Alice", net, "activity_cutoff", 359, CodeHyperparameterOutOfBounds},
		{"bonds ma cap", "Alice", net, "bonds_moving_avg", 975_001, CodeHyperparameterOutOfBounds},
		{"reveal period 0", "Alice", net, "commit_reveal_period", 0, CodeHyperparameterOutOfBounds},
		{"reveal period 101", "Alice", net, "commit_reveal_period", 101, CodeHyperparameterOutOfBounds},
		{"alpha low floor", "Alice", net, "alpha_low", 1637, CodeHyperparameterOutOfBounds},
		{"alpha low above high", "Alice", net, "alpha_low", 60001, CodeHyperparameterOutOfBounds},
		{"alpha high below low", "Alice", net, "alpha_high", 1999, CodeHyperparameterOutOfBounds},
		{"min burn above max", "Alice", net, "min_burn", hp.MaxBurn + 1, CodeHyperparameterOutOfBounds},
		{"max burn below min", "Alice", net, "max_burn", hp.MinBurn - 1, CodeHyperparameterOutOfBounds},
		{"steepness negative", "Alice", net, "alpha_sigmoid_steepness", 32768, CodeHyperparameterOutOfBounds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.reject(c.signer, &SetHyperparameter{Netuid: c.netuid, Name: c.param, Value: c.value}, c.code)
		})
	}
	e.ok("Alice", &SetHyperparameter{Netuid: net, Name: "liquid_alpha_enabled", Value: 0})
	e.reject("Alice", &SetHyperparameter{Netuid: net, Name: "alpha_low", Value: 3000}, CodeHyperparameterOutOfBounds)
	if _, err := e.s.Hyperparameters(99); err == nil {
		t.Fatal("hyperparameters of a missing subnet")
	}
	for name := range HyperparameterNames() {
		if _, ok := hpFields[name]; !ok {
			t.Fatal(name)
		}
	}
	if len(hpFields) != 32 {
		t.Fatalf("%d hyperparameters in the table; every Hyperparams field needs one", len(hpFields))
	}
}

func TestGenesisValidation(t *testing.T) {
	bad := []func(*Genesis){
		func(g *Genesis) { g.ChainID = "" },
		func(g *Genesis) { g.MaxSubnets = 0 },
		func(g *Genesis) { g.SubnetDefaults.TargetRegsPerInterval = 0 },
		func(g *Genesis) { g.SubnetDefaults.MinBurn = g.SubnetDefaults.MaxBurn + 1 },
		func(g *Genesis) { g.SubnetDefaults.CommitRevealPeriod = 0 },
		func(g *Genesis) { g.SubnetDefaults.MaxAllowedUids = 0 },
		func(g *Genesis) { g.Accounts = append(g.Accounts, GenesisAccount{Address: "bad"}) },
		func(g *Genesis) {
			g.Accounts = append(g.Accounts, GenesisAccount{Address: addr(t, "Alice"), Balance: ^uint64(0)})
		},
		func(g *Genesis) { g.Subnets = []GenesisSubnet{{OwnerColdkey: "bad", OwnerHotkey: addr(t, "X")}} },
		func(g *Genesis) {
			g.Subnets = []GenesisSubnet{{OwnerColdkey: addr(t, "A"), OwnerHotkey: addr(t, "H")}, {OwnerColdkey: addr(t, "B"), OwnerHotkey: addr(t, "H")}}
		},
		func(g *Genesis) {
			g.MaxSubnets = 1
			g.Subnets = []GenesisSubnet{{OwnerColdkey: addr(t, "A"), OwnerHotkey: addr(t, "H")}, {OwnerColdkey: addr(t, "A"), OwnerHotkey: addr(t, "H2")}}
		},
		func(g *Genesis) {
			hp := g.SubnetDefaults
			hp.MaxAllowedUids = 0
			g.Subnets = []GenesisSubnet{{OwnerColdkey: addr(t, "A"), OwnerHotkey: addr(t, "H"), Hyperparams: &hp}}
		},
	}
	for i, mut := range bad {
		g := testGenesis(t)
		mut(&g)
		if _, err := NewState(g); err == nil {
			t.Errorf("case %d: invalid genesis accepted", i)
		}
	}
	g := testGenesis(t)
	hp := g.SubnetDefaults
	hp.Tempo = 3
	g.Subnets = []GenesisSubnet{{OwnerColdkey: addr(t, "Alice"), OwnerHotkey: addr(t, "AliceHot"), Hyperparams: &hp},
		{OwnerColdkey: addr(t, "Bob"), OwnerHotkey: addr(t, "BobHot")}}
	s, err := NewState(g)
	if err != nil {
		t.Fatal(err)
	}
	subs := s.Subnets()
	if len(subs) != 2 || subs[0].Netuid != 1 || subs[0].Tempo != 3 || subs[1].Tempo != 10 || subs[0].Locked != 0 {
		t.Fatalf("genesis subnets %+v", subs)
	}
}

func TestLocalnetGenesis(t *testing.T) {
	g := LocalnetGenesis()
	g.Accounts = []GenesisAccount{{Address: addr(t, "Alice"), Balance: 1000 * tao}}
	g.ChainID = "taonet-test"
	e := &env{tb: t}
	var err error
	if e.s, err = NewState(g); err != nil {
		t.Fatal(err)
	}
	net := e.subnet("Alice", "AliceHot")
	lo, _, _ := AxonIP("127.0.0.1")
	e.ok("AliceHot", &ServeAxon{Netuid: net, IP: lo, IPType: 4, Port: 8091})
	if hp, _ := e.s.Hyperparameters(net); hp.Tempo != 10 {
		t.Fatalf("tempo %d", hp.Tempo)
	}
}
