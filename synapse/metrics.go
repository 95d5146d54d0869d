package synapse

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// axonMetrics are the Prometheus series of one Axon (nil-safe: a nil *axonMetrics
// records nothing).
type axonMetrics struct {
	requests *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
	queued   prometheus.GaugeFunc
	free     prometheus.GaugeFunc
}

func newAxonMetrics(reg prometheus.Registerer, a *Axon) (*axonMetrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &axonMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taonet_axon_requests_total", Help: "Synapse requests served by the axon, by synapse and status code.",
		}, []string{"synapse", "code"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "taonet_axon_request_seconds", Help: "Axon processing time per synapse request.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"synapse"}),
		queued: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "taonet_axon_queue_length", Help: "Verified requests waiting for a handler slot.",
		}, func() float64 { _, q := a.gate.stats(); return float64(q) }),
		free: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "taonet_axon_free_slots", Help: "Idle handler slots.",
		}, func() float64 { f, _ := a.gate.stats(); return float64(f) }),
	}
	for _, c := range []prometheus.Collector{m.requests, m.seconds, m.queued, m.free} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe records one finished request. Unknown synapse names are folded into one
// label value so callers cannot blow up the series count.
func (m *axonMetrics) observe(known bool, name string, code int, d time.Duration) {
	if m == nil {
		return
	}
	if !known {
		name = "unknown"
	}
	m.requests.WithLabelValues(name, codeLabel(code)).Inc()
	m.seconds.WithLabelValues(name).Observe(d.Seconds())
}

// dendriteMetrics are the Prometheus series of one Dendrite.
type dendriteMetrics struct {
	calls   *prometheus.CounterVec
	seconds *prometheus.HistogramVec
}

func newDendriteMetrics(reg prometheus.Registerer) (*dendriteMetrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &dendriteMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taonet_dendrite_calls_total", Help: "Dendrite calls by synapse and resulting status code.",
		}, []string{"synapse", "code"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "taonet_dendrite_call_seconds", Help: "Dendrite call latency.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"synapse"}),
	}
	for _, c := range []prometheus.Collector{m.calls, m.seconds} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *dendriteMetrics) observe(name string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(name, codeLabel(code)).Inc()
	m.seconds.WithLabelValues(name).Observe(d.Seconds())
}

// codeLabel keeps the status label set small: a hostile axon chooses the status it
// reports, so only the protocol's codes get their own series.
func codeLabel(code int) string {
	switch code {
	case 200, 204, 400, 401, 403, 404, 408, 413, 418, 422, 500, 503, 504:
		return strconv.Itoa(code)
	}
	return "other"
}
