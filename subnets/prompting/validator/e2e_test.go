package validator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/node"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/embed"
	"github.com/taonet/taonet/subnets/prompting/feed"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/subnets/prompting/tasks"
	"github.com/taonet/taonet/subnets/prompting/translate"
	"github.com/taonet/taonet/subnets/prompting/validator"
	"github.com/taonet/taonet/synapse"
	"github.com/taonet/taonet/synapse/synapsetool"
)

const bareReply = "I am a bare axon."

// serveBare starts what `taonet synapse serve --reply fixed` runs: a bare
// axon answering StreamPromptingSynapse with a fixed text.
func serveBare(t *testing.T, k *keys.Keypair) *net.TCPAddr {
	t.Helper()
	kind, err := synapsetool.StreamKind("{}", func(s *protocol.StreamPrompting) string { return s.LastUser() })
	if err != nil {
		t.Fatal(err)
	}
	a, err := synapse.NewAxon(synapse.AxonConfig{Hotkey: k})
	if err != nil {
		t.Fatal(err)
	}
	if err := kind.Serve(a, synapsetool.Fixed(bareReply), 2); err != nil {
		t.Fatal(err)
	}
	addr, err := a.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	return addr
}

// apertium is the installed engine (scripts/setup.sh test installs it;
// required under CI=true).
func apertium(t *testing.T) *translate.Apertium {
	t.Helper()
	a, err := translate.Discover("", "", nil)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("apertium required under CI=true: %v", err)
		}
		t.Skipf("apertium not installed: %v", err)
	}
	return a
}

const tao = 1_000_000_000

func mustKey(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestEndToEnd runs the prompting subnet on a real embedded node: one
// validator, a tool miner, a noise miner and an echo miner registered and
// serving through the chain; after some steps the validator's scores rank
// the tool miner first, weights reach the chain, and the validator's signed
// feed is read and verified by a feed client (the finetuning data source),
// which rejects tampered and forged records.
//
// It runs once per protocol (Axon/Dendrite synapses and Epistula-signed
// chat requests). Translation challenges are in the mix (references by
// Apertium; the tool miner translates with Apertium and must beat echo and
// noise on them), and in the bittensor run one more "miner" is a bare axon
// of `taonet synapse serve` (fixed reply) that the validator queries and
// scores like any other.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a chain node")
	}
	for _, proto := range []string{validator.ProtocolBittensor, validator.ProtocolEpistula} {
		t.Run(proto, func(t *testing.T) { endToEnd(t, proto) })
	}
}

