package validator

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse"
)

// bowEmbedder is a deterministic hashed bag-of-words embedder for tests
// (relevance is not under test here; GloVe files are not needed).
type bowEmbedder struct{}

func (bowEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 64)
		for _, w := range strings.Fields(strings.ToLower(t)) {
			h := fnv.New32a()
			h.Write([]byte(strings.Trim(w, ".,;:!?\"'()")))
			v[h.Sum32()%64]++
		}
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		if n == 0 {
			v[0] = 1 // the empty text still has a direction
			n = 1
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(n))
		}
		out[i] = v
	}
	return out, nil
}

// staticChain serves a fixed metagraph and records sent calls.
type staticChain struct {
	mu   sync.Mutex
	mg   *chain.Metagraph
	sent []chain.Call
}

func (s *staticChain) Metagraph(context.Context, uint16) (*chain.Metagraph, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *s.mg
	return &c, nil
}

func (s *staticChain) Send(_ context.Context, _ chain.Signer, call chain.Call) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, call)
	s.mg.Block += 10
	return "0x", nil
}

// localMiners starts n axons with the given responders on loopback and
// returns the metagraph with the validator at uid 0.
func localMiners(t testing.TB, val *keys.Keypair, rs []miner.Responder) *chain.Metagraph {
	t.Helper()
	mg := &chain.Metagraph{Block: 1000, Hotkeys: []string{val.SS58Address()}, Stake: []uint64{VPermitTaoLimit + 1},
		ValidatorPermit: []bool{true}, Axons: []chain.AxonInfo{{}}, LastUpdate: []uint64{0}}
	for i, r := range rs {
		k, err := keys.FromURI(fmt.Sprintf("//Miner%d", i))
		if err != nil {
			t.Fatal(err)
		}
		m, err := miner.New(miner.Config{Hotkey: k, Responder: r, Axon: synapse.AxonConfig{DisableResponseSignature: true}})
		if err != nil {
			t.Fatal(err)
		}
		a, err := m.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Shutdown(context.Background()) })
		mg.Hotkeys = append(mg.Hotkeys, k.SS58Address())
		mg.Stake = append(mg.Stake, 0)
		mg.ValidatorPermit = append(mg.ValidatorPermit, false)
		mg.LastUpdate = append(mg.LastUpdate, 0)
		mg.Axons = append(mg.Axons, chain.AxonInfo{IP: "127.0.0.1", Port: uint16(a.Port), Hotkey: k.SS58Address()})
	}
	mg.N = uint16(len(mg.Hotkeys))
	return mg
}

// respondFunc adapts a function to miner.Responder.
type respondFunc func(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error

func (f respondFunc) Respond(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
	return f(ctx, req, emit)
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }
