package synapse

import (
	"encoding/json"
	"os"
	"testing"
)

// TestPyReprGoldenFile checks str(list) and the body hash against CPython on 300 random
// message lists mixing ASCII, controls, quotes, Latin, combining marks, format
// characters, CJK, private use, specials, emoji, tags and astral code points
// (testdata/pyrepr_golden.json, from testdata/gen_pyrepr_golden.py with CPython 3.11 /
// Unicode 14). Unassigned code points are excluded: their repr changes when a later
// Unicode version assigns them, so it depends on the peer's Python version.
func TestPyReprGoldenFile(t *testing.T) {
	raw, err := os.ReadFile("testdata/pyrepr_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Unicode string `json:"unicode"`
		Cases   []struct {
			Messages []string `json:"messages"`
			Str      string   `json:"str"`
			Hash     string   `json:"hash"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 300 {
		t.Fatalf("only %d cases", len(g.Cases))
	}
	for i, c := range g.Cases {
		if c.Messages == nil {
			c.Messages = []string{}
		}
		got, err := PyStr(c.Messages)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.Str {
			t.Errorf("case %d: PyStr\n got %q\nwant %q", i, got, c.Str)
			continue
		}
		h, err := BodyHash(&hashOnly{Messages: c.Messages})
		if err != nil {
			t.Fatal(err)
		}
		if h != c.Hash {
			t.Errorf("case %d: hash %s, want %s", i, h, c.Hash)
		}
	}
}
