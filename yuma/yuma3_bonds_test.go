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
