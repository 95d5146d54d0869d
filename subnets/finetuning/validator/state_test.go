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
	s.Weights["g1"] = map[uint16]float64{3: 0.1 + 0.2, 7: 1.0 / 3}
	s.Keep["g1"] = []uint16{3, 7}
	s.Models["hk"] = &Record{UID: 3, Hotkey: "hk", Commitment: "c", Block: 9, MeanLoss: 1.5}
	s.LastSeed = 40
	if err := s.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Floats survive exactly: resumed validators keep agreeing bit for bit.
	if got.Weights["g1"][3] != 0.1+0.2 || got.Weights["g1"][7] != 1.0/3 || got.LastSeed != 40 || got.Models["hk"].Block != 9 {
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
		Weights: map[uint16]float64{3: 1}, Total: time.Second})
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
		got["finetune_validator_weight"] != 1 || got["finetune_validator_steps_total"] != 1 {
		t.Fatalf("metrics %v", got)
	}
}

func TestPruneCache(t *testing.T) {
	root := t.TempDir()
	mk := func(repo string) string {
		d := filepath.Join(root, "models--"+repo, "snapshots", "0123")
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "model.safetensors"), []byte("x"), 0o644)
		return d
	}
	keep, drop := mk("a--m"), mk("b--m")
	other := filepath.Join(root, "elsewhere")
	os.MkdirAll(other, 0o755)
	st := newState()
	st.Keep["g1"] = []uint16{1}
	st.Models["hk1"] = &Record{UID: 1, Dir: keep}
	st.Models["hk2"] = &Record{UID: 2, Dir: drop}
	st.Models["hk3"] = &Record{UID: 3, Dir: other} // not the hub layout: untouched
	pruneCache(st, slog.New(slog.DiscardHandler))
	if !dirExists(keep) || dirExists(filepath.Join(root, "models--b--m")) || !dirExists(other) {
		t.Fatal("wrong directories pruned")
	}
	if st.Models["hk1"].Dir == "" || st.Models["hk2"].Dir != "" || st.Models["hk3"].Dir != other {
		t.Fatalf("records %+v %+v %+v", st.Models["hk1"], st.Models["hk2"], st.Models["hk3"])
	}
}
