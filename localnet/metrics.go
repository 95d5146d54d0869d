package localnet

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// neuronCollector exports a neuron's on-chain state (read from the node at
// scrape time) on its component's /metrics, next to the component's own
// series: what a miner or validator is paid is part of its health.
type neuronCollector struct {
	n      *Net
	netuid uint16
	hotkey string
	commit bool // also export the commitment block (finetuning miners)
}

var (
	descUID       = prometheus.NewDesc("taonet_neuron_uid", "The neuron's uid on its subnet (-1: not registered).", nil, nil)
	descStake     = prometheus.NewDesc("taonet_neuron_stake_rao", "Stake on the neuron's hotkey (rao).", nil, nil)
	descIncentive = prometheus.NewDesc("taonet_neuron_incentive", "Incentive of the last epoch (0..1).", nil, nil)
	descDividends = prometheus.NewDesc("taonet_neuron_dividends", "Dividends of the last epoch (0..1).", nil, nil)
	descEmission  = prometheus.NewDesc("taonet_neuron_emission_rao", "Emission of the last epoch (rao).", nil, nil)
	descCommit    = prometheus.NewDesc("taonet_neuron_commitment_block", "Block of the neuron's chain commitment (0: none).", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *neuronCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUID, descStake, descIncentive, descDividends, descEmission} {
		ch <- d
	}
	if c.commit {
		ch <- descCommit
	}
}

// Collect implements prometheus.Collector; a node error exports nothing.
func (c *neuronCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	mg, err := c.n.Client.Metagraph(ctx, c.netuid)
	if err != nil {
		return
	}
	uid := -1
	for i, h := range mg.Hotkeys {
		if h == c.hotkey {
			uid = i
		}
	}
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	g(descUID, float64(uid))
	if uid >= 0 {
		g(descStake, float64(mg.Stake[uid]))
		g(descIncentive, float64(mg.Incentive[uid])/65535)
		g(descDividends, float64(mg.Dividends[uid])/65535)
		g(descEmission, float64(mg.Emission[uid]))
	}
	if c.commit {
		var block uint64
		if cm, ok, err := c.n.Client.Commitment(ctx, c.netuid, c.hotkey); err == nil && ok {
			block = cm.Block
		}
		g(descCommit, float64(block))
	}
}

// neuronRegistry returns a fresh registry holding the neuron's chain gauges.
func (n *Net) neuronRegistry(netuid uint16, hotkey string, commit bool) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(&neuronCollector{n: n, netuid: netuid, hotkey: hotkey, commit: commit})
	return reg
}
