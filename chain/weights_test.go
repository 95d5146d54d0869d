package chain

import (
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/taonet/taonet/yuma"
)

func TestMaxUpscale(t *testing.T) {
	cases := []struct{ in, want []uint16 }{
		{[]uint16{1, 2}, []uint16{32768, 65535}},
		{[]uint16{1, 2, 3}, []uint16{21845, 43690, 65535}},
		{[]uint16{1, 16384, 32768}, []uint16{2, 32768, 65535}},
		{[]uint16{0, 0}, []uint16{0, 0}},
		{[]uint16{65535, 32767}, []uint16{65535, 32767}},
		// max > 32768 uses a truncated I32F32 ratio: 20000·(65535/40000) = 32767.4999…
		{[]uint16{40000, 20000, 1, 39999}, []uint16{65535, 32767, 2, 65533}},
		{[]uint16{65534, 32767, 1}, []uint16{65535, 32767, 1}},
		{[]uint16{}, []uint16{}},
	}
	for _, c := range cases {
		if got := maxUpscaleU16(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("maxUpscaleU16(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestMaxWeightLimited(t *testing.T) {
	if maxWeightLimited([]uint16{65535, 65535}, 32767) {
		t.Error("0.5 passed a 32767/65535 limit")
	}
	if !maxWeightLimited([]uint16{65535, 65535}, 32768) {
		t.Error("0.5 failed a 32768/65535 limit")
	}
	if !maxWeightLimited([]uint16{0, 0}, 1) {
		t.Error("all-zero weights must pass")
	}
}

func TestCommitHashGolden(t *testing.T) {
	// Golden values from Python hashlib.blake2b(digest_size=32) over hand-built SCALE.
	var alice [32]byte
	hex.Decode(alice[:], []byte("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"))
	if devKey(t, "Alice").PublicKey() != alice {
		t.Fatal("//Alice public key differs from the known dev key")
	}
	h := CommitHash(alice, 1, []uint16{0, 1, 2}, []uint16{10, 20, 65535}, []uint16{7, 8}, 5)
	if got := hex.EncodeToString(h[:]); got != "16943af21e387e216aa7ac8529e0ce98a0dfbde8bff5fb35bc1e14bd3de039d1" {
		t.Fatalf("hash %s", got)
	}
	uids := make([]uint16, 100)
	for i := range uids {
		uids[i] = uint16(i)
	}
	h = CommitHash(alice, 300, uids, nil, []uint16{1}, ^uint64(0))
	if got := hex.EncodeToString(h[:]); got != "6477b5d2381d95530fe19e6c636b8c08857c1cff9afd8c4b920361e077bda0e4" {
		t.Fatalf("hash (two-byte compact) %s", got)
	}
	if hs, err := CommitHashSS58(addr(t, "Alice"), 300, uids, nil, []uint16{1}, ^uint64(0)); err != nil || hs != h {
		t.Fatal("CommitHashSS58 differs")
	}
	if _, err := CommitHashSS58("bad", 1, nil, nil, nil, 0); err == nil {
		t.Fatal("bad address accepted")
	}
}

func TestScaleCompact(t *testing.T) {
	cases := map[uint64]string{0: "00", 1: "04", 63: "fc", 64: "0101", 16383: "fdff", 16384: "02000100",
		1<<30 - 1: "feffffff", 1 << 30: "0300000040", 1<<64 - 1: "13ffffffffffffffff"}
	for v, want := range cases {
		if got := hex.EncodeToString(scaleCompact(nil, v)); got != want {
			t.Errorf("compact(%d) = %s, want %s", v, got, want)
		}
	}
}

// weightsEnv: subnet 1 with owner AliceHot (uid 0), validator V (uid 1, permit),
// miners M1 (uid 2), M2 (uid 3).
func weightsEnv(t *testing.T) (*env, uint16) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.block()
	for _, h := range []string{"V", "M1", "M2"} {
		e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, h)})
	}
	e.ok("Bob", &AddStake{Hotkey: addr(t, "V"), Amount: 10 * tao}) // keeps its permit through epochs
	e.s.subnets[net].neurons[1].permit = true
	e.block()
	return e, net
}

