package synapse

import (
	"math"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// Golden values produced by CPython 3 (str(list) and hashlib.sha3_256).
var pyListGolden = []struct {
	in       []string
	str      string
	bodyHash string
}{
	{[]string{"Hello"}, "['Hello']", "7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f"},
	{[]string{}, "[]", "a8ea28e4d52d34cdb5899a7d172856e378d786898fd92d0af8659a25bbee7098"},
	{[]string{"a", "it's", "x\u000ay"}, "['a', \"it's\", 'x\\ny']", "391fad046c6d8691d501d3204239da776defac07b4a7120ba3bbe683312a5196"},
	{[]string{"say \"hi\"", "both ' and \""}, "['say \"hi\"', 'both \\' and \"']", "e8f60e6bdf1f4dbc4104b98991d046a6a30977db2adb62a7add8c080df1242fa"},
	{[]string{"tab\u0009here", "back\\slash", "\u0000\u001f\u007f\u0080\u009f\u00a0", "\u00e9 \u00fc \u00df \u4e2d\u6587 \U0001f642", "\u200b\u2028\ufeff", "\U000e0001"}, "['tab\\there', 'back\\\\slash', '\\x00\\x1f\\x7f\\x80\\x9f\\xa0', '\u00e9 \u00fc \u00df \u4e2d\u6587 \U0001f642', '\\u200b\\u2028\\ufeff', '\\U000e0001']", "51bdf1d7adb3e39a2283ca5a1247ea55ce7dc6137ae85a530961393a626e8875"},
	{[]string{"\u000d", "''", "\"\"", "'\"", "\u00ad\u0378\ue000"}, "['\\r', \"''\", '\"\"', '\\'\"', '\\xad\\u0378\\ue000']", "6da92def5c234dd5f69939b03a2640d778c647b1fed3f120899f758ad644c4cc"},
}

type hashOnly struct {
	Messages []string `json:"messages" synapse:"required,hash"`
	Other    string   `json:"other"`
}

func TestPyStrAndBodyHashGolden(t *testing.T) {
	for _, g := range pyListGolden {
		got, err := PyStr(g.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != g.str {
			t.Errorf("PyStr(%q)\n got %s\nwant %s", g.in, got, g.str)
		}
		h, err := BodyHash(&hashOnly{Messages: g.in, Other: "not hashed"})
		if err != nil {
			t.Fatal(err)
		}
		if h != g.bodyHash {
			t.Errorf("BodyHash(%q) = %s, want %s", g.in, h, g.bodyHash)
		}
	}
}

// The spec's test vector (§2.3).
func TestBodyHashSpecVector(t *testing.T) {
	h, err := BodyHash(&hashOnly{Messages: []string{"Hello"}})
	if err != nil {
		t.Fatal(err)
	}
	if h != "7d572de8b8df200488c8c72bb6a1588ac7073e7c32d036d196ba7f7b2ada3e3f" {
		t.Fatalf("body hash %s", h)
	}
	type noHash struct {
		X string `json:"x"`
	}
	h, err = BodyHash(&noHash{X: "anything"})
	if err != nil {
		t.Fatal(err)
	}
	if h != EmptyBodyHash {
		t.Fatalf("empty body hash %s", h)
	}
}

func TestPyStrScalars(t *testing.T) {
	ptr := "p"
	var nilSlice []string
	cases := []struct {
		in   any
		want string
	}{
		{"plain 'str' is itself", "plain 'str' is itself"},
		{true, "True"}, {false, "False"},
		{int64(-42), "-42"}, {uint8(7), "7"},
		{15.0, "15.0"}, {0.1, "0.1"}, {1e16, "1e+16"}, {1e-5, "1e-05"}, {0.0001, "0.0001"},
		{123456789012345678.0, "1.2345678901234568e+17"}, {math.Copysign(0, -1), "-0.0"},
		{1e22, "1e+22"}, {5e-324, "5e-324"}, {1.5e-7, "1.5e-07"}, {9999999999999998.0, "9999999999999998.0"},
		{1234.5678, "1234.5678"}, {0.30000000000000004, "0.30000000000000004"}, {1e15, "1000000000000000.0"},
		{2.5e-5, "2.5e-05"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
		{float32(0.1), "0.1"},
		{[]any{"x", 1}, "['x', 1]"}, {[][]int{{1, 2}, {}}, "[[1, 2], []]"}, {[]float64{1, 0.5}, "[1.0, 0.5]"},
		{&ptr, "p"}, {(*string)(nil), "None"}, {nilSlice, "None"}, {[]*string{nil}, "[None]"},
		{[2]bool{true, false}, "[True, False]"},
		{"bad\xffutf8", "bad\uFFFDutf8"}, {[]string{"bad\xff"}, "['bad\uFFFD']"},
	}
	for _, c := range cases {
		got, err := PyStr(c.in)
		if err != nil {
			t.Errorf("PyStr(%#v): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("PyStr(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []any{map[string]int{}, struct{}{}, []byte("x"), make(chan int)} {
		if _, err := PyStr(bad); err == nil {
			t.Errorf("PyStr(%T) should fail", bad)
		}
	}
}

// PyFloat must round-trip: Python's repr is the shortest string that parses back.
func TestPyFloatRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := math.Float64frombits(rapid.Uint64().Draw(t, "bits"))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		s := PyFloat(f)
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != f || math.Signbit(back) != math.Signbit(f) {
			t.Fatalf("PyFloat(%v) = %q does not round-trip (%v, %v)", f, s, back, err)
		}
	})
}

func FuzzPyRepr(f *testing.F) {
	for _, g := range pyListGolden {
		for _, s := range g.in {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := PyRepr(s)
		if err != nil {
			t.Fatal(err)
		}
		// A repr never contains raw control characters and is quoted.
		for _, c := range []byte(r) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("raw control byte %#x in %q", c, r)
			}
		}
		if len(r) < 2 || r[0] != r[len(r)-1] || (r[0] != '\'' && r[0] != '"') {
			t.Fatalf("bad quoting %q", r)
		}
	})
}
