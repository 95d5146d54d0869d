package validator

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/feed"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

func mathRegistry(t testing.TB) *tasks.Registry {
	r, err := tasks.NewRegistry(tasks.Entry{Task: tasks.NewMath(), Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestHostileMinersScoreZero: huge, non-UTF-8, slow and never-ending
// answers score 0 while the honest tool miner scores; the step completes.
func TestHostileMinersScoreZero(t *testing.T) {
	val, _ := keys.FromURI("//Alice")
	huge := respondFunc(func(ctx context.Context, _ *protocol.StreamPrompting, emit func(string) error) error {
		chunk := strings.Repeat("word ", 2000)
		for i := 0; i < 100; i++ {
			if err := emit(chunk); err != nil {
				return err
			}
		}
		return nil
	})
	binary := respondFunc(func(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
		ans := tasks.NewToolSolver(pctx.Embedded()).Answer(req.LastUser())
		return emit(ans + " \xff\xfe\xfd")
	})
	slow := respondFunc(func(ctx context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
		}
		return emit("too late")
	})
	endless := respondFunc(func(ctx context.Context, _ *protocol.StreamPrompting, emit func(string) error) error {
		for ctx.Err() == nil {
			if err := emit("and on "); err != nil {
				return err
			}
			time.Sleep(5 * time.Millisecond)
		}
		return ctx.Err()
	})
	rs := []miner.Responder{miner.NewTool(nil, nil), huge, binary, slow, endless}
	mg := localMiners(t, val, rs)
	// The huge miner's own cap (64 KiB) is above the validator's (32 KiB): the validator's cap stops it.
	sc := &staticChain{mg: mg}
	var table bytes.Buffer
	v, err := New(Config{Hotkey: val, Chain: sc, Registry: mathRegistry(t), Embedder: bowEmbedder{}, DataDir: t.TempDir(),
		Timeout: 3 * time.Second, MaxAnswerBytes: 32 << 10, Out: &table})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	res, err := v.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[int]MinerResult{}
	for _, m := range res.Miners {
		byUID[m.UID] = m
	}
	if byUID[1].Reward < 0.99 {
		t.Fatalf("tool miner reward %v (%q)", byUID[1].Reward, byUID[1].Completion)
	}
	for uid := 2; uid <= 5; uid++ {
		if m := byUID[uid]; m.Reward != 0 {
			t.Errorf("hostile uid %d: status %d reward %v", uid, m.Status, m.Reward)
		}
	}
	if byUID[4].Status != 408 || byUID[5].Status != 408 {
		t.Errorf("slow/endless statuses %d %d", byUID[4].Status, byUID[5].Status)
	}
	if !strings.Contains(table.String(), "uid") {
		t.Fatal("no table")
	}
}

func TestScoresPersistAndWeights(t *testing.T) {
	val, _ := keys.FromURI("//Alice")
	mg := localMiners(t, val, []miner.Responder{miner.NewTool(nil, nil), miner.Echo{}, miner.NewNoise(3)})
	sc := &staticChain{mg: mg}
	dir := t.TempDir()
	store, err := feed.OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := Config{Hotkey: val, Chain: sc, Registry: mathRegistry(t), Embedder: bowEmbedder{}, DataDir: dir,
		Timeout: 5 * time.Second, WeightsInterval: 5, Feed: store}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := v.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
		sc.mu.Lock()
		sc.mg.Block += 3
		sc.mu.Unlock()
	}
	v.Close()
	s := v.State()
	if s.Step != 3 || !(s.Scores[1] > s.Scores[2] && s.Scores[1] > s.Scores[3]) {
		t.Fatalf("state %+v", s)
	}
	if len(sc.sent) == 0 {
		t.Fatal("no weights set")
	}
	sw := sc.sent[0].(*chain.SetWeights)
	if sw.Values[1] != 65535 || sw.Values[0] != 0 || sw.VersionKey != SpecVersion {
		t.Fatalf("weights %+v", sw)
	}
	if store.Len() != 3 {
		t.Fatalf("feed has %d records", store.Len())
	}
	// Restart: the scores come back; a re-registered uid starts from 0.
	sc.mg.Hotkeys[2] = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
	v2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if got := v2.Scores(); got[1] != s.Scores[1] {
		t.Fatalf("restored %v want %v", got, s.Scores)
	}
	if _, err := v2.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := v2.Scores(); got[2] > 0.1+1e-9 {
		t.Fatalf("replaced uid kept its score: %v", got)
	}
}

func TestCapWeights(t *testing.T) {
	w := CapWeights([]float64{8, 1, 1, 0}, 0.5)
	if w[0] != 0.5 || w[1] != 0.25 || w[2] != 0.25 || w[3] != 0 {
		t.Fatalf("%v", w)
	}
	w = CapWeights([]float64{1, 1}, 0.4) // infeasible: unchanged
	if w[0] != 1 {
		t.Fatalf("%v", w)
	}
}

func TestCandidates(t *testing.T) {
	mg := &chain.Metagraph{Hotkeys: []string{"v", "a", "b", "c", "d"},
		Stake:           []uint64{VPermitTaoLimit + 1, 0, VPermitTaoLimit + 1, 5, 0},
		ValidatorPermit: []bool{true, true, true, false, false},
		Axons: []chain.AxonInfo{{IP: "1.1.1.1", Port: 1}, {IP: "1.1.1.2", Port: 1}, {IP: "1.1.1.3", Port: 1},
			{IP: "0.0.0.0", Port: 1}, {IP: "1.1.1.5", Port: 2}}}
	got := Candidates(mg, "v")
	if len(got) != 2 || got[0] != 1 || got[1] != 4 {
		t.Fatalf("%v", got)
	}
}

func TestStateRejectsCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := (State{Hotkeys: []string{"a"}, Scores: []float64{0.5}}).Save(dir); err != nil {
		t.Fatal(err)
	}
	s, err := LoadState(dir)
	if err != nil || s.Scores[0] != 0.5 {
		t.Fatal(s, err)
	}
	if err := writeFile(dir+"/"+StateFile, `{"hotkeys":["a"],"scores":[]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(dir); err == nil {
		t.Fatal("accepted mismatched state")
	}
}

// TestOnlyChallengeSent: miners receive exactly one user message, the
// challenge; nothing else of the task (reference, clean query) is sent.
func TestOnlyChallengeSent(t *testing.T) {
	val, _ := keys.FromURI("//Alice")
	got := make(chan *protocol.StreamPrompting, 1)
	spy := respondFunc(func(_ context.Context, req *protocol.StreamPrompting, emit func(string) error) error {
		got <- req
		return emit("ok")
	})
	mg := localMiners(t, val, []miner.Responder{spy})
	reg, err := tasks.NewRegistry(tasks.Entry{Task: tasks.NewQA(), Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(Config{Hotkey: val, Chain: &staticChain{mg: mg}, Registry: reg, Embedder: bowEmbedder{},
		Backends: tasks.Backends{Articles: pctx.Embedded()}, DataDir: t.TempDir(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	res, err := v.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	req := <-got
	if len(req.Messages) != 1 || req.Roles[0] != "user" || req.Messages[0] != res.Challenge.Query {
		t.Fatalf("sent %+v", req)
	}
	if strings.Contains(req.Messages[0], res.Challenge.Reference) {
		t.Fatalf("the challenge %q contains the reference %q", req.Messages[0], res.Challenge.Reference)
	}
}

func FuzzLoadState(f *testing.F) {
	f.Add([]byte(`{"step":3,"block":9,"hotkeys":["a","b"],"scores":[0.5,0.1],"weights_block":4}`))
	f.Add([]byte(`{"hotkeys":["a"],"scores":[NaN]}`))
	f.Add([]byte(`{"hotkeys":["a"],"scores":[-1]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := writeFile(dir+"/"+StateFile, string(b)); err != nil {
			t.Fatal(err)
		}
		s, err := LoadState(dir)
		if err != nil {
			return
		}
		if len(s.Scores) != len(s.Hotkeys) {
			t.Fatal("length mismatch accepted")
		}
		for _, x := range s.Scores {
			if !(x >= 0) {
				t.Fatalf("score %v accepted", x)
			}
		}
	})
}

