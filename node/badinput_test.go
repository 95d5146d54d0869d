package node_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
)

// TestBadInputOverAPI sends malformed and invalid requests to a real node:
// each gets a precise JSON error, and nothing changes on chain.
func TestBadInputOverAPI(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	g := chain.DefaultGenesis()
	g.Accounts = []chain.GenesisAccount{{Address: alice.SS58Address(), Balance: 1_000_000_000_000}}
	st, _ := json.Marshal(g)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := node.StartEmbedded(ctx, node.Options{Home: t.TempDir(), BlockTime: 100 * time.Millisecond, AppState: st})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	url := n.APIURL()
	c, _ := client.New([]string{url})
	// One good transfer so there is a stale nonce to replay.
	if _, err := c.Submit(ctx, alice, &chain.Transfer{Dest: bob.SS58Address(), Amount: 5}); err != nil {
		t.Fatal(err)
	}
	before, _ := c.Account(ctx, alice.SS58Address())

	sign := func(nonce uint64, chainID string, amount uint64) []byte {
		tx := chain.NewTx(alice.SS58Address(), nonce, &chain.Transfer{Dest: bob.SS58Address(), Amount: amount})
		tx.ChainID = chainID
		if err := tx.Sign(alice); err != nil {
			t.Fatal(err)
		}
		return tx.Encode()
	}
	badSig := sign(before.Nonce, chain.DefaultChainID, 9)
	good := sign(before.Nonce, chain.DefaultChainID, 13)
	badSig[len(badSig)-1] ^= 0xff

	cases := []struct {
		name      string
		ctype     string
		body      []byte
		status    int
		code      uint32
		codespace string
		msg       string
	}{
		{"garbage", "application/octet-stream", []byte("\x00garbage\xff"), 422, chain.CodeDecode, node.Codespace, "decode"},
		{"bad signature", "application/octet-stream", badSig, 422, chain.CodeBadSignature, node.Codespace, "signature"},
		{"stale nonce", "application/octet-stream", sign(before.Nonce-1, chain.DefaultChainID, 11), 422, chain.CodeBadNonce, node.Codespace, "nonce"},
		{"future nonce", "application/octet-stream", sign(before.Nonce+5, chain.DefaultChainID, 11), 422, chain.CodeBadNonce, node.Codespace, "nonce"},
		{"wrong chain", "application/octet-stream", sign(before.Nonce, "other-chain", 11), 422, chain.CodeWrongChain, node.Codespace, "chain"},
		{"oversize", "application/octet-stream", bytes.Repeat([]byte{1}, 2*node.MaxTxBytes+1), 413, 413, "api", "body"},
		{"oversize tx", "application/octet-stream", bytes.Repeat([]byte{1}, node.MaxTxBytes+1), 413, 413, "api", "limit"},
		{"empty", "application/octet-stream", nil, 400, 400, "api", "empty"},
		{"bad json", "application/json", []byte(`{"tx":`), 400, 400, "api", "JSON"},
		{"unknown json field", "application/json", []byte(`{"tx":"AA==","x":1}`), 400, 400, "api", "unknown field"},
		{"bad base64", "application/json", []byte(`{"tx":"!!"}`), 400, 400, "api", "base64"},
		// A valid tx followed by more data: rejected whole (was accepted).
		{"trailing json", "application/json", []byte(`{"tx":"` + base64.StdEncoding.EncodeToString(good) + `"} {"tx":"AA=="}`), 400, 400, "api", "trailing"},
		{"trailing garbage", "application/json", []byte(`{"tx":"` + base64.StdEncoding.EncodeToString(good) + `"}x`), 400, 400, "api", "trailing"},
	}
	for _, tc := range cases {
		resp, err := http.Post(url+"/api/v1/tx?wait=true", tc.ctype, bytes.NewReader(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var ae node.APIError
		if resp.StatusCode != tc.status || json.Unmarshal(b, &ae) != nil || ae.Code != tc.code || ae.Codespace != tc.codespace ||
			!strings.Contains(strings.ToLower(ae.Message), strings.ToLower(tc.msg)) {
			t.Errorf("%s: status %d body %s; want %d code %d/%s containing %q", tc.name, resp.StatusCode, b, tc.status, tc.code, tc.codespace, tc.msg)
		}
	}
	gets := map[string]int{
		"/api/v1/accounts/notanaddress":         400,
		"/api/v1/subnets/x/metagraph":           400,
		"/api/v1/subnets/70000/metagraph":       400,
		"/api/v1/subnets/9/metagraph":           404,
		"/api/v1/subnets/9/hyperparameters":     404,
		"/api/v1/subnets/9/neurons/0":           404,
		"/api/v1/subnets/9/commitments":         404,
		"/api/v1/tx/zz":                         400,
		"/api/v1/tx/" + strings.Repeat("A", 64): 404,
		"/api/v1/block/0":                       400,
		"/api/v1/block/99999999":                404,
		"/api/v1/nothing":                       404,
		"/api/v1/tx/" + strings.Repeat("A", 64) + "?wait=true&wait_timeout=bad": 400,
	}
	for path, want := range gets {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var ae node.APIError
		if resp.StatusCode != want || json.Unmarshal(b, &ae) != nil || ae.Message == "" {
			t.Errorf("GET %s: %d %s, want %d with a JSON error", path, resp.StatusCode, b, want)
		}
	}
	// Nothing changed and the node is alive.
	h := n.Height()
	if err := n.WaitHeight(ctx, h+2); err != nil {
		t.Fatal(err)
	}
	after, _ := c.Account(ctx, alice.SS58Address())
	if after.Balance != before.Balance || after.Nonce != before.Nonce {
		t.Fatalf("account changed by rejected input: %+v -> %+v", before, after)
	}
	bb, _ := c.Account(ctx, bob.SS58Address())
	if bb.Balance != 5 {
		t.Fatalf("bob balance %d", bb.Balance)
	}
	// The client surfaces the chain's code.
	_, err = c.SubmitRaw(ctx, sign(before.Nonce-1, chain.DefaultChainID, 13))
	if code, ok := client.Code(err); !ok || code != chain.CodeBadNonce {
		t.Fatalf("client error %v", err)
	}
	// Rejections are counted by code.
	resp, _ := http.Get(url + "/metrics")
	mb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(mb), `taonet_mempool_txs_total{code="4",reason="bad_signature",result="rejected"} 1`) {
		t.Fatalf("rejection metrics missing:\n%s", mb)
	}
}
