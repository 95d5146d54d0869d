package client_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
)

// TestTwoClientsOneKeyAndBlockStream: two independent clients (as two
// processes would) submit from one key at once and all transactions land;
// the block stream delivers increasing heights; a dead first URL fails over.
func TestTwoClientsOneKeyAndBlockStream(t *testing.T) {
	alice, bob := key(t, "//Alice"), key(t, "//Bob")
	appState, _ := testGenesis(t, alice)
	n := startNode(t, appState)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// A closed port first: requests fail over to the live node.
	dead := "http://127.0.0.1:1"
	sctx, stop := context.WithCancel(ctx)
	sc, _ := client.New([]string{dead, n.APIURL()}, client.WithRetry(6, 20*time.Millisecond))
	blocks := sc.Blocks(sctx)

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []error
	for k := 0; k < 2; k++ {
		c, err := client.New([]string{dead, n.APIURL()}, client.WithRetry(6, 20*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Submit(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 3}); err != nil {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d submissions failed, first: %v", len(failures), failures[0])
	}
	c, _ := client.New([]string{n.APIURL()})
	acc, err := c.Account(ctx, bob.SS58Address())
	if err != nil || acc.Balance != 30 {
		t.Fatalf("bob %+v %v", acc, err)
	}
	var last uint64
	for i := 0; i < 3; i++ {
		select {
		case b, ok := <-blocks:
			if !ok || b.Height <= last || b.AppHash == "" {
				t.Fatalf("stream gave %+v after %d", b, last)
			}
			last = b.Height
		case <-ctx.Done():
			t.Fatal("no blocks streamed")
		}
	}
	stop()
	for range blocks { // closes once the context ends
	}
	// CORS preflight for browser dashboards.
	req, _ := http.NewRequest(http.MethodOptions, n.APIURL()+"/api/v1/tx", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("preflight %v %v", resp, err)
	}
	resp.Body.Close()
}
