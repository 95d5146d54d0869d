package yuma

import "testing"

// yuma3Setup is setup_yuma_3_scenario: tempo 1, bonds penalty 0, steepness 1000,
// moving average 975 000, liquid alpha on with (0.1, 0.3), Yuma3 on, 3 validators.
func yuma3Setup(t *testing.T, stake []uint64) *chainSim {
	p := mockParams()
	p.Tempo = 1
	p.BondsPenalty = 0
	p.AlphaSigmoidSteepness = 1000
	p.BondsMovingAverage = 975000
	p.LiquidAlpha = true
	p.AlphaLow, p.AlphaHigh = 6553, 19660
	p.Yuma3 = true
	p.MaxAllowedValidators = 3
	s := newSim(t, p, stake, 1)
	s.epoch(1, 1e9)
	return s
}

// yuma3Run sets the weights of each epoch (rows for validators 0..2 over the
// miners) one block before its epoch and checks dividends within 1e-3.
func yuma3Run(t *testing.T, s *chainSim, miners []uint16, weights func(e int) [3][]uint16, want [][3]float64, hook func(e int)) {
	t.Helper()
	block := uint64(1)
	for e := range want {
		w := weights(e)
		block++
		for v := 0; v < 3; v++ {
			s.setWeights(v, block, miners, w[v])
		}
		if hook != nil {
			hook(e)
		}
		block++
		out := s.epoch(block, 1e9)
		if want[e][0] < 0 {
			continue // epoch without an upstream target
		}
		for v := 0; v < 3; v++ {
			got := float64(out.Dividends[v]) / 65535
			if d := got - want[e][v]; d > 1e-3 || d < -1e-3 {
				t.Errorf("epoch %d: D[%d] = %.4f, want %.4f (bonds %v)", e, v, got, want[e][v], out.Bonds[:3])
			}
		}
	}
}

var (
	to3 = []uint16{65535, 0}
	to4 = []uint16{0, 65535}
)

func pick(e int, table [][3][]uint16) [3][]uint16 {
	if e >= len(table) {
		e = len(table) - 1
	}
	return table[e]
}

func TestYuma3KappaMovesFirst(t *testing.T) {
	s := yuma3Setup(t, []uint64{8, 1, 1, 0, 0})
	tab := [][3][]uint16{{to3, to3, to3}, {to4, to3, to3}, {to4, to4, to3}, {to4, to4, to4}}
	yuma3Run(t, s, []uint16{3, 4}, func(e int) [3][]uint16 { return pick(e, tab) }, [][3]float64{
		{0.8, 0.1, 0.1}, {1, 0, 0}, {0.9382, 0.0618, 0}, {0.8819, 0.0773, 0.0407},
		{0.8564, 0.0844, 0.0592}, {0.8418, 0.0884, 0.0697}}, nil)
}

func TestYuma3KappaMovesSecond(t *testing.T) {
	s := yuma3Setup(t, []uint64{8, 1, 1, 0, 0})
	tab := [][3][]uint16{{to3, to3, to3}, {to3, to4, to3}, {to4, to4, to3}, {to4, to4, to4}}
	yuma3Run(t, s, []uint16{3, 4}, func(e int) [3][]uint16 { return pick(e, tab) }, [][3]float64{
		{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056}, {0.6868, 0.3132, 0}, {0.7421, 0.2090, 0.0489},
		{0.7625, 0.1706, 0.0669}, {0.7730, 0.1508, 0.0762}}, nil)
}

func TestYuma3KappaMovesLast(t *testing.T) {
	s := yuma3Setup(t, []uint64{8, 1, 1, 0, 0})
	tab := [][3][]uint16{{to3, to3, to3}, {to3, to4, to3}, {to3, to4, to4}, {to4, to4, to4}}
	yuma3Run(t, s, []uint16{3, 4}, func(e int) [3][]uint16 { return pick(e, tab) }, [][3]float64{
		{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056}, {0.8966, 0.0333, 0.0701}, {0.4663, 0.3210, 0.2127},
		{0.5976, 0.2340, 0.1683}, {0.6592, 0.1932, 0.1475}}, nil)
}

func oneEpochSwitch(e int) [3][]uint16 {
	if e == 2 {
		return [3][]uint16{to3, to3, to4}
	}
	return [3][]uint16{to3, to3, to3}
}

func TestYuma3OneEpochSwitch(t *testing.T) {
	s := yuma3Setup(t, []uint64{33, 33, 34, 0, 0})
	yuma3Run(t, s, []uint16{3, 4}, oneEpochSwitch, [][3]float64{
		{0.33, 0.33, 0.34}, {0.33, 0.33, 0.34}, {0.3782, 0.3782, 0.2436}, {0.3628, 0.3628, 0.2745},
		{0.3541, 0.3541, 0.2917}, {0.3487, 0.3487, 0.3026}}, nil)
}

