package validator

import (
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/taonet/taonet/lm/tokenizer"
)

type metrics struct {
	steps    prometheus.Counter
	failures prometheus.Counter
	weights  prometheus.Counter
	wall     prometheus.Histogram
	overhead prometheus.Histogram
	reward   *prometheus.HistogramVec
	status   *prometheus.CounterVec
	score    *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		steps:    prometheus.NewCounter(prometheus.CounterOpts{Name: "taonet_prompting_steps_total", Help: "Validation steps completed."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "taonet_prompting_step_failures_total", Help: "Validation steps that failed."}),
		weights:  prometheus.NewCounter(prometheus.CounterOpts{Name: "taonet_prompting_weights_set_total", Help: "set_weights transactions sent."}),
		wall: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taonet_prompting_step_seconds", Help: "Wall time of a step.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14)}),
		overhead: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "taonet_prompting_step_overhead_seconds",
			Help: "Step time outside waiting for miners.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		reward: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "taonet_prompting_reward", Help: "Step rewards by task.",
			Buckets: prometheus.LinearBuckets(0, 0.1, 11)}, []string{"task"}),
		status: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "taonet_prompting_miner_responses_total",
			Help: "Miner responses by status code."}, []string{"code"}),
		score: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "taonet_prompting_score", Help: "Moving-average score by uid."}, []string{"uid"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.steps, m.failures, m.weights, m.wall, m.overhead, m.reward, m.status, m.score} {
			reg.Register(c) // a second validator in one process keeps the first's series
		}
	}
	return m
}

func (m *metrics) observe(s *StepResult) {
	m.steps.Inc()
	m.wall.Observe(s.Wall.Seconds())
	m.overhead.Observe(s.Overhead.Seconds())
	if s.WeightsSet {
		m.weights.Inc()
	}
	for _, r := range s.Miners {
		m.score.WithLabelValues(itoa(r.UID)).Set(r.Score)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = digits[i%10]
		i /= 10
	}
	return string(b[n:])
}

// DefaultTokenCounter counts chunk tokens with the GPT-2 BPE tokenizer (the
// validator tokenizer of the streaming penalty); if it cannot be loaded,
// whitespace words × 4/3 approximate it.
func DefaultTokenCounter() func(string) int {
	var once sync.Once
	var tok *tokenizer.Tokenizer
	return func(s string) int {
		once.Do(func() { tok, _ = tokenizer.GPT2() })
		if tok != nil {
			return len(tok.Encode(s))
		}
		return (len(strings.Fields(s))*4 + 2) / 3
	}
}