func TestSetWeightsStoresUpscaled(t *testing.T) {
	e, net := weightsEnv(t)
	e.ok("V", &SetWeights{Netuid: net, UIDs: []uint16{2, 3}, Values: []uint16{1, 2}})
	n, _ := e.s.Neuron(net, 1)
	if !reflect.DeepEqual(n.Weights, [][2]uint16{{2, 32768}, {3, 65535}}) || n.LastUpdate != 2 {
		t.Fatalf("neuron %+v", n)
	}
	// Zeros are stored in the row (metagraph) but not listed in NeuronInfo.
	e.ok("V", &SetWeights{Netuid: net, UIDs: []uint16{2, 3}, Values: []uint16{0, 9}})
	m, _ := e.s.Metagraph(net)
	if !reflect.DeepEqual(m.Weights[1], [][2]uint16{{2, 0}, {3, 65535}}) {
		t.Fatalf("row %v", m.Weights[1])
	}
	// Self-weight needs no permit; the owner needs none either.
	e.ok("M1", &SetWeights{Netuid: net, UIDs: []uint16{2}, Values: []uint16{1}})
	e.ok("AliceHot", &SetWeights{Netuid: net, UIDs: []uint16{2, 3}, Values: []uint16{1, 1}})
}

func TestSetWeightsRejections(t *testing.T) {
	e, net := weightsEnv(t)
	sw := func(uids, vals []uint16) *SetWeights { return &SetWeights{Netuid: net, UIDs: uids, Values: vals} }
	// Ordered as upstream: each case also violates later rules, proving precedence.
	e.reject("V", &SetWeights{Netuid: 9, UIDs: []uint16{2}, Values: []uint16{1}}, CodeSubnetNotFound)
	e.reject("Nobody", sw([]uint16{2, 2}, []uint16{1}), CodeWeightVecNotEqualSize)
	e.reject("Nobody", sw([]uint16{0, 1, 2, 3, 4}, []uint16{1, 1, 1, 1, 1}), CodeUidsLengthExceedUidsInSub)
	e.reject("Nobody", sw([]uint16{2, 2}, []uint16{1, 1}), CodeHotkeyNotRegistered)
	e.hp(net, func(h *Hyperparams) { h.StakeThreshold = 15 * tao })
	e.reject("V", sw([]uint16{2, 2}, []uint16{1, 1}), CodeNotEnoughStakeToSetWeights)
	e.ok("AliceHot", sw([]uint16{2}, []uint16{1})) // owner exempt from the threshold
	e.ok("Bob", &AddStake{Hotkey: addr(t, "V"), Amount: 5 * tao})
	e.ok("Bob", &AddStake{Hotkey: addr(t, "M1"), Amount: 15 * tao})
	e.hp(net, func(h *Hyperparams) { h.WeightsVersion = 3 })
	e.reject("V", &SetWeights{Netuid: net, UIDs: []uint16{2, 2}, Values: []uint16{1, 1}, VersionKey: 2}, CodeIncorrectWeightVersionKey)
	e.hp(net, func(h *Hyperparams) { h.WeightsVersion = 0; h.WeightsRateLimit = 5 })
	e.reject("V", sw([]uint16{2, 2}, []uint16{1, 1}), CodeSettingWeightsTooFast) // registered at block 1, now 2
	e.hp(net, func(h *Hyperparams) { h.WeightsRateLimit = 0 })
	e.reject("M1", sw([]uint16{2, 2}, []uint16{1, 1}), CodeNeuronNoValidatorPermit)
	e.reject("V", sw([]uint16{2, 2}, []uint16{1, 1}), CodeDuplicateUids)
	e.reject("V", sw([]uint16{2, 9}, []uint16{1, 1}), CodeUidVecContainInvalidOne)
	e.hp(net, func(h *Hyperparams) { h.MinAllowedWeights = 3 })
	e.reject("V", sw([]uint16{2, 3}, []uint16{1, 1}), CodeWeightVecLengthIsLow)
	e.ok("V", sw([]uint16{1}, []uint16{1})) // self-weight is exempt
	e.hp(net, func(h *Hyperparams) { h.MinAllowedWeights = 100 })
	e.ok("V", sw([]uint16{0, 2, 3, 1}, []uint16{1, 1, 1, 1})) // min(min_allowed, n) = 4
	e.hp(net, func(h *Hyperparams) { h.MinAllowedWeights = 0; h.MaxWeightsLimit = 32767 })
	e.reject("V", sw([]uint16{2, 3}, []uint16{1, 1}), CodeMaxWeightExceeded)
	e.ok("V", sw([]uint16{0, 2, 3}, []uint16{1, 1, 1}))
	e.ok("V", sw([]uint16{1}, []uint16{1})) // self-weight ignores the limit
	e.hp(net, func(h *Hyperparams) { h.CommitRevealWeightsEnabled = true })
	e.reject("V", sw([]uint16{2}, []uint16{1}), CodeCommitRevealEnabled)
}

