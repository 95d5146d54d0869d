package yuma

import "testing"

// TestYuma3KappaMovesFirstBonds checks the upstream-authored bond targets of
// kappa_moves_first (written in the upstream test, within 1e-3).
func TestYuma3KappaMovesFirstBonds(t *testing.T) {
	s := yuma3Setup(t, []uint64{8, 1, 1, 0, 0})
	tab := [][3][]uint16{{to3, to3, to3}, {to4, to3, to3}, {to4, to4, to3}, {to4, to4, to4}}
	want := [][3][2]float64{
		{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
		{{0.0908, 0.1013}, {0.3697, 0}, {0.3697, 0}},
		{{0.0815, 0.1924}, {0.3170, 0.1013}, {0.5580, 0}},
		{{0.0731, 0.2742}, {0.2765, 0.1924}, {0.4306, 0.1013}},
		{{0.0656, 0.3478}, {0.2435, 0.2742}, {0.3589, 0.1924}},
		{{0.0588, 0.4139}, {0.2157, 0.3478}, {0.3089, 0.2742}},
	}
	block := uint64(1)
	for e := range want {
		w := pick(e, tab)
		block++
		for v := 0; v < 3; v++ {
			s.setWeights(v, block, []uint16{3, 4}, w[v])
		}
		block++
		out := s.epoch(block, 1e9)
		for v := 0; v < 3; v++ {
			for k, j := range []uint16{3, 4} {
				b := float64(bondAt(out.Bonds[v], j)) / 65535
				if d := b - want[e][v][k]; d > 1e-3 || d < -1e-3 {
					t.Errorf("epoch %d bond[%d][%d] = %.4f, want %.4f", e, v, j, b, want[e][v][k])
				}
			}
		}
	}
}

// bondTargets are upstream-authored Yuma3 bond targets (validators A, B, C on
// miners 3 and 4) per epoch, checked within 1e-3.
type bondTargets map[int][3][2]float64

func checkYuma3Bonds(t *testing.T, stake []uint64, liquid bool, weights func(e int) [3][]uint16, epochs int, want bondTargets) {
	t.Helper()
	s := yuma3Setup(t, stake)
	s.p.LiquidAlpha = liquid
	block := uint64(1)
	for e := 0; e < epochs; e++ {
		w := weights(e)
		block++
		for v := 0; v < 3; v++ {
			s.setWeights(v, block, []uint16{3, 4}, w[v])
		}
		block++
		out := s.epoch(block, 1e9)
		tg, ok := want[e]
		if !ok {
			continue
		}
		for v := 0; v < 3; v++ {
			for k, j := range []uint16{3, 4} {
				if tg[v][k] < 0 {
					continue
				}
				b := float64(bondAt(out.Bonds[v], j)) / 65535
				if d := b - tg[v][k]; d > 1e-3 || d < -1e-3 {
					t.Errorf("epoch %d bond[%d][%d] = %.4f, want %.4f", e, v, j, b, tg[v][k])
				}
			}
		}
	}
}

func TestYuma3KappaMovesSecondBonds(t *testing.T) {
	tab := [][3][]uint16{{to3, to3, to3}, {to3, to4, to3}, {to4, to4, to3}, {to4, to4, to4}}
	checkYuma3Bonds(t, []uint64{8, 1, 1, 0, 0}, true, func(e int) [3][]uint16 { return pick(e, tab) }, 6, bondTargets{
		1: {{0.1924, 0}, {0.0908, 0.2987}, {0.1924, 0}},
		2: {{0.1715, 0.1013}, {0.0815, 0.3697}, {0.4336, 0}},
		3: {{0.1531, 0.1924}, {0.0731, 0.4336}, {0.3608, 0.1013}},
		4: {{0.1369, 0.2742}, {0.0656, 0.4910}, {0.3103, 0.1924}},
		5: {{0.1225, 0.3478}, {0.0588, 0.5426}, {0.2712, 0.2742}},
	})
}

func TestYuma3OneEpochSwitchBonds(t *testing.T) {
	ab := []float64{0.1013, 0.1924, 0.2742, 0.3478, 0.4139, 0.4733}
	want := bondTargets{}
	cs := map[int][2]float64{2: {0.1715, 0.2987}, 3: {0.2554, 0.2618}, 4: {0.3309, 0.2312}, 5: {0.3987, 0.2051}}
	for e, v := range ab {
		c := [2]float64{-1, -1}
		if x, ok := cs[e]; ok {
			c = x
		}
		want[e] = [3][2]float64{{v, -1}, {v, -1}, c}
	}
	checkYuma3Bonds(t, []uint64{33, 33, 34, 0, 0}, true, oneEpochSwitch, 6, want)
}

func TestYuma3LiquidAlphaDisabledBonds(t *testing.T) {
	ab := []float64{0.0250, 0.0494, 0.0731, 0.0963, 0.1189, 0.1409}
	cs := map[int][2]float64{2: {0.0481, 0.0250}, 3: {0.0719, 0.0244}, 4: {0.0951, 0.0238}, 5: {0.1178, 0.0232}}
	want := bondTargets{}
	for e, v := range ab {
		c := [2]float64{-1, -1}
		if x, ok := cs[e]; ok {
			c = x
		}
		want[e] = [3][2]float64{{v, -1}, {v, -1}, c}
	}
	checkYuma3Bonds(t, []uint64{33, 33, 34, 0, 0}, false, oneEpochSwitch, 6, want)
}
