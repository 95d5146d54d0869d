package merlin

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"

	gtank "github.com/gtank/merlin"
	"pgregory.net/rapid"
)

// The two conformance vectors of Merlin v1.0. Expected hex copied from
// github.com/gtank/merlin v0.1.1 merlin_test.go (TestSimpleTranscript,
// TestComplexTranscript), which reproduces the Rust reference crate's
// transcript::tests (equivalence_simple, equivalence_complex).

func TestConformanceSimple(t *testing.T) {
	tr := NewTranscript("test protocol")
	tr.AppendMessage([]byte("some label"), []byte("some data"))
	var c [32]byte
	tr.ExtractBytes([]byte("challenge"), c[:])
	if got, want := hex.EncodeToString(c[:]), "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615"; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestConformanceComplex(t *testing.T) {
	tr := NewTranscript("test protocol")
	tr.AppendMessage([]byte("step1"), []byte("some data"))
	data := bytes.Repeat([]byte{99}, 1024)
	var c [32]byte
	for i := 0; i < 32; i++ {
		tr.ExtractBytes([]byte("challenge"), c[:])
		tr.AppendMessage([]byte("bigdata"), data)
		tr.AppendMessage([]byte("challengedata"), c[:])
	}
	if got, want := hex.EncodeToString(c[:]), "a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c"; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

// TestMatchesGtankMerlin runs random sequences of appends and extractions,
// with labels and lengths on both sides of the 166-byte STROBE rate, through
// this package and github.com/gtank/merlin (on mimoo/StrobeGo) and requires
// every extracted byte to agree. A copy taken mid-transcript must give the
// same extractions as the original when the remaining operations are
// replayed on it.
func TestMatchesGtankMerlin(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		label := rapid.StringN(0, 40, 400).Draw(rt, "label")
		ours, theirs := NewTranscript(label), gtank.NewTranscript(label)
		type op struct {
			label, msg []byte
			n          int // extraction length; 0 for an append
		}
		apply := func(tr *Transcript, o op) []byte {
			if o.n == 0 {
				tr.AppendMessage(o.label, o.msg)
				return nil
			}
			out := make([]byte, o.n)
			tr.ExtractBytes(o.label, out)
			return out
		}
		var fork Transcript
		var ops []op
		var outs [][]byte
		forkAt := rapid.IntRange(0, 11).Draw(rt, "forkAt")
		count := rapid.IntRange(forkAt+1, 12).Draw(rt, "ops")
		for i := 0; i < count; i++ {
			if i == forkAt {
				fork = ours
			}
			o := op{label: rapid.SliceOfN(rapid.Byte(), 0, 200).Draw(rt, "oplabel")}
			if rapid.IntRange(0, 2).Draw(rt, "kind") == 2 {
				// StrobeGo refuses a zero-length PRF, so n starts at 1.
				o.n = rapid.IntRange(1, 600).Draw(rt, "n")
			} else {
				o.msg = rapid.SliceOfN(rapid.Byte(), 0, 700).Draw(rt, "msg")
			}
			got := apply(&ours, o)
			var want []byte
			if o.n == 0 {
				theirs.AppendMessage(append([]byte(nil), o.label...), o.msg)
			} else {
				want = theirs.ExtractBytes(append([]byte(nil), o.label...), o.n)
			}
			if !bytes.Equal(got, want) {
				rt.Fatalf("op %d: extracted %x, gtank/merlin %x", i, got, want)
			}
			ops, outs = append(ops, o), append(outs, got)
		}
		for i := forkAt; i < count; i++ {
			if got := apply(&fork, ops[i]); !bytes.Equal(got, outs[i]) {
				rt.Fatalf("fork at %d: op %d extracted %x, original %x", forkAt, i, got, outs[i])
			}
		}
	})
}

// TestNoAllocations pins the point of the package: forking a prepared
// transcript, appending and extracting allocate nothing.
func TestNoAllocations(t *testing.T) {
	base := NewTranscript("SigningContext")
	base.AppendMessage(nil, []byte("substrate"))
	msg := make([]byte, 300)
	var c [64]byte
	allocs := testing.AllocsPerRun(100, func() {
		tr := base
		tr.AppendMessage([]byte("sign-bytes"), msg)
		tr.AppendMessage([]byte("sign:pk"), c[:32])
		tr.ExtractBytes([]byte("sign:c"), c[:])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per transcript", allocs)
	}
}

// TestTooLongPanics: Merlin frames lengths as 32 bits; longer messages
// cannot be represented and must not be silently truncated.
func TestTooLongPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	if strconv.IntSize == 32 {
		t.Skip("lengths cannot exceed 2^32-1 here")
	}
	tr := NewTranscript("x")
	tr.frame(nil, int(^uint(0)>>1))
}
