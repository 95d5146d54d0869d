package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestConvert(t *testing.T) {
	in := `goos: linux
BenchmarkEpoch4096/yuma3         	      20	  13912345 ns/op	        15200000 cpu-ns/op	18000000 B/op	    1200 allocs/op
BenchmarkNNZPass4096-2   	    9000	    130000 ns/op
PASS
`
	var out bytes.Buffer
	n, err := convert(strings.NewReader(in), &out)
	if err != nil || n != 2 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	want := "BENCH\tEpoch4096/yuma3\ttime per op=13.91 ms\tcpu time per op=15.20 ms\tB/op=18000000\tallocs/op=1200\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("missing %q in\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "BENCH\tNNZPass4096\ttime per op=0.130 ms\n") {
		t.Errorf("suffix not trimmed:\n%s", out.String())
	}
	if !strings.HasPrefix(out.String(), "goos: linux\n") {
		t.Error("input not echoed")
	}
}

func TestConvertFailure(t *testing.T) {
	_, err := convert(strings.NewReader("BenchmarkX 1 5 ns/op\n--- FAIL: BenchmarkY\nFAIL\n"), &bytes.Buffer{})
	if err == nil {
		t.Fatal("a failed run must be an error")
	}
}

func TestNotResults(t *testing.T) {
	for _, l := range []string{"BenchmarkX", "BenchmarkX abc 5 ns/op", "Benchmark 1 x ns/op", "ok  pkg 1s"} {
		if _, ok := benchRow(l); ok {
			t.Errorf("%q taken as a result", l)
		}
	}
}
