package validator

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadState(dir)
	if err != nil || s.LastSeed != 0 || len(s.Models) != 0 {
		t.Fatalf("fresh state: %+v %v", s, err)
	}
	s.Models["hk"] = &Record{UID: 3, Hotkey: "hk", Commitment: "c", Block: 9, MeanLoss: 0.1 + 0.2, WinRate: 1.0 / 3}
	s.LastSeed = 40
	if err := s.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Floats survive exactly: resumed validators keep agreeing bit for bit.
	if got.Models["hk"].MeanLoss != 0.1+0.2 || got.Models["hk"].WinRate != 1.0/3 || got.LastSeed != 40 || got.Models["hk"].Block != 9 {
		t.Fatalf("round trip: %+v", got)
	}
	// No temp files left behind.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("dir has %d entries", len(ents))
	}
}

func TestStateErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, StateFile), []byte("{not json"), 0o644)
	if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), StateFile) {
		t.Fatalf("corrupt: %v", err)
	}
	os.WriteFile(filepath.Join(dir, StateFile), []byte(`{"version": 99}`), 0o644)
	if _, err := LoadState(dir); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("version: %v", err)
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	WriteTable(&b, &StepReport{SeedBlock: 10, Competition: "g1",
		Models:   []ModelResult{{UID: 2, Commitment: "ns:name:0123456789abcdef0123456789abcdef01234567:h:g1", Block: 5, MeanLoss: 1.25, WinRate: 0.5}, {UID: 3, MeanLoss: math.NaN()}},
		Weights:  map[uint16]float64{2: 1},
		Rejected: []Rejected{{UID: 4, Hotkey: "hk", Reason: "too big"}},
		Total:    time.Second})
	out := b.String()
	for _, want := range []string{"seed=10", "ns:name@01234567", "1.2500", "0.5000", "1.0000", "inf", "rejected uid 4 (hk): too big"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestCompetitionRotation(t *testing.T) {
	cfg := testConfig(t)
	v := &Validator{o: Options{Config: cfg}}
	got := ""
	for seed := uint64(10); seed <= 60; seed += 10 {
		got += v.competitionAt(seed).ID + ","
	}
	// Competitions alternate by seed block, so validators agree on the order.
	if got != "b2,a1,b2,a1,b2,a1," {
		t.Fatalf("rotation %s", got)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.observe(&StepReport{SeedBlock: 20, Samples: 5, Models: []ModelResult{{UID: 3, MeanLoss: 1.5, WinRate: 0.25}},
		Weights: map[uint16]float64{3: 1}, Total: time.Second, CaughtUp: []CaughtUp{{Seed: 10}}, Missing: []Missing{{Seed: 0}, {Seed: 10}}})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, x := range mf.GetMetric() {
			if x.Gauge != nil {
				got[mf.GetName()] = x.Gauge.GetValue()
			}
			if x.Counter != nil {
				got[mf.GetName()] = x.Counter.GetValue()
			}
		}
	}
	if got["finetune_validator_seed_block"] != 20 || got["finetune_validator_win_rate"] != 0.25 ||
		got["finetune_validator_weight"] != 1 || got["finetune_validator_steps_total"] != 1 ||
		got["finetune_validator_caught_up_seeds_total"] != 1 || got["finetune_validator_window_missing_seeds"] != 2 {
		t.Fatalf("metrics %v", got)
	}
}

func TestDropDownloads(t *testing.T) {
	root := t.TempDir()
	mk := func(repo, rev string) string {
		d := filepath.Join(root, "models--"+repo, "snapshots", rev)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "model.safetensors"), []byte("x"), 0o644)
		return d
	}
	cur, old, gone := mk("a--m", "0124"), mk("a--m", "0123"), mk("b--m", "0123")
	other := filepath.Join(root, "elsewhere", "snapshots", "x")
	os.MkdirAll(other, 0o755)
	st := newState()
	st.Models["hk1"] = &Record{UID: 1, Dir: cur} // recommitted in the same repo: old revision dropped, repo in use
	dropDownloads(st, []string{old, gone, other, ""}, slog.New(slog.DiscardHandler))
	if !dirExists(cur) || dirExists(filepath.Join(root, "models--b--m")) || !dirExists(other) {
		t.Fatal("wrong directories pruned")
	}
}

// A version-1 state (moving average) loads as version 2 without its weights.
func TestStateV1Loads(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, StateFile), []byte(`{"version":1,"weights":{"g1":{"3":0.5}},"keep":{"g1":[3]},"models":{"hk":{"uid":3,"hotkey":"hk","block":9}},"last_seed":40}`), 0o644)
	s, err := LoadState(dir)
	if err != nil || s.Version != stateVersion || s.LastSeed != 40 || s.Models["hk"].Block != 9 {
		t.Fatalf("v1 state: %+v %v", s, err)
	}
}
