package miner

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/tasks"
	"github.com/taonet/taonet/synapse"
)

type fakeMG struct{ mg *chain.Metagraph }

func (f fakeMG) Metagraph(context.Context, uint16) (*chain.Metagraph, error) { return f.mg, nil }

func start(t *testing.T, cfg Config) synapse.AxonInfo {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, err := m.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	return synapse.AxonInfo{IP: "127.0.0.1", Port: a.Port, Hotkey: cfg.Hotkey.SS58Address()}
}

func TestToolMinerAnswersMathStreamed(t *testing.T) {
	mk, _ := keys.FromURI("//Bob")
	vk, _ := keys.FromURI("//Alice")
	target := start(t, Config{Hotkey: mk, Responder: NewTool(nil, nil), ChunkWords: 2})
	d, _ := synapse.NewDendrite(vk, synapse.DendriteConfig{})
	defer d.Close()
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 5; i++ {
		p, err := tasks.GenerateMath(rng)
		if err != nil {
			t.Fatal(err)
		}
		var chunks []string
		res := synapse.StreamMany(context.Background(), d, []synapse.AxonInfo{target}, protocol.NewChallenge("hey, "+p.Problem+" thanks"), 10*time.Second,
			func(_ int, c []byte) { chunks = append(chunks, string(c)) })
		r := res[0]
		if !r.OK() {
			t.Fatalf("status %d %s", r.StatusCode, r.StatusMessage)
		}
		if !strings.Contains(r.Synapse.Completion, p.Answer) {
			t.Fatalf("%q: answer %q lacks %q", p.Problem, r.Synapse.Completion, p.Answer)
		}
		if strings.Join(chunks, "") != r.Synapse.Completion {
			t.Fatal("chunks do not add up to the completion")
		}
	}
}

func TestBlacklist(t *testing.T) {
	mk, _ := keys.FromURI("//Bob")
	vk, _ := keys.FromURI("//Alice")
	stranger, _ := keys.FromURI("//Eve")
	plain, _ := keys.FromURI("//Dave")
	mg := &chain.Metagraph{Hotkeys: []string{vk.SS58Address(), plain.SS58Address(), mk.SS58Address()},
		Stake: []uint64{10, 0, 0}, ValidatorPermit: []bool{true, false, false}}
	target := start(t, Config{Hotkey: mk, Chain: fakeMG{mg}, Responder: Echo{}, RequireValidatorPermit: true})
	for _, c := range []struct {
		k    *keys.Keypair
		code int
	}{{vk, 200}, {stranger, 403}, {plain, 403}} {
		d, _ := synapse.NewDendrite(c.k, synapse.DendriteConfig{})
		r := synapse.StreamMany(context.Background(), d, []synapse.AxonInfo{target}, protocol.NewChallenge("echo me"), 5*time.Second, nil)[0]
		d.Close()
		if r.StatusCode != c.code {
			t.Errorf("%s: status %d %s", c.k.SS58Address(), r.StatusCode, r.StatusMessage)
		}
		if c.code == 200 && r.Synapse.Completion != "echo me" {
			t.Errorf("echo %q", r.Synapse.Completion)
		}
	}
	// Malformed request (role mismatch) is refused by the handler.
	d, _ := synapse.NewDendrite(vk, synapse.DendriteConfig{})
	defer d.Close()
	bad := &protocol.StreamPrompting{Roles: []string{"user", "user"}, Messages: []string{"x"}}
	if r := synapse.StreamMany(context.Background(), d, []synapse.AxonInfo{target}, bad, 5*time.Second, nil)[0]; r.OK() {
		t.Fatal("malformed request answered")
	}
}

func TestCutAfterWords(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want int
	}{{"a b c", 2, 4}, {"a b", 2, 0}, {"a  b  c", 1, 3}, {"", 1, 0}, {"héllo wörld x", 2, 14}} {
		if got := cutAfterWords(c.s, c.n); got != c.want {
			t.Errorf("%q/%d: %d want %d", c.s, c.n, got, c.want)
		}
	}
}

func TestCodeIndexRepair(t *testing.T) {
	dir := t.TempDir()
	src := `package p

// Sum adds the numbers.
func Sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}

// Max returns the largest number.
func Max(xs []int) int {
	best := xs[0]
	for _, x := range xs[1:] {
		if x > best {
			best = x
		}
	}
	return best
}
`
	if err := writeFile(dir+"/p.go", src); err != nil {
		t.Fatal(err)
	}
	ix, err := NewCodeIndex(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(strings.Split(src, "// Max")[1], "if x > best {", "if x < best {", 1)
	fixed, ok := ix.Repair(broken)
	if !ok || !strings.Contains(fixed, "if x > best {") {
		t.Fatalf("repair %v %q", ok, fixed)
	}
	if _, ok := ix.Repair("completely unrelated text here\nand more lines of it"); ok {
		t.Fatal("repaired unrelated text")
	}
}

type recWriter struct{ writes []string }

func (w *recWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// TestChunker: emitted text (token-sized pieces) leaves in chunks of n words
// cut after whitespace, the concatenation is exact, and the byte cap holds.
func TestChunker(t *testing.T) {
	w := &recWriter{}
	c := &chunker{w: w, words: 3, max: 1 << 20}
	text := "one two  three four\nfive six seven"
	for _, piece := range []string{"on", "e two ", " thr", "ee four\nfi", "ve six seven"} {
		if err := c.emit(piece); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.flush(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(w.writes, "") != text {
		t.Fatalf("%q", w.writes)
	}
	want := []string{"one two  three ", "four\nfive six ", "seven"}
	if len(w.writes) != len(want) {
		t.Fatalf("%q", w.writes)
	}
	for i := range want {
		if w.writes[i] != want[i] {
			t.Fatalf("chunk %d %q want %q", i, w.writes[i], want[i])
		}
	}
	w = &recWriter{}
	c = &chunker{w: w, words: 3, max: 10}
	if err := c.emit(strings.Repeat("ab ", 10)); err != errAnswerTooLong {
		t.Fatalf("cap: %v", err)
	}
	if n := len(strings.Join(w.writes, "")); n != 10 {
		t.Fatalf("%d bytes written past the cap", n)
	}
}
