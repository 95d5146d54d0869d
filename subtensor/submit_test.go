package subtensor

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/extrinsic"
	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// TestSubmitIncludedAndDispatchErrorNamed: set_weights signed by us is
// accepted by the scripted node (which rebuilds the signing payload from the
// metadata and verifies the sr25519 signature), reported inBlock/finalized
// with progress, and a scripted module error comes back named from metadata
// (SubtensorModule::SettingWeightsTooFast). The nonce advances between calls.
func TestSubmitIncludedAndDispatchErrorNamed(t *testing.T) {
	r := replay(t, fixture.Testnet)
	fail := false
	r.Srv.Dispatch = func(c substratetest.Call) *substratetest.Failure {
		if fail {
			return &substratetest.Failure{Pallet: "SubtensorModule", Error: "SettingWeightsTooFast"}
		}
		return nil
	}
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	hot := substratetest.KP(t, "//Alice")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := map[string]any{"netuid": uint16(3), "dests": []uint16{1, 2}, "weights": []uint16{65535, 10}, "version_key": uint64(20501)}
	var progress []string
	res, err := c.Submit(ctx, hot, "SubtensorModule", "set_weights", args, SubmitOptions{WaitFinalized: true, Progress: func(s string) { progress = append(progress, s) }})
	if err != nil {
		t.Fatalf("submit: %v (server rejected: %v)", err, r.Srv.Rejected())
	}
	if !res.Finalized || res.BlockNumber == 0 || res.Index != 0 {
		t.Errorf("result %+v", res)
	}
	if len(progress) != 3 || progress[0] != "ready" || !strings.HasPrefix(progress[1], "inBlock") || !strings.HasPrefix(progress[2], "finalized") {
		t.Errorf("progress %q", progress)
	}
	if want := "SubtensorModule.set_weights(netuid: 3, dests: [1, 2], weights: [65535, 10], version_key: 20501)"; res.Call != want {
		t.Errorf("call %q, want %q", res.Call, want)
	}
	calls := r.Srv.Calls()
	if len(calls) != 1 || calls[0].Name != "set_weights" || calls[0].Signer != hot.SS58Address() {
		t.Fatalf("server saw %+v", calls)
	}
	fail = true
	res2, err := c.Submit(ctx, hot, "SubtensorModule", "set_weights", args, SubmitOptions{})
	var de *DispatchError
	if !errors.As(err, &de) || de.Pallet != "SubtensorModule" || de.Name != "SettingWeightsTooFast" {
		t.Fatalf("err = %v, want SubtensorModule::SettingWeightsTooFast", err)
	}
	if res2 == nil || res2.Nonce != 1 {
		t.Errorf("second submit nonce: %+v", res2)
	}
	if !strings.Contains(err.Error(), "SubtensorModule::SettingWeightsTooFast") {
		t.Errorf("message %q does not name the error", err)
	}
}

// TestDryRunSendsNothing: --dry-run builds and signs but the node sees nothing.
func TestDryRunSendsNothing(t *testing.T) {
	r := replay(t, fixture.Finney)
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	res, err := c.Submit(context.Background(), substratetest.KP(t, "//Alice"), "Commitments", "set_commitment",
		map[string]any{"netuid": uint16(3), "info": map[string]any{"fields": []any{extrinsic.RawData([]byte("model@rev"))}}}, SubmitOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Extrinsic, "0x") || !strings.Contains(res.Call, `Raw9("model@rev")`) {
		t.Errorf("dry run %+v", res)
	}
	if len(r.Srv.Calls()) != 0 {
		t.Error("dry run submitted")
	}
}

// TestBadInput: wrong network, unreachable endpoint, a rejected extrinsic
// (bad nonce) and a call the runtime does not have each fail with a clear message.
func TestBadInput(t *testing.T) {
	r := replay(t, fixture.Finney)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := Dial(ctx, Config{Endpoints: []string{r.Srv.URL}, Genesis: TestnetGenesis})
	if err == nil || !strings.Contains(err.Error(), "wrong network") || !strings.Contains(err.Error(), "expected "+TestnetGenesis+" (test)") {
		t.Errorf("wrong network: %v", err)
	}
	_, err = Dial(ctx, Config{Endpoints: []string{"ws://127.0.0.1:1"}, RPC: fastRetry()})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the chain") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("unreachable: %v", err)
	}
	c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
	hot := substratetest.KP(t, "//Alice")
	r.Srv.SetNonce(hot.PublicKey(), 5)
	// A signature over other bytes: the node's own payload check rejects it.
	_, err = c.Submit(ctx, badSigner{hot}, "SubtensorModule", "set_weights", map[string]any{"netuid": uint16(3), "dests": []uint16{1}, "weights": []uint16{1}, "version_key": uint64(0)}, SubmitOptions{})
	if err == nil || !strings.Contains(err.Error(), "extrinsic rejected") || !strings.Contains(err.Error(), "bad signature") {
		t.Errorf("bad signature: %v", err)
	}
	if len(r.Srv.Calls()) != 0 {
		t.Error("a badly signed extrinsic was included")
	}
	_, err = c.Submit(ctx, hot, "SubtensorModule", "no_such_call", nil, SubmitOptions{})
	if err == nil || !strings.Contains(err.Error(), "no call SubtensorModule.no_such_call") {
		t.Errorf("unknown call: %v", err)
	}
	// add_stake on finney spec 219 has no netuid: giving one is refused before signing.
	_, err = c.Submit(ctx, hot, "SubtensorModule", "add_stake", map[string]any{"hotkey": hot.PublicKey(), "netuid": uint16(1), "amount_staked": uint64(1)}, SubmitOptions{})
	if err == nil || !strings.Contains(err.Error(), `has no argument "netuid"`) {
		t.Errorf("extra argument: %v", err)
	}
}

// badSigner signs the payload with one byte changed.
type badSigner struct{ k *keys.Keypair }

func (b badSigner) PublicKey() [32]byte { return b.k.PublicKey() }
func (b badSigner) Sign(msg []byte) ([]byte, error) {
	m := append([]byte(nil), msg...)
	m[0] ^= 1
	return b.k.Sign(m)
}
