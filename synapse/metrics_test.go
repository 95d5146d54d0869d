package synapse

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// sample returns the value of the counter (or histogram count) name{labels} in reg.
func sample(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, target := echoAxon(t, AxonConfig{Metrics: reg}, Options{Blacklist: registered(key(t, "Alice").SS58Address())})
	d, err := NewDendrite(key(t, "Alice"), DendriteConfig{Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for range 3 {
		if r := Query(context.Background(), d, target, &Prompt{Messages: []string{"x"}}, 5*time.Second); r.StatusCode != 200 {
			t.Fatal(r.StatusMessage)
		}
	}
	eve := newDendrite(t, "Eve")
	if r := Query(context.Background(), eve, target, &Prompt{Messages: []string{"x"}}, 5*time.Second); r.StatusCode != 403 {
		t.Fatal(r.StatusMessage)
	}
	syn := "StreamPromptingSynapse"
	if got := sample(t, reg, "taonet_axon_requests_total", map[string]string{"synapse": syn, "code": "200"}); got != 3 {
		t.Fatalf("axon 200s: %v", got)
	}
	if got := sample(t, reg, "taonet_axon_requests_total", map[string]string{"synapse": syn, "code": "403"}); got != 1 {
		t.Fatalf("axon 403s: %v", got)
	}
	if got := sample(t, reg, "taonet_dendrite_calls_total", map[string]string{"synapse": syn, "code": "200"}); got != 3 {
		t.Fatalf("dendrite 200s: %v", got)
	}
	if got := sample(t, reg, "taonet_dendrite_call_seconds", map[string]string{"synapse": syn}); got != 3 {
		t.Fatalf("dendrite latency samples: %v", got)
	}
	// Slots are released just after the response is written: wait for it, bounded.
	for i := 0; sample(t, reg, "taonet_axon_free_slots", nil) != float64(a.cfg.MaxConcurrent); i++ {
		if i == 5000 {
			t.Fatalf("free slots: %v", sample(t, reg, "taonet_axon_free_slots", nil))
		}
		time.Sleep(time.Millisecond)
	}
	if codeLabel(299) != "other" || codeLabel(503) != "503" {
		t.Fatal("codeLabel")
	}
	// A second axon on the same registry must fail loudly, not silently share series.
	if _, err := NewAxon(AxonConfig{Hotkey: key(t, "Bob"), Metrics: reg}); err == nil {
		t.Fatal("duplicate metrics registration accepted")
	}
}
