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
			Help: "Transactions checked for the mempool, by result (accepted, or rejected with code)."}, []string{"result", "code"}),
		executed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_block_txs_total",
			Help: "Transactions executed in blocks, by result (accepted, or rejected with code)."}, []string{"result", "code"}),
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

func resultLabels(code uint32) (string, string) {
	if code == 0 {
		return "accepted", "0"
	}
	return "rejected", fmt.Sprint(code)
}

func (m *Metrics) observeCheck(code uint32)   { m.checked.WithLabelValues(resultLabels(code)).Inc() }
func (m *Metrics) observeDeliver(code uint32) { m.executed.WithLabelValues(resultLabels(code)).Inc() }

func (m *Metrics) observeEndBlock(d time.Duration, evs []Event) {
	m.endBlock.Observe(d.Seconds())
	for _, e := range evs {
		if strings.Contains(strings.ToLower(e.Type), "epoch") {
			m.epoch.Observe(d.Seconds())
			return
		}
	}
}