func TestSetWeightsRateLimitFromRegistration(t *testing.T) {
	e, net := weightsEnv(t) // registered at block 1, now block 2
	e.hp(net, func(h *Hyperparams) { h.WeightsRateLimit = 3 })
	e.reject("V", &SetWeights{Netuid: net, UIDs: []uint16{2}, Values: []uint16{1}}, CodeSettingWeightsTooFast)
	e.blocks(2) // block 4: 4 − 1 >= 3
	e.ok("V", &SetWeights{Netuid: net, UIDs: []uint16{2}, Values: []uint16{1}})
	e.reject("V", &SetWeights{Netuid: net, UIDs: []uint16{2}, Values: []uint16{1}}, CodeSettingWeightsTooFast)
}

func TestCommitReveal(t *testing.T) {
	e, net := weightsEnv(t) // netuid 1, tempo 10: epoch index = (block+2)/11
	e.hp(net, func(h *Hyperparams) { h.CommitRevealWeightsEnabled = true })
	uids, vals, salt := []uint16{2, 3}, []uint16{10, 30}, []uint16{4, 2}
	hash, _ := CommitHashSS58(addr(t, "V"), net, uids, vals, salt, 0)
	reveal := &RevealWeights{Netuid: net, UIDs: uids, Values: vals, Salt: salt}

	e.reject("V", reveal, CodeNoWeightsCommitFound)
	e.ok("V", &CommitWeights{Netuid: net, Hash: hash}) // block 2, epoch 0
	if c := e.s.WeightCommits(net, addr(t, "V")); len(c) != 1 || c[0].Epoch != 0 || c[0].Block != 2 {
		t.Fatalf("commits %+v", c)
	}
	if n, _ := e.s.Neuron(net, 1); n.LastUpdate != 2 {
		t.Fatal("commit must set last_update")
	}
	e.reject("V", reveal, CodeRevealTooEarly)
	bad := *reveal
	bad.Salt = []uint16{4, 3}
	e.reject("V", &bad, CodeInvalidRevealCommitHash)
	e.blocks(7) // block 9: epoch 1
	if EpochIndex(e.s.Height(), net, 10) != 1 {
		t.Fatal("epoch index")
	}
	e.ok("V", reveal)
	n, _ := e.s.Neuron(net, 1)
	if !reflect.DeepEqual(n.Weights, [][2]uint16{{2, 21845}, {3, 65535}}) || n.LastUpdate != 2 {
		t.Fatalf("revealed neuron %+v", n)
	}
	if len(e.s.WeightCommits(net, addr(t, "V"))) != 0 {
		t.Fatal("revealed commit not removed")
	}
	e.reject("V", reveal, CodeNoWeightsCommitFound)

	// Expiry: commit in epoch 1, reveal in epoch 3.
	e.ok("V", &CommitWeights{Netuid: net, Hash: hash})
	e.blocks(22) // block 31: epoch 3
	e.reject("V", reveal, CodeExpiredWeightCommit)

	// A reveal that fails the set_weights checks leaves the commit in place.
	badVals := []uint16{2, 2}
	h2, _ := CommitHashSS58(addr(t, "V"), net, badVals, []uint16{1, 1}, salt, 0)
	e.ok("V", &CommitWeights{Netuid: net, Hash: h2})
	e.blocks(11)
	e.reject("V", &RevealWeights{Netuid: net, UIDs: badVals, Values: []uint16{1, 1}, Salt: salt}, CodeDuplicateUids)

	// Revealing a later commit drops earlier ones too.
	e.blocks(11)
	hA, _ := CommitHashSS58(addr(t, "V"), net, []uint16{2}, []uint16{1}, []uint16{1}, 0)
	hB, _ := CommitHashSS58(addr(t, "V"), net, []uint16{3}, []uint16{1}, []uint16{2}, 0)
	e.ok("V", &CommitWeights{Netuid: net, Hash: hA})
	e.ok("V", &CommitWeights{Netuid: net, Hash: hB})
	e.blocks(11)
	e.ok("V", &RevealWeights{Netuid: net, UIDs: []uint16{3}, Values: []uint16{1}, Salt: []uint16{2}})
	if len(e.s.WeightCommits(net, addr(t, "V"))) != 0 {
		t.Fatal("earlier commit kept")
	}
}