func endToEnd(t *testing.T, proto string) {
	mt := apertium(t)
	alice := mustKey(t, "//Alice")
	valKey := mustKey(t, "//Alice//prompting-validator")
	minerKeys := []*keys.Keypair{mustKey(t, "//Alice//tool"), mustKey(t, "//Alice//noise"), mustKey(t, "//Alice//echo")}
	bare := mustKey(t, "//Alice//synapse-serve")
	if proto == validator.ProtocolBittensor {
		minerKeys = append(minerKeys, bare)
	}

	g := chain.DefaultGenesis()
	g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: alice.SS58Address(), Balance: 1_000_000 * tao})
	g.AllowLocalAxonIPs = true
	g.SubnetDefaults.Tempo = 10
	g.SubnetDefaults.MaxRegsPerBlock = 64
	g.SubnetDefaults.TargetRegsPerInterval = 64
	g.SubnetDefaults.WeightsRateLimit = 0
	g.SubnetDefaults.ServingRateLimit = 0
	g.SubnetDefaults.ImmunityPeriod = 1000
	appState, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	// The node picks free ports before binding them; on a busy machine
	// another process can take one in between, so a bind failure is retried.
	var n *node.Node
	for try := 0; ; try++ {
		n, err = node.StartEmbedded(ctx, node.Options{Home: t.TempDir(), BlockTime: 200 * time.Millisecond, AppState: appState})
		if err == nil {
			break
		}
		if try == 2 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
	}
	defer n.Stop()
	c, err := client.New([]string{n.APIURL()})
	if err != nil {
		t.Fatal(err)
	}

	// Subnet (the validator is the owner hotkey), miners, stake.
	if _, err := c.Submit(ctx, alice, &chain.CreateSubnet{Hotkey: valKey.SS58Address()}); err != nil {
		t.Fatal("create subnet: ", err)
	}
	subnets, err := c.Subnets(ctx)
	if err != nil || len(subnets) != 1 {
		t.Fatal(subnets, err)
	}
	netuid := subnets[0].Netuid
	var wg sync.WaitGroup
	errs := make([]error, len(minerKeys)+1)
	for i, k := range minerKeys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Submit(ctx, alice, &chain.BurnedRegister{Netuid: netuid, Hotkey: k.SS58Address()})
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errs[len(minerKeys)] = c.Submit(ctx, alice, &chain.AddStake{Hotkey: valKey.SS58Address(), Amount: 5000 * tao})
	}()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("setup tx %d: %v", i, err)
		}
	}

	// Miners: serve on loopback, publish the axon on chain.
	toolMiner := miner.NewTool(nil, nil)
	toolMiner.Solver.Translator = mt
	responders := []miner.Responder{toolMiner, miner.NewNoise(42), miner.Echo{}}
	for i, k := range minerKeys {
		var addr *net.TCPAddr
		if k == bare {
			addr = serveBare(t, k)
		} else {
			m, err := miner.New(miner.Config{Hotkey: k, Netuid: netuid, Chain: c, Responder: responders[i], Refresh: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if proto == validator.ProtocolEpistula {
				addr, err = m.StartEpistula("127.0.0.1:0")
			} else {
				addr, err = m.Start("127.0.0.1:0")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Shutdown(context.Background())
			mctx, mcancel := context.WithCancel(ctx)
			defer mcancel()
			go m.Run(mctx)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = miner.ServeOnChain(ctx, c, k, netuid, "127.0.0.1", addr.Port)
		}()
	}
	wg.Wait()
	for i, err := range errs[:len(minerKeys)] {
		if err != nil {
			t.Fatalf("serve axon %d: %v", i, err)
		}
	}

	// Validator with its feed; the feed is announced through a tampering
	// proxy so the client sees one altered and one foreign-signed record.
	dataDir := t.TempDir()
	store, err := feed.OpenStore(dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	feedSrv := httptest.NewServer(feed.Handler(store))
	defer feedSrv.Close()
	forger := minerKeys[2]
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(feedSrv.URL + r.URL.RequestURI())
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var pg feed.Page
		if json.Unmarshal(body, &pg) == nil {
			for i := range pg.Records {
				switch pg.Records[i].Seq {
				case 2: // tampered in transit
					pg.Records[i].Reference = "tampered"
				case 3: // re-signed by a key without a permit
					pg.Records[i].Sign(forger)
				}
			}
			body, _ = json.Marshal(pg)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer proxy.Close()
	if _, err := c.Submit(ctx, valKey, &chain.SetCommitment{Netuid: netuid,
		Fields: []chain.CommitmentField{{Kind: chain.FieldRaw, Data: []byte(feed.CommitmentText(proxy.URL))}}}); err != nil {
		t.Fatal("commit feed url: ", err)
	}

	reg, err := tasks.NewRegistry(tasks.Entry{Task: tasks.NewMath(), Weight: 1}, tasks.Entry{Task: tasks.NewQA(), Weight: 1},
		tasks.Entry{Task: tasks.NewDateQA(), Weight: 1}, tasks.Entry{Task: tasks.NewTranslation(), Weight: 2})
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	v, err := validator.New(validator.Config{Hotkey: valKey, Netuid: netuid, Chain: c, Registry: reg,
		Backends: tasks.Backends{Articles: pctx.Embedded(), Translator: mt}, Embedder: embed.Hashed{Dim: 64}, SampleSize: 8,
		Timeout: 10 * time.Second, WeightsInterval: 5, DataDir: dataDir, Feed: store, Out: &log, Protocol: proto,
		FollowUpProbability: 1}) // every qa/date_qa conversation gets its second turn
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	// Validator permits come with the next epoch.
	sn, _ := c.Subnets(ctx)
	if err := c.WaitHeight(ctx, sn[0].NextEpochBlock+1, nil); err != nil {
		t.Fatal(err)
	}
	// At least minSteps steps, two translation steps and a follow-up turn
	// (bounded).
	const minSteps, maxSteps = 10, 24
	weightsSet := false
	steps, followUps := 0, 0
	var trans [][]validator.MinerResult
	for steps < minSteps || ((len(trans) < 2 || followUps == 0) && steps < maxSteps) {
		res, err := v.Step(ctx)
		if err != nil {
			t.Fatalf("step %d: %v\n%s", steps, err, log.String())
		}
		steps++
		if len(res.Miners) != len(minerKeys) {
			t.Fatalf("step %d queried %d miners", steps, len(res.Miners))
		}
		for _, m := range res.Miners {
			if m.Status != 200 {
				t.Fatalf("step %d: miner %s answered %d", steps, m.Hotkey, m.Status)
			}
			if m.Hotkey == bare.SS58Address() && m.Completion != bareReply {
				t.Fatalf("the synapse-serve axon's answer reached the validator as %q", m.Completion)
			}
		}
		if res.Challenge.Task == tasks.Translation {
			trans = append(trans, res.Miners)
		}
		if f := res.FollowUp; f != nil {
			followUps++
			h := f.Challenge.History
			if f.Challenge.Turn != 1 || len(h) != 2 || h[0].Content != res.Challenge.Query || h[1].Role != "assistant" || len(f.Miners) != len(minerKeys) {
				t.Fatalf("step %d: follow-up without the conversation: %+v", steps, f.Challenge)
			}
		}
		weightsSet = weightsSet || res.WeightsSet
		time.Sleep(300 * time.Millisecond) // let blocks pass for the weights interval
	}
	if len(trans) < 2 {
		t.Fatalf("%d translation steps in %d", len(trans), steps)
	}
	for _, ms := range trans {
		r := map[string]float64{}
		for _, m := range ms {
			r[m.Hotkey] = m.Reward
		}
		tr, nr, er := r[minerKeys[0].SS58Address()], r[minerKeys[1].SS58Address()], r[minerKeys[2].SS58Address()]
		t.Logf("translation step: tool %.3f noise %.3f echo %.3f", tr, nr, er)
		if !(tr > nr && tr > er && tr > 0.3) {
			t.Fatalf("translation: the Apertium tool miner (%.3f) does not beat noise (%.3f) and echo (%.3f)", tr, nr, er)
		}
	}
	t.Logf("steps:\n%s", log.String())

	mg, err := c.Metagraph(ctx, netuid)
	if err != nil {
		t.Fatal(err)
	}
	uid := map[string]int{}
	for i, hk := range mg.Hotkeys {
		uid[hk] = i
	}
	scores := v.Scores()
	tool, noise, echo := scores[uid[minerKeys[0].SS58Address()]], scores[uid[minerKeys[1].SS58Address()]], scores[uid[minerKeys[2].SS58Address()]]
	t.Logf("scores tool %.4f noise %.4f echo %.4f", tool, noise, echo)
	if !(tool > echo && tool > noise && tool > 0) {
		t.Fatalf("scores do not rank the tool miner first: tool %v noise %v echo %v", tool, noise, echo)
	}
	if !weightsSet {
		t.Fatal("weights were never set")
	}
	// The weights reach the chain.
	valUID := uid[valKey.SS58Address()]
	deadline := time.Now().Add(20 * time.Second)
	for len(mg.Weights[valUID]) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if mg, err = c.Metagraph(ctx, netuid); err != nil {
			t.Fatal(err)
		}
	}
	if len(mg.Weights[valUID]) == 0 {
		t.Fatal("no weights on chain")
	}
	top := mg.Weights[valUID][0]
	for _, p := range mg.Weights[valUID] {
		if p[1] > top[1] {
			top = p
		}
	}
	if int(top[0]) != uid[minerKeys[0].SS58Address()] {
		t.Fatalf("highest weight on uid %d, want the tool miner: %v", top[0], mg.Weights[valUID])
	}

	// Feed records cite the material of article-based challenges.
	recs, _ := store.Page(0, 1000)
	cited := 0
	for _, r := range recs {
		switch r.Task {
		case tasks.QA, tasks.DateQA, tasks.Translation:
			if r.Citation == nil || r.Citation.Title == "" || !strings.HasPrefix(r.Citation.Path, "embedded:corpus/") || !strings.HasPrefix(r.Citation.Revision, "sha256:") {
				t.Fatalf("%s record without citation: %+v", r.Task, r.Citation)
			}
			cited++
		case tasks.Math:
			if r.Citation != nil {
				t.Fatalf("math record cites %+v", r.Citation)
			}
		}
	}
	if cited == 0 {
		t.Fatal("no cited record")
	}

	// The finetuning data source reads the feed.
	fc := &feed.Client{Chain: c, Netuid: netuid, MinStake: 1 * tao, PageLimit: 4}
	head := mg.Block
	samples, err := fc.Samples(ctx, 0, head)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Rejected() != 2 {
		t.Fatalf("rejected %d records, want 2 (tampered, foreign-signed)", fc.Rejected())
	}
	t.Logf("%d steps, %d follow-up turns", steps, followUps)
	if followUps == 0 {
		t.Fatal("no follow-up turn")
	}
	if len(samples) != steps+followUps-2 {
		t.Fatalf("%d samples, want %d (one record per turn, two rejected)", len(samples), steps+followUps-2)
	}
	for _, s := range samples {
		if s.Prompt == "" || s.Response == "" || s.Response == "tampered" || s.Block == 0 || s.Block > head || s.ID == "" {
			t.Fatalf("bad sample %+v", s)
		}
	}
	fmt.Fprintf(io.Discard, "%v", samples)
}
