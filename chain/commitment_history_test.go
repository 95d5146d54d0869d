package chain

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"
)

// commitAt sets name's raw commitment text at the state's current height.
func (e *env) commit(name string, net uint16, text string) {
	e.tb.Helper()
	e.ok(name, &SetCommitment{Netuid: net, Fields: []CommitmentField{{Kind: FieldRaw, Data: []byte(text)}}})
}

// textsAt renders CommitmentsAt as "hotkey-name=text@block" in hotkey order.
func textsAt(t *testing.T, s *State, net uint16, h uint64, names ...string) string {
	t.Helper()
	cs, err := s.CommitmentsAt(net, h)
	if err != nil {
		t.Fatalf("CommitmentsAt(%d): %v", h, err)
	}
	byAddr := map[string]string{}
	for _, n := range names {
		byAddr[addr(t, n)] = n
	}
	var b bytes.Buffer
	for _, c := range cs {
		fmt.Fprintf(&b, "%s=%s@%d ", byAddr[c.Hotkey], c.Text, c.Block)
	}
	return b.String()
}

// The commitment in force at a past block is the one set at or before it,
// even after the hotkey recommitted; the history survives encoding, decoding
// and cloning (it is part of the app hash).
func TestCommitmentsAt(t *testing.T) {
	e, net := weightsEnv(t) // height 2
	e.hp(net, func(h *Hyperparams) { h.CommitmentMaxSpace = 1 << 20 })
	e.commit("M1", net, "a") // block 2
	e.blocks(3)
	e.commit("M1", net, "b") // block 5
	e.commit("M2", net, "x") // block 5
	e.blocks(4)
	e.commit("M1", net, "c") // block 9
	e.commit("M1", net, "d") // block 9, replaces c within the block
	want := map[uint64]string{
		1: "",
		2: "M1=a@2 ", 4: "M1=a@2 ",
		5: "M1=b@5 M2=x@5 ", 8: "M1=b@5 M2=x@5 ",
		9: "M1=d@9 M2=x@5 ",
	}
	for h, w := range want {
		// Hotkeys are listed in address order, not name order.
		if got := textsAt(t, e.s, net, h, "M1", "M2"); !sameSet(got, w) {
			t.Errorf("at %d: %q, want %q", h, got, w)
		}
	}
	if _, err := e.s.CommitmentsAt(net, 10); !errors.Is(err, ErrFutureHeight) {
		t.Fatalf("future height: %v", err)
	}
	// Encoding keeps the history exactly.
	d, err := DecodeState(e.s.Encode())
	if err != nil {
		t.Fatal(err)
	}
	c := e.s.Clone()
	for h := uint64(1); h <= 9; h++ {
		a := textsAt(t, e.s, net, h, "M1", "M2")
		if b := textsAt(t, d, net, h, "M1", "M2"); a != b {
			t.Fatalf("decoded state at %d: %q vs %q", h, b, a)
		}
		if b := textsAt(t, c, net, h, "M1", "M2"); a != b {
			t.Fatalf("cloned state at %d: %q vs %q", h, b, a)
		}
	}
	if !bytes.Equal(d.AppHash(), e.s.AppHash()) {
		t.Fatal("decoded state has another app hash")
	}
	// The history is part of the app hash: two states that differ only in a
	// replaced commitment hash differently.
	e2, net2 := weightsEnv(t)
	e2.hp(net2, func(h *Hyperparams) { h.CommitmentMaxSpace = 1 << 20 })
	e2.commit("M1", net2, "z") // block 2, where e has "a"
	e2.blocks(3)
	e2.commit("M1", net2, "b")
	e2.commit("M2", net2, "x")
	e2.blocks(4)
	e2.commit("M1", net2, "c")
	e2.commit("M1", net2, "d")
	if textsAt(t, e2.s, net2, 9, "M1", "M2") != textsAt(t, e.s, net, 9, "M1", "M2") {
		t.Fatal("setup: latest commitments differ")
	}
	if bytes.Equal(e2.s.AppHash(), e.s.AppHash()) {
		t.Fatal("commitment history is not in the app hash")
	}
}

func sameSet(a, b string) bool {
	ca, cb := map[string]int{}, map[string]int{}
	for _, f := range bytes.Fields([]byte(a)) {
		ca[string(f)]++
	}
	for _, f := range bytes.Fields([]byte(b)) {
		cb[string(f)]++
	}
	return fmt.Sprint(ca) == fmt.Sprint(cb)
}

// The history is bounded by count and by the block window; a height it no
// longer reaches is refused, never answered wrongly.
func TestCommitmentHistoryBounded(t *testing.T) {
	e, net := weightsEnv(t)
	e.hp(net, func(h *Hyperparams) { h.CommitmentMaxSpace = 1 << 30 })
	first := e.s.Height()
	n := MaxCommitmentHistory + 5
	for i := 0; i < n; i++ {
		e.commit("M1", net, fmt.Sprint("v", i))
		e.block()
	}
	cm := e.s.subnets[net].commitments[addr(t, "M1")]
	if len(cm.history) != MaxCommitmentHistory {
		t.Fatalf("history of %d versions, want the cap %d", len(cm.history), MaxCommitmentHistory)
	}
	// The current version is v20 and the history v4..v19 (v0..v3 dropped).
	if got := textsAt(t, e.s, net, first+4, "M1"); got != fmt.Sprintf("M1=v4@%d ", first+4) {
		t.Fatalf("oldest kept: %q", got)
	}
	if _, err := e.s.CommitmentsAt(net, first+3); !errors.Is(err, ErrHistoryPruned) {
		t.Fatalf("dropped version answered: %v", err)
	}
	// Far past the window: old heights are refused, and the next commitment
	// drops every version not in force inside the window.
	h := e.s.Height() + CommitmentHistoryBlocks + 10
	e.s.BeginBlock(BlockInfo{Height: h, Time: time.Unix(1_800_000_000, 0)})
	if _, err := e.s.CommitmentsAt(net, h-CommitmentHistoryBlocks-1); !errors.Is(err, ErrHistoryPruned) {
		t.Fatalf("height before the window: %v", err)
	}
	e.commit("M1", net, "late")
	cm = e.s.subnets[net].commitments[addr(t, "M1")]
	if len(cm.history) != 1 || string(cm.history[0].fields[0].Data) != fmt.Sprint("v", n-1) {
		t.Fatalf("history after the window moved: %d versions", len(cm.history))
	}
	if got := textsAt(t, e.s, net, h-1, "M1"); got != fmt.Sprintf("M1=v%d@%d ", n-1, first+uint64(n-1)) {
		t.Fatalf("version in force before the recommit: %q", got)
	}
}