func TestYuma3LiquidAlphaDisabled(t *testing.T) {
	s := yuma3Setup(t, []uint64{33, 33, 34, 0, 0})
	s.p.LiquidAlpha = false
	yuma3Run(t, s, []uint16{3, 4}, oneEpochSwitch, [][3]float64{
		{0.33, 0.33, 0.34}, {0.33, 0.33, 0.34}, {0.3734, 0.3734, 0.2532}, {0.3611, 0.3611, 0.2779},
		{0.3541, 0.3541, 0.2919}, {0.3495, 0.3495, 0.3009}}, nil)
	// with a fixed alpha the bonds follow the EMA exactly: A's bond on miner 3
	// after six epochs of full weight is 1 - 0.975^6 = 0.1409.
	if b := float64(bondAt(s.neurons[0].Bonds, 3)) / 65535; b < 0.1399 || b > 0.1419 {
		t.Errorf("bond A on miner 3 = %.4f, want 0.1409", b)
	}
}

func TestYuma3StableMiner(t *testing.T) {
	s := yuma3Setup(t, []uint64{8, 1, 1, 0, 0, 0})
	a := []uint16{32767, 0, 32767}
	b := []uint16{0, 32767, 32767}
	tab := [][3][]uint16{{a, a, a}, {a, b, a}, {b, b, a}, {b, b, b}}
	yuma3Run(t, s, []uint16{3, 4, 5}, func(e int) [3][]uint16 { return pick(e, tab) }, [][3]float64{
		{0.8, 0.1, 0.1}, {0.8226, 0.0745, 0.1028}, {0.7750, 0.1685, 0.0565}, {0.7864, 0.1372, 0.0764},
		{0.7912, 0.1241, 0.0847}, {0.7937, 0.1173, 0.0890}}, nil)
}

func TestYuma3BondsReset(t *testing.T) {
	s := yuma3Setup(t, []uint64{8, 1, 1, 0, 0})
	want := make([][3]float64, 41)
	for e := range want {
		want[e] = [3]float64{-1}
	}
	want[0] = [3]float64{0.8, 0.1, 0.1}
	want[1] = [3]float64{0.8944, 0.0528, 0.0528}
	want[2] = [3]float64{0.5230, 0.2385, 0.2385}
	want[19] = [3]float64{0.7919, 0.1040, 0.1040}
	want[20] = [3]float64{0.7928, 0.1036, 0.1036}
	want[21] = [3]float64{0.8467, 0.0766, 0.0766}
	want[40] = [3]float64{0.7928, 0.1036, 0.1036}
	weights := func(e int) [3][]uint16 {
		switch {
		case e == 0:
			return [3][]uint16{to3, to3, to3}
		case e == 1:
			return [3][]uint16{to3, to4, to4}
		case e <= 20:
			return [3][]uint16{to4, to4, to4}
		case e == 21:
			return [3][]uint16{to4, to3, to3}
		}
		return [3][]uint16{to3, to3, to3}
	}
	bondWant := map[int][3][2]float64{
		19: {{0.0269, 0.8539}, {0.0131, 0.8975}, {0.0131, 0.8975}},
		20: {{0, 0.8687}, {0, 0.9079}, {0, 0.9079}},
		21: {{0, 0.8820}, {0.2987, 0.6386}, {0.2987, 0.6386}},
	}
	reset := func(e int) {
		// the bonds stored by epoch e-1 are still in place before epoch e runs
		if w, ok := bondWant[e-1]; ok {
			for v := 0; v < 3; v++ {
				for k, j := range []uint16{3, 4} {
					if b := float64(bondAt(s.neurons[v].Bonds, j)) / 65535; b-w[v][k] > 1e-3 || w[v][k]-b > 1e-3 {
						t.Errorf("e%d bond[%d][%d] = %.4f, want %.4f", e-1, v, j, b, w[v][k])
					}
				}
			}
		}
		if e != 20 {
			return
		}
		// do_reset_bonds(uid 3): drop column 3 from every bonds row
		for i := range s.neurons {
			var row []Entry
			for _, en := range s.neurons[i].Bonds {
				if en.UID != 3 {
					row = append(row, en)
				}
			}
			s.neurons[i].Bonds = row
		}
	}
	yuma3Run(t, s, []uint16{3, 4}, weights, want, reset)
	// upstream-authored bond targets at e40 (written, not compared upstream)
	for v, w := range [][2]float64{{0.8687, 0.0578}, {0.9079, 0.0523}, {0.9079, 0.0523}} {
		for k, j := range []uint16{3, 4} {
			if b := float64(bondAt(s.neurons[v].Bonds, j)) / 65535; b-w[k] > 1e-3 || w[k]-b > 1e-3 {
				t.Errorf("e40 bond[%d][%d] = %.4f, want %.4f", v, j, b, w[k])
			}
		}
	}
}
