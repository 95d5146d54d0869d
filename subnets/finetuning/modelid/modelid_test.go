package modelid

import (
	"strings"
	"testing"

	"github.com/taonet/taonet/hub"
)

const (
	rev  = "0123456789abcdef0123456789abcdef01234567"
	hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
)

func TestParseRoundTrip(t *testing.T) {
	s := "alice:tiny:" + rev + ":" + hash + ":g1"
	c, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != s || c.RepoID() != "alice/tiny" || c.CompetitionID != "g1" {
		t.Fatalf("round trip: %+v", c)
	}
}

func TestMaxSizeFits(t *testing.T) {
	// The longest valid commitment is exactly at or under the chain limit.
	ns := strings.Repeat("n", 20)
	name := strings.Repeat("m", MaxRepoIDLength-1-20)
	c := Commitment{Namespace: ns, Name: name, Revision: rev, Hash: hash, CompetitionID: "zz"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := len(c.String()); n != 127 {
		t.Fatalf("longest commitment %d bytes, want 127", n)
	}
}

func TestParseRejects(t *testing.T) {
	ok := func(ns, name, r, h, comp string) string { return ns + ":" + name + ":" + r + ":" + h + ":" + comp }
	cases := []struct {
		in, want string
	}{
		{"", "empty"},
		{strings.Repeat("a", 129), "129 bytes, limit 128"},
		{"alice:tiny:" + rev + ":" + hash, "legacy 4-field"},
		{ok("alice", "tiny", rev, hash, "g1") + ":x", "6 ':'-separated"},
		{ok("a", "b", rev, hash, "g1"), "3 characters, want 4..38"},
		{ok(strings.Repeat("a", 20), strings.Repeat("b", 18), rev, hash, "g1"), "39 characters"},
		{ok("al ce", "tiny", rev, hash, "g1"), "not in [A-Za-z0-9._-]"},
		{ok("-lice", "tiny", rev, hash, "g1"), "must start"},
		{ok("alice", "tiny", strings.ToUpper(rev), hash, "g1"), "lowercase hex"},
		{ok("alice", "tiny", rev[:39], hash, "g1"), "lowercase hex"},
		{ok("alice", "tiny", rev, hash[:43], "g1"), "43 characters, want 44"},
		{ok("alice", "tiny", rev, strings.Replace(hash, "=", "A", 1), "g1"), "not padded standard base64"},
		{ok("alice", "tiny", rev, strings.Replace(hash, "+", "-", 1), "g1"), "not padded standard base64"},
		{ok("alice", "tiny", rev, hash, ""), "want 1..2"},
		{ok("alice", "tiny", rev, hash, "abc"), "want 1..2"},
		{ok("alice", "tiny", rev, hash, "G1"), "not in [a-z0-9]"},
		{ok("alice", "tiny", rev, hash, "None"), "want 1..2"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestNewSaltsWithHotkey(t *testing.T) {
	h := "Vh+2jG3wiH3y9eAaGZ8Q3yE6D9x9mPj8CDhJ2cJtrUM="
	a, err := New("ns", "m1", rev, h, "5Alice", "g1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New("ns", "m1", rev, h, "5Bob", "g1")
	if a.Hash == b.Hash || a.Hash != hub.SecureHash(h, "5Alice") {
		t.Fatalf("salting: %s %s", a.Hash, b.Hash)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("alice:tiny:" + rev + ":" + hash + ":g1")
	f.Add("alice:tiny:" + rev + ":" + hash)
	f.Add("::::")
	f.Add("a/b:c:" + rev + ":" + hash + ":1")
	f.Add(strings.Repeat(":", 200))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		// Anything accepted is canonical, within limits and re-parses equal.
		if c.String() != s || len(s) > MaxCommitmentBytes {
			t.Fatalf("accepted %q but renders %q", s, c.String())
		}
		if c2, err := Parse(c.String()); err != nil || c2 != c {
			t.Fatalf("re-parse: %v", err)
		}
		if len(c.RepoID()) > MaxRepoIDLength {
			t.Fatalf("repo id too long: %q", c.RepoID())
		}
	})
}
