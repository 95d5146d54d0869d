package node

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the node's Prometheus metrics, in their own registry so several
// nodes can live in one process (tests, localnet).
type Metrics struct {
	Registry *prometheus.Registry

	height   prometheus.Gauge
	checked  *prometheus.CounterVec
	executed *prometheus.CounterVec
	endBlock prometheus.Histogram
	epoch    prometheus.Histogram
	api      *prometheus.CounterVec
}

// NewMetrics creates and registers the node metrics.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		height:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "taonet_block_height", Help: "Height of the last committed block."}),
		checked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_mempool_txs_total",
			Help: "Transactions checked for the mempool, by result (accepted, or rejected with code and reason)."}, []string{"result", "code", "reason"}),
		executed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_block_txs_total",
			Help: "Transactions executed in blocks, by result (accepted, or rejected with code and reason)."}, []string{"result", "code", "reason"}),
		endBlock: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taonet_end_block_seconds",
			Help: "Time spent in the block step (emission, epochs).", Buckets: prometheus.ExponentialBuckets(1e-5, 4, 10)}),
		epoch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taonet_epoch_seconds",
			Help: "Time of block steps that ran at least one Yuma epoch.", Buckets: prometheus.ExponentialBuckets(1e-5, 4, 10)}),
		api: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_api_requests_total",
			Help: "JSON API requests by route and HTTP status."}, []string{"route", "status"}),
	}
	r.MustRegister(m.height, m.checked, m.executed, m.endBlock, m.epoch, m.api,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// resultLabels are the result, code and reason labels of one transaction
// outcome; when the machine names no reason it is "ok" or "code_N".
func resultLabels(r Result) (string, string, string) {
	if r.Code == 0 {
		return "accepted", "0", "ok"
	}
	reason := r.Reason
	if reason == "" {
		reason = fmt.Sprintf("code_%d", r.Code)
	}
	return "rejected", fmt.Sprint(r.Code), reason
}

func (m *Metrics) observeCheck(r Result)   { m.checked.WithLabelValues(resultLabels(r)).Inc() }
func (m *Metrics) observeDeliver(r Result) { m.executed.WithLabelValues(resultLabels(r)).Inc() }

func (m *Metrics) observeEndBlock(d time.Duration, evs []Event) {
	m.endBlock.Observe(d.Seconds())
	for _, e := range evs {
		if strings.Contains(strings.ToLower(e.Type), "epoch") {
			m.epoch.Observe(d.Seconds())
			return
		}
	}
}
