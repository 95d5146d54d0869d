package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/node"
)

// TestQueriesAtHeight: on a real node, the metagraph and the commitments
// answer as of a past block (a later registration and a recommitment do not
// show), the current height answers like the head, and heights in the
// future, malformed or pruned from the node's state history fail with 404,
// 400 and 410 and a message that says why.
func TestQueriesAtHeight(t *testing.T) {
	alice := key(t, "//Alice")
	appState, _ := testGenesis(t, alice)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	const history = 12
	n, err := node.StartEmbedded(ctx, node.Options{Home: t.TempDir(), BlockTime: 100 * time.Millisecond, AppState: appState, StateHistory: history})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	c, err := client.New([]string{n.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	a, b := key(t, "//Alice//ha"), key(t, "//Alice//hb")
	before, err := c.LatestBlock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, alice, &chain.CreateSubnet{Hotkey: key(t, "//Alice//owner").SS58Address()}); err != nil {
		t.Fatal(err)
	}
	netuid := uint16(1)
	if sn, err := c.Subnets(ctx); err != nil || len(sn) != 1 {
		t.Fatalf("subnets %v %v", sn, err)
	} else {
		netuid = sn[0].Netuid
	}
	if _, err := c.Submit(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: a.SS58Address()}); err != nil {
		t.Fatal(err)
	}
	commit := func(text string) uint64 {
		t.Helper()
		o, err := c.Submit(ctx, a, &chain.SetCommitment{Netuid: netuid, Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte(text)}}})
		if err != nil {
			t.Fatal(err)
		}
		return o.Height
	}
	h1 := commit("first")
	mg1, err := c.Metagraph(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: b.SS58Address()}); err != nil {
		t.Fatal(err)
	}
	h2 := commit("second")

	past, err := c.MetagraphAt(ctx, netuid, h1)
	if err != nil {
		t.Fatal(err)
	}
	now, err := c.Metagraph(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	if len(past.Hotkeys) != len(mg1.Hotkeys) || len(now.Hotkeys) != len(mg1.Hotkeys)+1 {
		t.Fatalf("metagraph at %d has %d hotkeys (then %d), now %d", h1, len(past.Hotkeys), len(mg1.Hotkeys), len(now.Hotkeys))
	}
	texts := func(h uint64) string {
		t.Helper()
		cs, err := c.CommitmentsAt(ctx, netuid, h)
		if err != nil {
			t.Fatalf("commitments at %d: %v", h, err)
		}
		s := ""
		for _, x := range cs {
			s += fmt.Sprintf("%s@%d ", x.Text, x.Block)
		}
		return s
	}
	for h, want := range map[uint64]string{h1 - 1: "", h1: fmt.Sprintf("first@%d ", h1), h2 - 1: fmt.Sprintf("first@%d ", h1), h2: fmt.Sprintf("second@%d ", h2)} {
		if got := texts(h); got != want {
			t.Errorf("commitments at %d: %q, want %q", h, got, want)
		}
	}

	status := func(err error) int {
		var e *client.Error
		if errors.As(err, &e) {
			return e.Status
		}
		return 0
	}
	head, err := c.LatestBlock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.MetagraphAt(ctx, netuid, head.Height+1000); status(err) != http.StatusNotFound ||
		!errors.Is(err, node.ErrHeightFuture) || errors.Is(err, node.ErrNotFound) {
		t.Fatalf("future metagraph: %v", err)
	}
	// Before the subnet was created: not found (not "future", not "pruned").
	if before.Height > 0 {
		if _, err := c.MetagraphAt(ctx, netuid, before.Height); !errors.Is(err, node.ErrNotFound) || errors.Is(err, node.ErrHeightFuture) {
			t.Fatalf("metagraph at %d, before the subnet existed: %v", before.Height, err)
		}
	}
	if _, err := c.CommitmentsAt(ctx, netuid, head.Height+1000); status(err) != http.StatusNotFound {
		t.Fatalf("future commitments: %v", err)
	}
	for _, q := range []string{"0", "-1", "x", ""} {
		resp, err := http.Get(fmt.Sprintf("%s/api/v1/subnets/%d/metagraph?height=%s", n.APIURL(), netuid, q))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("height=%q: status %d", q, resp.StatusCode)
		}
	}
	// Once the node is past its window, block h1's state is gone: 410, while
	// the commitments at h1 still answer from the chain's own history.
	for {
		head, err = c.LatestBlock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if head.Height >= h1+history {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := c.MetagraphAt(ctx, netuid, h1); status(err) != http.StatusGone || !errors.Is(err, node.ErrHeightPruned) {
		t.Fatalf("pruned metagraph: %v", err)
	}
	if got := texts(h1); got != fmt.Sprintf("first@%d ", h1) {
		t.Fatalf("commitments at %d after the state window: %q", h1, got)
	}
	if mg, err := c.MetagraphAt(ctx, netuid, head.Height-1); err != nil || len(mg.Hotkeys) != len(now.Hotkeys) {
		t.Fatalf("recent metagraph: %v", err)
	}
}
