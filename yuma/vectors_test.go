package yuma

import (
	"fmt"
	"math"
	"testing"
)

// chainSim replays the upstream epoch tests: it keeps the stored state an epoch
// reads (last_update, registration blocks, permits, bonds) and carries the
// epoch's outputs forward, as subtensor's storage does.
type chainSim struct {
	t       *testing.T
	p       Params
	neurons []Neuron
	out     Output
}

func newSim(t *testing.T, p Params, stake []uint64, regBlock uint64) *chainSim {
	s := &chainSim{t: t, p: p}
	for _, st := range stake {
		s.neurons = append(s.neurons, Neuron{Stake: st, LastUpdate: regBlock, BlockAtRegistration: regBlock})
	}
	return s
}

// setWeights stores a max-upscaled row as set_weights would and stamps LastUpdate.
func (s *chainSim) setWeights(uid int, block uint64, uids []uint16, vals []uint16) {
	s.neurons[uid].Weights = upscaleRow(uids, vals)
	s.neurons[uid].LastUpdate = block
}

// upscaleRow is vec_u16_max_upscale_to_u16 applied to a set_weights call.
func upscaleRow(uids, vals []uint16) []Entry {
	var mx uint64
	for _, v := range vals {
		mx = max(mx, uint64(v))
	}
	row := make([]Entry, len(uids))
	for k, u := range uids {
		v := uint64(vals[k])
		if mx != 0 && mx != 65535 {
			// round(v*65535/max), half away from zero, in integers
			v = (2*v*65535 + mx) / (2 * mx)
		}
		row[k] = Entry{UID: u, Value: uint16(v)}
	}
	return row
}

func (s *chainSim) epoch(block uint64, emission uint64) Output {
	s.t.Helper()
	p := s.p
	p.Block = block
	out, err := Epoch(Input{Params: p, Neurons: s.neurons, Emission: emission})
	if err != nil {
		s.t.Fatalf("epoch at block %d: %v", block, err)
	}
	for i := range s.neurons {
		s.neurons[i].ValidatorPermit = out.ValidatorPermit[i]
		s.neurons[i].Bonds = out.Bonds[i]
	}
	s.out = out
	return out
}

func bondAt(row []Entry, j uint16) uint16 {
	for _, e := range row {
		if e.UID == j {
			return e.Value
		}
	}
	return 0
}

func mockParams() Params {
	p := DefaultParams()
	p.Yuma3 = false
	p.MaxAllowedValidators = 100
	return p
}

