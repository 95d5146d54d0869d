package client

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	"pgregory.net/rapid"
)

func TestParseTAO(t *testing.T) {
	good := map[string]uint64{"1": 1e9, "0.5": 5e8, "12.000000001": 12_000_000_001, ".25": 25e7, "3.": 3e9,
		"18446744073": 18446744073 * 1e9, "18446744073.709551615": 18446744073709551615}
	for s, want := range good {
		if got, err := ParseTAO(s); err != nil || got != want {
			t.Errorf("ParseTAO(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", ".", "-1", "1e9", "0.0000000001", "abc", "1.2.3", "18446744073.709551616", "99999999999999999999", " 1 2"} {
		if v, err := ParseTAO(s); err == nil {
			t.Errorf("ParseTAO(%q) = %d, want error", s, v)
		}
	}
}

func TestTAORoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rao := rapid.Uint64().Draw(t, "rao")
		got, err := ParseTAO(FormatTAO(rao))
		if err != nil || got != rao {
			t.Fatalf("round trip %d -> %q -> %d, %v", rao, FormatTAO(rao), got, err)
		}
	})
}

func FuzzParseTAO(f *testing.F) {
	for _, s := range []string{"1", "0.5", "", ".", "1.0000000001", "18446744073.709551615"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTAO(s)
		if err == nil {
			if back, err := ParseTAO(FormatTAO(v)); err != nil || back != v {
				t.Fatalf("%q -> %d does not round trip", s, v)
			}
		}
	})
}

func TestWeightsToU16(t *testing.T) {
	got, err := WeightsToU16([]float64{0.5, 0.25, 0, 1})
	if err != nil || got[0] != 32768 || got[1] != 16384 || got[2] != 0 || got[3] != 65535 {
		t.Fatalf("got %v %v", got, err)
	}
	for _, bad := range [][]float64{nil, {0, 0}, {-1, 1}, {1, nanF()}, {1, math.Inf(1)}} {
		if _, err := WeightsToU16(bad); err == nil {
			t.Errorf("WeightsToU16(%v) accepted", bad)
		}
	}
	if _, err := ParseUIDs("1,x"); err == nil {
		t.Error("bad uid accepted")
	}
	if u, err := ParseUIDs(" 1, 2 ,70"); err != nil || len(u) != 3 || u[2] != 70 {
		t.Errorf("ParseUIDs = %v %v", u, err)
	}
}

func nanF() float64 { z := 0.0; return z / z }

func TestMetagraphTable(t *testing.T) {
	m := &chain.Metagraph{Netuid: 1, Block: 42, N: 2, Hotkeys: []string{"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
		Stake: []uint64{1e9, 0}, Incentive: []uint16{0, 65535}, ValidatorPermit: []bool{true, false},
		Axons: []chain.AxonInfo{{}, {IP: "127.0.0.1", Port: 8091}}}
	var b bytes.Buffer
	if err := WriteMetagraphTable(&b, m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"netuid 1 at block 42", "5Grwva…KutQY"[:6], "1.0000", "127.0.0.1:8091", "*"} {
		if !strings.Contains(out, want) {
			t.Fatalf("table lacks %q:\n%s", want, out)
		}
	}
}

func FuzzReadSSE(f *testing.F) {
	f.Add("event: block\ndata: {\"height\":1}\n\n: ping\n\n")
	f.Add("data: a\ndata: b\n\n")
	f.Add("event:x\n\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		_ = readSSE(strings.NewReader(s), func(ev, data string) bool {
			n++
			if ev == "" {
				t.Fatal("empty event name")
			}
			return n < 1000
		})
	})
}

func TestReadSSE(t *testing.T) {
	var got []string
	readSSE(strings.NewReader("event: block\ndata: {\"height\":1}\n\n: ping\n\ndata: a\ndata: b\n\n"), func(ev, data string) bool {
		got = append(got, ev+"="+data)
		return true
	})
	if len(got) != 2 || got[0] != `block={"height":1}` || got[1] != "message=a\nb" {
		t.Fatalf("got %q", got)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
