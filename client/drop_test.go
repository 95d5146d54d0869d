package client

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

// TestSubmitNoticesDroppedTx: a tx accepted into the mempool of a node that
// restarts before the next block is lost; Submit reports ErrDropped instead
// of waiting forever, and the key's next transaction goes through.
func TestSubmitNoticesDroppedTx(t *testing.T) {
	old := dropCheckEvery
	dropCheckEvery = 300 * time.Millisecond
	defer func() { dropCheckEvery = old }()
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	g := chain.DefaultGenesis()
	g.Accounts = []chain.GenesisAccount{{Address: alice.SS58Address(), Balance: 1e15}}
	st, err := node.BuildAppState("", mustJSON(t, g), nil)
	if err != nil {
		t.Fatal(err)
	}
	ports, _ := node.FreePorts(1)
	api := fmt.Sprintf("127.0.0.1:%d", ports[0])
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := node.Options{Home: home, BlockTime: 150 * time.Millisecond, AppState: st, APIAddr: api}
	n, err := node.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := New([]string{"http://" + api})
	if _, err := c.Submit(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 1}); err != nil {
		t.Fatal(err)
	}
	// Slow blocks so the next tx sits in the mempool when the node stops.
	n.Stop()
	opts.BlockTime = 20 * time.Second
	n, err = node.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	hash, nonce, err := c.send(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 2})
	if err != nil {
		t.Fatal(err)
	}
	n.Stop()
	opts.BlockTime = 150 * time.Millisecond
	n, err = node.StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	if _, err := c.await(ctx, alice.SS58Address(), hash, nonce); !errors.Is(err, ErrDropped) {
		t.Fatalf("await dropped tx: %v", err)
	}
	if _, err := c.Submit(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 4}); err != nil {
		t.Fatal("after drop: ", err)
	}
	acc, _ := c.Account(ctx, bob.SS58Address())
	if acc.Balance != 5 {
		t.Fatalf("bob %d, want 5 (1 + 4; the dropped 2 never applied)", acc.Balance)
	}
}
