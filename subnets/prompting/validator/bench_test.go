package validator

import (
	"context"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/tasks"
)

// BenchmarkStep256 is one validator step against 256 local tool miners on
// loopback (offline task mix: qa, summarization, date_qa, math). It reports
// the step's wall time, the time spent waiting for miners (query) and the
// rest (overhead: challenge, scoring 256 completions, state, feed).
func BenchmarkStep256(b *testing.B) {
	val, _ := keys.FromURI("//Alice")
	tool := miner.NewTool(nil, nil)
	rs := make([]miner.Responder, 256)
	for i := range rs {
		rs[i] = tool
	}
	mg := localMiners(b, val, rs)
	v, err := New(Config{Hotkey: val, Chain: &staticChain{mg: mg}, Embedder: bowEmbedder{}, DataDir: b.TempDir(),
		Backends: tasks.Backends{Articles: pctx.Embedded()}, SampleSize: 256, Timeout: 15 * time.Second,
		WeightsInterval: 1 << 62})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Step(context.Background()); err != nil { // warm connections and the tokenizer
		b.Fatal(err)
	}
	var query, over time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := v.Step(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		ok := 0
		for _, m := range res.Miners {
			if m.Status == 200 {
				ok++
			}
		}
		if ok != 256 {
			b.Fatalf("%d/256 miners answered", ok)
		}
		query += res.Query
		over += res.Overhead
	}
	b.ReportMetric(float64(query.Milliseconds())/float64(b.N), "query-ms/op")
	b.ReportMetric(float64(over.Microseconds())/1000/float64(b.N), "overhead-ms/op")
}
