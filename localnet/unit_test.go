package localnet

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/taonet/taonet/chain"
)

func mg(n int, permit []bool, weights [][][2]uint16) *chain.Metagraph {
	return &chain.Metagraph{N: uint16(n), ValidatorPermit: permit, Weights: weights,
		Incentive: make([]uint16, n), Emission: make([]uint64, n)}
}

func TestAgreement(t *testing.T) {
	same := [][2]uint16{{2, 65535}, {3, 32768}}
	cases := []struct {
		name string
		m    *chain.Metagraph
		want float64
		ok   bool
	}{
		{"no validators", mg(4, []bool{false, false, false, false}, make([][][2]uint16, 4)), 0, false},
		{"one validator", mg(4, []bool{true, false, false, false}, [][][2]uint16{same, nil, nil, nil}), 0, false},
		{"identical", mg(4, []bool{true, true, false, false}, [][][2]uint16{same, same, nil, nil}), 1, true},
		{"scaled rows are identical", mg(4, []bool{true, true, false, false},
			[][][2]uint16{{{2, 60000}, {3, 30000}}, {{2, 40000}, {3, 20000}}, nil, nil}), 1, true},
		{"orthogonal", mg(4, []bool{true, true, false, false}, [][][2]uint16{{{2, 100}}, {{3, 100}}, nil, nil}), 0, true},
		{"weights without permit ignored", mg(4, []bool{true, true, false, false},
			[][][2]uint16{same, same, {{3, 1}}, nil}), 1, true},
		// (1,0)·(1,1)/√2 for two of three pairs, 1 for the identical pair.
		{"three validators", mg(5, []bool{true, true, true, false, false},
			[][][2]uint16{{{3, 10}}, {{3, 10}}, {{3, 10}, {4, 10}}, nil, nil}), (1 + 2/math.Sqrt2) / 3, true},
		{"out-of-range uid ignored", mg(2, []bool{true, true}, [][][2]uint16{{{1, 5}, {9, 5}}, {{1, 5}}}), 1, true},
	}
	for _, c := range cases {
		got, ok := Agreement(c.m)
		if ok != c.ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: got %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestAgreementBounded(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(t, "n")
		m := mg(n, make([]bool, n), make([][][2]uint16, n))
		for i := 0; i < n; i++ {
			m.ValidatorPermit[i] = rapid.Bool().Draw(t, "permit")
			k := rapid.IntRange(0, n).Draw(t, "k")
			for j := 0; j < k; j++ {
				m.Weights[i] = append(m.Weights[i], [2]uint16{uint16(rapid.IntRange(0, n+2).Draw(t, "uid")),
					uint16(rapid.IntRange(0, 65535).Draw(t, "w"))})
			}
		}
		a, ok := Agreement(m)
		if ok && (math.IsNaN(a) || a < 0 || a > 1+1e-9) {
			t.Fatalf("agreement %v outside [0,1]", a)
		}
	})
}

func TestHistoryKeepsChangesAndTrailingPoint(t *testing.T) {
	var h history
	s := func(b uint64, inc float64) Sample {
		return Sample{Block: b, Incentive: []float64{inc}, Emission: []float64{0}}
	}
	for b, inc := range []float64{0, 0, 0, 0, 0.5, 0.5, 0.5, 0.7} {
		h.add(1, s(uint64(b+1), inc))
	}
	got := h.get(1)
	want := []struct {
		b   uint64
		inc float64
	}{{1, 0}, {4, 0}, {5, 0.5}, {7, 0.5}, {8, 0.7}}
	if len(got) != len(want) {
		t.Fatalf("got %d samples %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Block != w.b || got[i].Incentive[0] != w.inc {
			t.Fatalf("sample %d: %+v, want block %d incentive %v", i, got[i], w.b, w.inc)
		}
	}
	for i := 0; i < 2*keepHistory; i++ {
		h.add(2, s(uint64(i), float64(i)))
	}
	if n := len(h.get(2)); n != keepHistory {
		t.Fatalf("kept %d samples, want %d", n, keepHistory)
	}
}

func TestOptionsDefaultsAndValidate(t *testing.T) {
	o := Options{FinetuneMiners: -1}.Defaults()
	if o.Dir != ".localnet" || o.Nodes != 1 || o.BlockTime != time.Second || o.Tempo != 10 || o.PromptingMiners != 3 ||
		o.PromptingValidators != 1 || o.FinetuneMiners != 0 || o.FinetuneValidators != 2 || o.Out == nil {
		t.Fatalf("defaults: %+v", o)
	}
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Options{{PromptingMiners: 65}, {Nodes: 17}, {BlockTime: time.Millisecond}} {
		if err := bad.Defaults().validate(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestKeysDeterministicAndDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, name := range []string{"", "prompting", "finetuning", "pv0", "pm0", "pm1", "fv0", "fm0"} {
		a, err := Key(name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Key(name)
		if a.SS58Address() != b.SS58Address() {
			t.Fatalf("%q: not deterministic", name)
		}
		if other, dup := seen[a.SS58Address()]; dup {
			t.Fatalf("%q and %q share a key", name, other)
		}
		seen[a.SS58Address()] = name
	}
}

func TestLockDirRefusesSecondHolder(t *testing.T) {
	dir := t.TempDir()
	a, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(dir); err == nil {
		t.Fatal("second lock on the same directory succeeded")
	}
	a.Close()
	b, err := lockDir(dir)
	if err != nil {
		t.Fatal("lock not released: ", err)
	}
	b.Close()
}
