package validator

import (
	"math"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the validator's Prometheus metrics.
type Metrics struct {
	steps      prometheus.Counter
	rejected   *prometheus.CounterVec
	weightsSet prometheus.Counter
	stepSecs   prometheus.Gauge
	evalSecs   prometheus.Gauge
	seed       prometheus.Gauge
	samples    prometheus.Gauge
	loss       *prometheus.GaugeVec
	winRate    *prometheus.GaugeVec
	weight     *prometheus.GaugeVec
	caughtUp   prometheus.Counter
	missing    prometheus.Gauge
}

// NewMetrics creates the metrics and registers them with reg (nil: none).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		steps:      prometheus.NewCounter(prometheus.CounterOpts{Name: "finetune_validator_steps_total", Help: "Completed validation steps."}),
		rejected:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "finetune_validator_rejected_total", Help: "Rejected commitments and models."}, []string{"kind"}),
		weightsSet: prometheus.NewCounter(prometheus.CounterOpts{Name: "finetune_validator_weights_set_total", Help: "Successful set_weights transactions."}),
		stepSecs:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "finetune_validator_step_seconds", Help: "Wall time of the last step."}),
		evalSecs:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "finetune_validator_eval_seconds", Help: "LM engine time of the last step."}),
		seed:       prometheus.NewGauge(prometheus.GaugeOpts{Name: "finetune_validator_seed_block", Help: "Seed block of the last step."}),
		samples:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "finetune_validator_samples", Help: "Evaluation samples of the last step."}),
		loss:       prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "finetune_validator_mean_loss", Help: "Mean response loss per uid (last evaluation)."}, []string{"uid"}),
		winRate:    prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "finetune_validator_win_rate", Help: "Win rate per uid (last evaluation)."}, []string{"uid"}),
		weight:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "finetune_validator_weight", Help: "Subnet weight per uid."}, []string{"uid"}),
		caughtUp:   prometheus.NewCounter(prometheus.CounterOpts{Name: "finetune_validator_caught_up_seeds_total", Help: "Seed blocks of the window evaluated before a step (missed, before start, or retried)."}),
		missing:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "finetune_validator_window_missing_seeds", Help: "Seed blocks of the last step's window without results (> 0: weights not set)."}),
	}
	if reg != nil {
		reg.MustRegister(m.steps, m.rejected, m.weightsSet, m.stepSecs, m.evalSecs, m.seed, m.samples, m.loss, m.winRate, m.weight, m.caughtUp, m.missing)
	}
	return m
}

func (m *Metrics) observe(r *StepReport) {
	m.steps.Inc()
	m.stepSecs.Set(r.Total.Seconds())
	m.evalSecs.Set(r.EvalTime.Seconds())
	m.seed.Set(float64(r.SeedBlock))
	m.samples.Set(float64(r.Samples))
	m.caughtUp.Add(float64(len(r.CaughtUp)))
	m.missing.Set(float64(len(r.Missing)))
	for _, x := range r.Models {
		u := strconv.Itoa(int(x.UID))
		if !math.IsNaN(x.MeanLoss) {
			m.loss.WithLabelValues(u).Set(x.MeanLoss)
		}
		m.winRate.WithLabelValues(u).Set(x.WinRate)
	}
	m.weight.Reset()
	for u, w := range r.Weights {
		m.weight.WithLabelValues(strconv.Itoa(int(u))).Set(w)
	}
}
