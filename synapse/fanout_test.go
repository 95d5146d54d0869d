package synapse

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

// batchSigner is a keypair whose SignMany records the batch sizes it is given.
type batchSigner struct {
	*keys.Keypair
	mu      sync.Mutex
	batches []int
	fail    error
}

func (b *batchSigner) SignMany(msgs [][]byte) ([][]byte, error) {
	b.mu.Lock()
	b.batches = append(b.batches, len(msgs))
	b.mu.Unlock()
	if b.fail != nil {
		return nil, b.fail
	}
	sigs := make([][]byte, len(msgs))
	for i, m := range msgs {
		s, err := b.Sign(m)
		if err != nil {
			return nil, err
		}
		sigs[i] = s
	}
	return sigs, nil
}

// A fan-out signs its requests in batches of signBatch through the hotkey's
// SignMany, and every batch-signed request verifies at the axon.
func TestFanOutSignsInBatches(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	bs := &batchSigner{Keypair: key(t, "Alice")}
	d, err := NewDendrite(bs, DendriteConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	targets := make([]AxonInfo, signBatch+8)
	for i := range targets {
		targets[i] = target
	}
	for i, r := range QueryMany(context.Background(), d, targets, &Prompt{Messages: []string{"x"}}, 5*time.Second) {
		if r.StatusCode != 200 || r.Synapse.Completion != "echo: x" {
			t.Fatalf("call %d: %d %q", i, r.StatusCode, r.StatusMessage)
		}
	}
	if !slices.Equal(bs.batches, []int{signBatch, 8}) {
		t.Fatalf("batches %v, want [%d 8]", bs.batches, signBatch)
	}
}

// A signer that fails fails every call of its batch with the signing error, sends
// nothing, and leaves the lanes free for the next call.
func TestFanOutSignFailure(t *testing.T) {
	_, target := echoAxon(t, AxonConfig{}, Options{})
	bs := &batchSigner{Keypair: key(t, "Alice"), fail: errors.New("hsm offline")}
	d, err := NewDendrite(bs, DendriteConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, r := range QueryMany(context.Background(), d, []AxonInfo{target, target}, &Prompt{Messages: []string{"x"}}, 5*time.Second) {
		if r.StatusCode != 422 || !strings.Contains(r.StatusMessage, "sign request: hsm offline") || r.Dendrite.Signature != "" || r.Header != nil {
			t.Fatalf("%d %q sig=%q", r.StatusCode, r.StatusMessage, r.Dendrite.Signature)
		}
	}
	bs.fail = nil
	if r := Query(context.Background(), d, target, &Prompt{Messages: []string{"y"}}, 5*time.Second); r.StatusCode != 200 {
		t.Fatalf("after failure: %d %q", r.StatusCode, r.StatusMessage)
	}
}

// unspecifiedIP agrees with net.ParseIP(...).IsUnspecified for every string.
func FuzzUnspecifiedIP(f *testing.F) {
	for _, s := range []string{"0.0.0.0", "::", "::ffff:0.0.0.0", "0:0:0:0:0:0:0:0", "::%eth0", "0.0.0.00", "00.0.0.0", "127.0.0.1", "", "::ffff:0:0", "0::0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip := net.ParseIP(s)
		want := ip != nil && ip.IsUnspecified()
		if got := unspecifiedIP(s); got != want {
			t.Fatalf("%q: unspecifiedIP %v, net.ParseIP %v", s, got, want)
		}
	})
}

// The dendrite's hotkey type signs fan-outs in batches (a compile-time check: without
// SignMany the dendrite would quietly sign one request at a time).
var _ BatchSigner = (*keys.Keypair)(nil)