func TestCommitRejections(t *testing.T) {
	e, net := weightsEnv(t)
	var h [32]byte
	e.reject("V", &CommitWeights{Netuid: 9, Hash: h}, CodeSubnetNotFound)
	e.reject("V", &CommitWeights{Netuid: net, Hash: h}, CodeCommitRevealDisabled)
	e.reject("V", &RevealWeights{Netuid: net}, CodeCommitRevealDisabled)
	e.reject("V", &RevealWeights{Netuid: 9}, CodeSubnetNotFound)
	e.hp(net, func(h *Hyperparams) { h.CommitRevealWeightsEnabled = true })
	e.reject("Nobody", &CommitWeights{Netuid: net, Hash: h}, CodeHotkeyNotRegistered)
	for i := 0; i < maxUnrevealedCommits; i++ {
		h[0] = byte(i)
		e.ok("V", &CommitWeights{Netuid: net, Hash: h})
	}
	e.reject("V", &CommitWeights{Netuid: net, Hash: h}, CodeTooManyUnrevealedCommits)
	e.hp(net, func(h *Hyperparams) { h.WeightsRateLimit = 2 })
	e.reject("M1", &CommitWeights{Netuid: net, Hash: h}, CodeCommittingWeightsTooFast)
}

func TestEpochIndexAndSchedule(t *testing.T) {
	// tempo 360, netuid 1: epochs at blocks where (b+2) % 361 == 0.
	if !epochDue(359, 1, 360) || epochDue(360, 1, 360) || epochDue(0, 1, 0) {
		t.Fatal("epochDue")
	}
	if EpochIndex(358, 1, 360) != 0 || EpochIndex(359, 1, 360) != 1 {
		t.Fatal("EpochIndex")
	}
	if nextEpoch(0, 1, 360) != 359 || nextEpoch(359, 1, 360) != 720 || nextEpoch(358, 1, 360) != 359 || nextEpoch(5, 1, 0) != 0 {
		t.Fatal("nextEpoch")
	}
	_ = yuma.Entry{}
}

func TestEpochInputCommitBlock(t *testing.T) {
	e, net := weightsEnv(t) // block 2, epoch index 0
	sn := e.s.subnets[net]
	if in := e.s.epochInput(sn); in.Params.CommitReveal || in.Neurons[1].CommitBlock != 0 {
		t.Fatal("commit-reveal mask on while disabled")
	}
	e.hp(net, func(h *Hyperparams) { h.CommitRevealWeightsEnabled = true })
	e.ok("V", &CommitWeights{Netuid: net, Hash: [32]byte{1}})
	e.block()
	e.ok("V", &CommitWeights{Netuid: net, Hash: [32]byte{2}})
	in := e.s.epochInput(sn)
	if !in.Params.CommitReveal || in.Neurons[1].CommitBlock != 2 || in.Neurons[2].CommitBlock != 0 {
		t.Fatalf("commit blocks %d %d", in.Neurons[1].CommitBlock, in.Neurons[2].CommitBlock)
	}
	for EpochIndex(e.s.Height(), net, 10) < 1 {
		e.block()
	}
	if in := e.s.epochInput(sn); in.Neurons[1].CommitBlock != 2 {
		t.Fatal("a commit still in its reveal epoch must count")
	}
	for EpochIndex(e.s.Height(), net, 10) < 2 {
		e.block()
	}
	if in := e.s.epochInput(sn); in.Neurons[1].CommitBlock != 0 {
		t.Fatal("expired commits must not count")
	}
}
