package organic

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	wins     *prometheus.CounterVec
	failures prometheus.Counter
	score    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_prompting_api_requests_total",
			Help: "Organic API requests by route and HTTP status."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "taonet_prompting_api_request_seconds",
			Help: "Organic API request time by route (a streamed answer counts until its end).", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"route"}),
		wins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_prompting_api_miner_answers_total",
			Help: "Organic answers served, by the miner UID whose stream won."}, []string{"uid"}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "taonet_prompting_api_unanswered_total",
			Help: "Organic requests none of the top-k miners answered."}),
		score: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taonet_prompting_api_answer_score",
			Help: "Scores of organic answers against their reference (when scoring is on).", Buckets: prometheus.LinearBuckets(0, 0.1, 11)}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency, m.wins, m.failures, m.score)
	}
	return m
}