func eqU64(t *testing.T, what string, got, want []uint64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestBondsVector(t *testing.T) {
	p := mockParams()
	p.Tempo = 1
	p.MaxAllowedValidators = 8
	s := newSim(t, p, []uint64{1, 2, 3, 4, 0, 0, 0, 0}, 1)
	s.epoch(1, 1e9)
	if fmt.Sprint(s.out.ValidatorPermit) != "[true true true true false false false false]" {
		t.Fatalf("permits %v", s.out.ValidatorPermit)
	}
	col := func(j uint16) []uint16 {
		var r []uint16
		for i := 0; i < 4; i++ {
			r = append(r, bondAt(s.neurons[i].Bonds, j))
		}
		return r
	}
	type step struct {
		block uint64
		act   func(b uint64)
		col   uint16
		bonds []uint16
		e     []uint64
	}
	steps := []step{
		{2, func(b uint64) {
			for i := 0; i < 4; i++ {
				s.setWeights(i, b, []uint16{4, 5, 6, 7}, []uint16{16383, 32767, 49149, 65535})
			}
		}, 4, []uint16{16383, 32767, 49151, 65535},
			[]uint64{49999998, 99999999, 150000000, 200000001, 49998779, 100000610, 149996337, 200004272}},
		{3, func(b uint64) { s.setWeights(0, b, []uint16{0}, []uint16{65535}) }, 4, []uint16{14582, 32767, 49151, 65535},
			[]uint64{44998351, 101110561, 151667215, 202223870, 49998779, 100000610, 149996337, 200004272}},
		{4, func(b uint64) { s.setWeights(1, b, []uint16{1}, []uint16{65535}) }, 4, []uint16{12603, 28321, 49151, 65535},
			[]uint64{40496805, 90999783, 157929636, 210573773, 49998779, 100000610, 149996337, 200004272}},
		{5, func(b uint64) { s.setWeights(2, b, []uint16{2}, []uint16{65535}) }, 7, []uint16{12602, 28320, 49150, 65535},
			[]uint64{99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0}},
		{6, func(b uint64) { s.setWeights(2, b, []uint16{7}, []uint16{65535}) }, 7, []uint16{10951, 24609, 49150, 65535},
			[]uint64{36443733, 81898628, 163565493, 218092144, 0, 0, 0, 500000000}},
		{7, func(uint64) {}, 7, []uint16{9559, 21482, 49150, 65535},
			[]uint64{32799427, 73706612, 168638129, 224855830, 0, 0, 0, 500000000}},
		{8, func(uint64) {}, 7, []uint16{8376, 18824, 49150, 65535},
			[]uint64{29518068, 66336137, 173203134, 230942659, 0, 0, 0, 500000000}},
	}
	for _, st := range steps {
		st.act(st.block)
		s.epoch(st.block, 1e9)
		if got := col(st.col); fmt.Sprint(got) != fmt.Sprint(st.bonds) {
			t.Errorf("block %d: bonds column %d = %v, want %v", st.block, st.col, got, st.bonds)
		}
		eqU64(t, fmt.Sprintf("block %d emission", st.block), s.out.Emission, st.e)
	}
}

func TestActiveStakeVector(t *testing.T) {
	p := mockParams()
	p.Tempo = 1
	p.MaxAllowedValidators = 4
	s := newSim(t, p, []uint64{1, 1, 1, 1}, 0)
	s.epoch(0, 1e9)
	s.setWeights(0, 1, []uint16{2, 3}, []uint16{32767, 32767})
	s.setWeights(1, 1, []uint16{2, 3}, []uint16{32767, 32767})
	out := s.epoch(1, 1e9)
	if out.Dividends[0] != 32767 || out.Dividends[1] != 32767 {
		t.Errorf("block 1 dividends %v", out.Dividends)
	}
	eqU64(t, "block 1 emission", out.Emission, []uint64{250000000, 250000000, 250000000, 250000000})
	for i := 0; i < 2; i++ {
		for j := uint16(2); j < 4; j++ {
			if b := bondAt(out.Bonds[i], j); b != 65535 {
				t.Errorf("block 1 bond[%d][%d] = %d", i, j, b)
			}
		}
	}
	s.setWeights(0, 5002, []uint16{2, 3}, []uint16{32767, 32767})
	out = s.epoch(5002, 1e9)
	if out.Dividends[0] != 36044 || out.Dividends[1] != 29490 {
		t.Errorf("block 5002 dividends %v, want 36044 29490", out.Dividends[:2])
	}
	eqU64(t, "block 5002 emission", out.Emission, []uint64{274999999, 224999999, 250000000, 250000000})
	for j := uint16(2); j < 4; j++ {
		if b0, b1 := bondAt(out.Bonds[0], j), bondAt(out.Bonds[1], j); b0 != 65535 || b1 != 53619 {
			t.Errorf("block 5002 bonds col %d = %d,%d, want 65535,53619", j, b0, b1)
		}
	}
	s.setWeights(1, 5002, []uint16{2, 3}, []uint16{32767, 32767})
	out = s.epoch(5003, 1e9)
	if out.Dividends[0] != 35716 || out.Dividends[1] != 29818 {
		t.Errorf("block 5003 dividends %v, want 35716 29818", out.Dividends[:2])
	}
	eqU64(t, "block 5003 emission", out.Emission[:2], []uint64{272501132, 227498866})
	for j := uint16(2); j < 4; j++ {
		if b0, b1 := bondAt(out.Bonds[0], j), bondAt(out.Bonds[1], j); b0 != 65535 || b1 != 54712 {
			t.Errorf("block 5003 bonds col %d = %d,%d, want 65535,54712", j, b0, b1)
		}
	}
}

func TestOutdatedWeightsVector(t *testing.T) {
	p := mockParams()
	p.Tempo = 0
	p.MaxAllowedValidators = 4
	s := newSim(t, p, []uint64{1, 1, 1, 1}, 1)
	s.epoch(1, 1e9)
	s.setWeights(0, 2, []uint16{2, 3}, []uint16{43690, 21845})
	s.setWeights(1, 2, []uint16{2, 3}, []uint16{43690, 21845})
	s.setWeights(2, 2, []uint16{2}, []uint16{65535})
	s.setWeights(3, 2, []uint16{3}, []uint16{65535})
	out := s.epoch(2, 1e9)
	if fmt.Sprint(out.Dividends) != "[32767 32767 0 0]" {
		t.Errorf("dividends %v", out.Dividends)
	}
	eqU64(t, "emission", out.Emission, []uint64{250000000, 250000000, 333331637, 166668361})
	for i := 0; i < 2; i++ {
		if fmt.Sprint(out.Bonds[i]) != "[{2 65535} {3 65535}]" {
			t.Errorf("bonds row %d = %v", i, out.Bonds[i])
		}
	}
	// uid 3 is replaced at block 2 by a hotkey without stake.
	s.neurons[3] = Neuron{LastUpdate: 2, BlockAtRegistration: 2}
	s.setWeights(0, 3, []uint16{2, 3}, []uint16{43690, 21845})
	out = s.epoch(3, 1e9)
	if out.Dividends[0] != 32767 || out.Emission[0] != 250000000 {
		t.Errorf("D[0]=%d E[0]=%d", out.Dividends[0], out.Emission[0])
	}
	if bondAt(out.Bonds[0], 2) != 65535 || bondAt(out.Bonds[0], 3) != 65535 {
		t.Errorf("bonds row 0 = %v", out.Bonds[0])
	}
}

func TestZeroWeightsVector(t *testing.T) {
	p := mockParams()
	p.Tempo = math.MaxUint16
	s := newSim(t, p, []uint64{1, 0}, 0)
	want := []uint64{1000000000, 0}
	eqU64(t, "no weights", s.epoch(0, 1e9).Emission, want)
	s.setWeights(1, 1, []uint16{1}, []uint16{65535})
	eqU64(t, "server self weight", s.epoch(1, 1e9).Emission, want)
	s.setWeights(0, 2, []uint16{1}, []uint16{65535})
	s.neurons[1] = Neuron{LastUpdate: 3, BlockAtRegistration: 3}
	eqU64(t, "outdated", s.epoch(3, 1e9).Emission, want)
	s.setWeights(0, 4, []uint16{1}, []uint16{65535})
	eqU64(t, "weights again", s.epoch(4, 1e9).Emission, []uint64{500000000, 500000000})
}

func Test10GraphVector(t *testing.T) {
	p := mockParams()
	stake := make([]uint64, 10)
	for i := range stake {
		stake[i] = 1
	}
	s := newSim(t, p, stake, 1)
	for i := 0; i < 10; i++ {
		s.setWeights(i, 1, []uint16{uint16(i)}, []uint16{65535})
	}
	out := s.epoch(1, 1e9)
	for i, e := range out.Emission {
		if e != 99999999 {
			t.Errorf("E[%d] = %d, want 99999999", i, e)
		}
	}
}

func Test1GraphVector(t *testing.T) {
	s := newSim(t, mockParams(), []uint64{1}, 1)
	s.epoch(1, 1e9)
	s.setWeights(0, 2, []uint16{0}, []uint16{65535})
	out := s.epoch(2, 1e9)
	if out.Consensus[0] != 0 || out.Incentive[0] != 0 || out.Dividends[0] != 0 {
		t.Errorf("C=%v I=%v D=%v", out.Consensus, out.Incentive, out.Dividends)
	}
}

// TestCommitRevealMask: with commit-reveal on, a weight committed before the
// target uid's registration is dropped; without a commit or with CR off it counts.
func TestCommitRevealMask(t *testing.T) {
	p := mockParams()
	p.Tempo = 10
	base := func(cr bool, commit uint64) Output {
		p.CommitReveal = cr
		in := Input{Params: p, Emission: 1e9, Neurons: []Neuron{
			{Stake: 1, LastUpdate: 20, BlockAtRegistration: 1, ValidatorPermit: true, CommitBlock: commit,
				Weights: []Entry{{1, 65535}, {2, 65535}}},
			{LastUpdate: 5, BlockAtRegistration: 5},
			{LastUpdate: 15, BlockAtRegistration: 15},
		}}
		p.Block = 21
		in.Params = p
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := base(true, 10); out.Incentive[1] != 65535 || out.Incentive[2] != 0 {
		t.Errorf("commit at 10: incentive %v, want all on uid 1", out.Incentive)
	}
	for _, out := range []Output{base(true, 0), base(false, 10)} {
		if out.Incentive[1] != 32767 || out.Incentive[2] != 32767 {
			t.Errorf("no mask: incentive %v, want split", out.Incentive)
		}
	}
}
