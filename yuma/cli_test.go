package yuma

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestRunEpochFile runs the `taonet yuma epoch` logic on the test_bonds block-2
// scenario and checks the upstream vector in the JSON output.
func TestRunEpochFile(t *testing.T) {
	f, err := os.Open("testdata/test_bonds_block2.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := RunEpoch(f, &buf); err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	keys := []string{"consensus", "incentive", "dividends", "validator_trust", "validator_permit", "bonds",
		"server_emission", "validator_emission", "emission"}
	if len(got) != len(keys) {
		t.Errorf("output has %d keys, want %d", len(got), len(keys))
	}
	for _, k := range keys {
		if _, ok := got[k]; !ok {
			t.Errorf("output lacks %q", k)
		}
	}
	var e []uint64
	_ = json.Unmarshal(got["emission"], &e)
	want := "[49999998 99999999 150000000 200000001 49998779 100000610 149996337 200004272]"
	if fmt.Sprint(e) != want {
		t.Errorf("emission %v, want %s", e, want)
	}
	var bonds [][][2]uint16
	_ = json.Unmarshal(got["bonds"], &bonds)
	var col4 []uint16
	for i := 0; i < 4; i++ {
		for _, p := range bonds[i] {
			if p[0] == 4 {
				col4 = append(col4, p[1])
			}
		}
	}
	if fmtU16(col4) != "16383 32767 49151 65535" {
		t.Errorf("bonds column 4 = %v", col4)
	}
	if string(got["bonds"]) == "" || !strings.Contains(buf.String(), `"bonds": [`) {
		t.Errorf("bonds missing")
	}
}

func fmtU16(x []uint16) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.Itoa(int(v))
	}
	return strings.Join(s, " ")
}

// TestRunSimulateFile runs the `taonet yuma simulate` logic on the
// kappa_moves_first example and checks the dividends of every epoch (CSV) and
// that the table mentions every epoch.
func TestRunSimulateFile(t *testing.T) {
	data, err := os.ReadFile("testdata/kappa_moves_first.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RunSimulate(bytes.NewReader(data), &buf, 6, true); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+6*5 {
		t.Fatalf("%d CSV records, want %d", len(recs), 1+6*5)
	}
	want := [][3]float64{{0.8, 0.1, 0.1}, {1, 0, 0}, {0.9382, 0.0618, 0}, {0.8819, 0.0773, 0.0407},
		{0.8564, 0.0844, 0.0592}, {0.8418, 0.0884, 0.0697}}
	for _, r := range recs[1:] {
		e, _ := strconv.Atoi(r[0])
		uid, _ := strconv.Atoi(r[2])
		if uid > 2 {
			continue
		}
		d, _ := strconv.Atoi(r[6])
		if diff := float64(d)/65535 - want[e][uid]; diff > 1e-3 || diff < -1e-3 {
			t.Errorf("epoch %d uid %d dividends %d, want %.4f", e, uid, d, want[e][uid])
		}
	}
	buf.Reset()
	if err := RunSimulate(bytes.NewReader(data), &buf, 6, false); err != nil {
		t.Fatal(err)
	}
	for e := 0; e < 6; e++ {
		if !strings.Contains(buf.String(), "epoch "+strconv.Itoa(e)) {
			t.Errorf("table lacks epoch %d:\n%s", e, buf.String())
		}
	}
}

func TestApplyOverrides(t *testing.T) {
	data, err := os.ReadFile("testdata/kappa_moves_first.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ApplyOverrides(bytes.NewReader(data), []string{"liquid_alpha=false", "bonds_moving_average=900000", "owner_uid=0"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScenario(r)
	if err != nil {
		t.Fatal(err)
	}
	p := sc.Input.Params
	if p.LiquidAlpha || p.BondsMovingAverage != 900000 || p.OwnerUID != 0 || !p.Yuma3 {
		t.Errorf("overrides not applied: %+v", p)
	}
	for _, bad := range [][]string{{"kappa"}, {"=1"}, {"kappa=abc"}} {
		if _, err := ApplyOverrides(bytes.NewReader(data), bad); err == nil {
			t.Errorf("--set %v accepted", bad)
		}
	}
	r, _ = ApplyOverrides(bytes.NewReader(data), []string{"kappa=70000"})
	if _, err := ParseScenario(r); err == nil || !strings.HasPrefix(err.Error(), "kappa") {
		t.Errorf("out-of-range override: %v", err)
	}
	if _, err := ApplyOverrides(strings.NewReader("[1]"), []string{"kappa=1"}); err == nil {
		t.Error("non-object scenario accepted")
	}
}

// TestEpochConcurrent runs the same input from several goroutines (run with
// -race): Epoch shares no state, so every result is identical.
func TestEpochConcurrent(t *testing.T) {
	in := benchInput(128, 16, 64, liquidParams())
	want, err := Epoch(in)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			got, err := Epoch(in)
			if err == nil && fmt.Sprint(got) != fmt.Sprint(want) {
				err = fmt.Errorf("concurrent result differs")
			}
			errs <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
