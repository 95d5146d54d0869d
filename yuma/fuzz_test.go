package yuma

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// errorKeys are the prefixes a scenario error may start with: a scenario key
// (possibly indexed), "unknown key", "scenario" or "reading".
var errorKeys = []string{"block", "tempo", "last_mechanism_step", "activity_cutoff", "kappa", "bonds_penalty",
	"bonds_moving_average", "yuma3", "liquid_alpha", "alpha_low", "alpha_high", "alpha_sigmoid_steepness",
	"max_allowed_validators", "stake_threshold", "owner_uid", "emission", "stake", "last_update",
	"block_at_registration", "validator_permit", "weights", "bonds", "weights_by_epoch", "unknown key", "scenario", "reading"}

func namesField(msg string) bool {
	for _, k := range errorKeys {
		if strings.HasPrefix(msg, k) {
			return true
		}
	}
	return false
}

func FuzzParseScenario(f *testing.F) {
	for _, name := range []string{"testdata/test_bonds_block2.json", "testdata/kappa_moves_first.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"block":1,"stake":[1,2],"weights":[[[1,65535]],[]],"owner_uid":0}`,
		`{"block":1,"stake":[1,2],"weights":[[[5,1]],[]]}`,
		`{"block":1,"stake":[1,2],"kappa":70000}`,
		`{"block":1,"stake":[1,2],"foo":1}`,
		`{"block":1,"stake":[1,2`,
		`{"block":1,"stake":[1,2],"last_update":[1]}`,
		`{"block":1,"stake":[1,2],"weights":[[[1,"x"]],null]}`,
		`{"block":1,"stake":[18446744073709551615,1]}`,
		`{"block":18446744073709551615,"stake":[0,0,0],"tempo":65535,"max_allowed_validators":0,"yuma3":true,"liquid_alpha":true}`,
		`{"block":9,"stake":[5,5,0],"bonds":[[[2,65535]],[],[]],"weights_by_epoch":[[[[2,1]],[],[]]]}`,
		`[]`, `null`, `{}`, `{"block":1,"stake":[]} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario(bytes.NewReader(data))
		if err != nil {
			if !namesField(err.Error()) {
				t.Fatalf("error does not name a field: %q", err)
			}
			return
		}
		n := len(sc.Input.Neurons)
		if n > 256 {
			return
		}
		out, err := Epoch(sc.Input)
		if err != nil {
			if !namesField(err.Error()) {
				t.Fatalf("epoch error does not name a field: %q", err)
			}
			return
		}
		checkShape(t, out, n, sc.Input.Emission)
		if _, err := MarshalOutput(out); err != nil {
			t.Fatal(err)
		}
		if _, err := Simulate(sc, 2); err != nil && !namesField(strings.TrimPrefix(err.Error(), "epoch 1: ")) {
			t.Fatalf("simulate: %v", err)
		}
	})
}

type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkShape asserts invariants every epoch output has exactly.
func checkShape(t fataler, out Output, n int, emission uint64) {
	t.Helper()
	for name, l := range map[string]int{"active": len(out.Active), "consensus": len(out.Consensus),
		"incentive": len(out.Incentive), "dividends": len(out.Dividends), "validator_trust": len(out.ValidatorTrust),
		"validator_permit": len(out.ValidatorPermit), "bonds": len(out.Bonds), "server_emission": len(out.ServerEmission),
		"validator_emission": len(out.ValidatorEmission), "emission": len(out.Emission)} {
		if l != n {
			t.Fatalf("%s has %d entries, want %d", name, l, n)
		}
	}
	var sum, split uint64
	for i := 0; i < n; i++ {
		sum += out.Emission[i]
		split += out.ServerEmission[i] + out.ValidatorEmission[i]
		if out.Emission[i] > emission {
			t.Fatalf("emission[%d] = %d > %d", i, out.Emission[i], emission)
		}
		if !out.ValidatorPermit[i] && len(out.Bonds[i]) != 0 {
			t.Fatalf("uid %d without permit keeps bonds %v", i, out.Bonds[i])
		}
		for _, e := range out.Bonds[i] {
			if int(e.UID) >= n {
				t.Fatalf("bond uid %d out of range", e.UID)
			}
		}
	}
	if sum > emission || split > emission {
		t.Fatalf("emissions sum to %d (split %d) > %d", sum, split, emission)
	}
}