// TestDebuggingToolRepair: on debugging challenges the tool miner with a
// code index of the same tree restores the original (reward ≈ 1) while
// echoing the corrupted code scores less.
func TestDebuggingToolRepair(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("package p\n\n")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&src, "// F%d computes a value.\nfunc F%d(xs []int) int {\n\ttotal := %d\n\tfor i, x := range xs {\n\t\tif x > %d {\n\t\t\ttotal += x * i\n\t\t} else {\n\t\t\ttotal -= x\n\t\t}\n\t}\n\treturn total\n}\n\n", i, i, i, i*3)
	}
	if err := writeFile(dir+"/p.go", src.String()); err != nil {
		t.Fatal(err)
	}
	code, err := pctx.NewCode(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := miner.NewCodeIndex(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	val, _ := keys.FromURI("//Alice")
	mg := localMiners(t, val, []miner.Responder{miner.NewTool(nil, ix), miner.NewTool(nil, nil)})
	reg, err := tasks.NewRegistry(tasks.Entry{Task: tasks.NewDebugging(), Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(Config{Hotkey: val, Chain: &staticChain{mg: mg}, Registry: reg, Embedder: bowEmbedder{},
		Backends: tasks.Backends{Code: code}, DataDir: t.TempDir(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var fixed, echoed float64
	for i := 0; i < 4; i++ {
		res, err := v.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fixed += res.Miners[0].Reward
		echoed += res.Miners[1].Reward
	}
	t.Logf("repair %.3f, echo %.3f over 4 steps", fixed, echoed)
	if fixed < 3.6 || !(fixed > echoed) {
		t.Fatalf("repair %.3f vs echo %.3f over 4 steps", fixed, echoed)
	}
}
