package main

import (
	"bytes"
	"strings"
	"testing"
)

// runYuma executes the real cobra command tree with args and stdin.
func runYuma(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetArgs(args)
	rootCmd.SetIn(strings.NewReader(stdin))
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	err := rootCmd.Execute()
	return out.String(), err
}

func TestYumaEpochCommand(t *testing.T) {
	out, err := runYuma(t, "", "yuma", "epoch", "--in", "../../yuma/testdata/test_bonds_block2.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"emission": [49999998,99999999,150000000,200000001,49998779,100000610,149996337,200004272]`) {
		t.Errorf("unexpected output:\n%s", out)
	}
	out, err = runYuma(t, `{"block":1,"stake":[1,2],"weights":[[[7,1]],[]]}`, "yuma", "epoch", "--in", "-")
	if err == nil || !strings.Contains(err.Error(), "weights[0][0]: uid 7 out of range") {
		t.Errorf("bad uid: err %v, out %s", err, out)
	}
}

func TestYumaSimulateCommand(t *testing.T) {
	out, err := runYuma(t, "", "yuma", "simulate", "--in", "../../yuma/testdata/kappa_moves_first.json", "--epochs", "3", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out, "\n"); lines != 1+3*5 {
		t.Errorf("%d CSV lines, want 16:\n%s", lines, out)
	}
	if _, err := runYuma(t, "", "yuma", "simulate", "--in", "../../yuma/testdata/kappa_moves_first.json", "--epochs", "0"); err == nil {
		t.Error("--epochs 0 must fail")
	}
	out, err = runYuma(t, "", "yuma", "simulate", "--in", "../../yuma/testdata/kappa_moves_first.json",
		"--epochs", "2", "--csv=false", "--set", "liquid_alpha=false")
	if err != nil || !strings.Contains(out, "epoch 1") || !strings.Contains(out, "3:0.0250") {
		t.Errorf("--set liquid_alpha=false: err %v\n%s", err, out)
	}
}
