package timelock

import (
	"strings"
	"testing"
	"time"
)

// TestRevealRoundAsBittensorDrand: the reveal round of bittensor-drand's
// generate_commit (src/drand.rs), worked by hand for the parameters of its
// own tests (tests/test_commit_reveal.py) at fixed clock readings.
func TestRevealRoundAsBittensorDrand(t *testing.T) {
	cases := []struct {
		name string
		p    RevealParams
		now  time.Time
		want uint64
	}{
		// epoch (1000+2)/101 = 9, reveal epoch 11, first block 11·101−2 = 1109,
		// +3 = 1112, 112 blocks = 1344 s; (1700001344.5 − 1692803367)/3 = 2399325.83
		{"test_get_encrypted_commits", RevealParams{CurrentBlock: 1000, Tempo: 100, Netuid: 1, RevealPeriod: 2, BlockTime: 12},
			time.Unix(1_700_000_000, 500_000_000), 2399325},
		// epoch 601/51 = 11, reveal 13, first 13·51−101 = 562, +3 = 565, 65 blocks
		// = 780 s; (1700000780 − 1692803367)/3 = 2399137.67
		{"test_generate_commit_success", RevealParams{CurrentBlock: 500, Tempo: 50, Netuid: 100, RevealPeriod: 2, BlockTime: 12},
			time.Unix(1_700_000_000, 0), 2399137},
		// tempo 360 (finney's), netuid 1, one epoch: epoch 100002/361 = 277, first
		// 278·361−2 = 100356, +3 = 100359, 359 blocks = 4308 s;
		// (1700004308 − 1692803367)/3 = 2400313.67
		{"tempo 360", RevealParams{CurrentBlock: 100_000, Tempo: 360, Netuid: 1, RevealPeriod: 1, BlockTime: 12},
			time.Unix(1_700_000_000, 0), 2400313},
		{"before genesis", RevealParams{CurrentBlock: 1, Tempo: 10, Netuid: 1, RevealPeriod: 1, BlockTime: 12},
			time.Unix(1_000_000_000, 0), 1},
	}
	for _, c := range cases {
		if got := Quicknet.RevealRound(c.p, c.now); got != c.want {
			t.Errorf("%s: RevealRound = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestRoundSchedule: drand numbers round 1 at genesis; CheckFuture refuses
// rounds already published.
func TestRoundSchedule(t *testing.T) {
	g := time.Unix(Quicknet.GenesisTime, 0)
	if Quicknet.RoundAt(g) != 1 || Quicknet.RoundAt(g.Add(2999*time.Millisecond)) != 1 || Quicknet.RoundAt(g.Add(3*time.Second)) != 2 {
		t.Fatal("round schedule")
	}
	if Quicknet.RoundAt(g.Add(-time.Second)) != 0 || !Quicknet.RoundTime(1000).Equal(g.Add(2997*time.Second)) {
		t.Fatal("round times")
	}
	now := g.Add(3000 * time.Second) // round 1001
	if err := Quicknet.CheckFuture(1001, now); err == nil || !strings.Contains(err.Error(), "in the past") {
		t.Fatalf("published round accepted: %v", err)
	}
	if err := Quicknet.CheckFuture(1002, now); err != nil {
		t.Fatal(err)
	}
}
