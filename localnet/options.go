package localnet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Options configure a local network. The zero value of every field but Dir
// means its default (see Defaults).
type Options struct {
	// Dir is the data directory (node home, wallets, hub, validator state,
	// logs). Default: ./.localnet.
	Dir string
	// Nodes is the number of chain validators: 1 runs an embedded node in
	// this process; more run a local CometBFT cluster of child processes of
	// Binary (`taonet chain start`).
	Nodes int
	// Binary is the taonet executable for cluster nodes (default: this
	// process's executable).
	Binary string
	// BlockTime is the target block interval (default 1 s).
	BlockTime time.Duration
	// Tempo is the subnets' epoch length in blocks (default 10).
	Tempo uint16

	// Neuron counts per subnet (defaults: 3 prompting miners, 1 prompting
	// validator, 3 finetuning miners, 2 finetuning validators). A negative
	// count means none.
	PromptingMiners, PromptingValidators int
	FinetuneMiners, FinetuneValidators   int

	// LLMURL is an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp,
	// `taonet model serve`, ...). When set, the prompting validator writes
	// challenges with it and one extra prompting miner answers with it.
	LLMURL, LLMModel, LLMKey string
	// LLMModelDir, when set, is a model directory (Hugging Face layout) that
	// localnet serves itself with the taonet LM engine, OpenAI-compatible,
	// and uses as LLMURL.
	LLMModelDir string
	// EmbeddingsPath is the GloVe (wink) vectors file of the prompting
	// relevance reward (default: embed.DefaultWinkPath()).
	EmbeddingsPath string

	// Listen addresses ("host:port"; a busy default port falls back to a
	// free one; "-" disables the dashboard).
	NodeAddr, HubAddr, DashboardAddr string

	// PromptingInterval is the pause between prompting validator steps
	// (default 2 s); PromptingTimeout bounds each miner's answer (default 5 s).
	PromptingInterval, PromptingTimeout time.Duration
	// FinetuneStepInterval is the number of blocks between finetuning
	// validator steps and weight settings (default 10).
	FinetuneStepInterval uint64
	// FinetuneTrainSteps is the optimizer steps per round of the first
	// finetuning miner; miner i trains (i+1) times as many (default 10).
	FinetuneTrainSteps int
	// FinetuneRoundInterval is the pause between a miner's rounds (default 30 s).
	FinetuneRoundInterval time.Duration

	// Out receives the setup progress and the live summary (nil: none).
	Out io.Writer
	// SummaryEvery is the live summary period (default 10 s; <0: none).
	SummaryEvery time.Duration
}

// Default ports, chosen away from common services; a busy one falls back to
// a free port.
const (
	DefaultNodeAddr      = "127.0.0.1:26680"
	DefaultHubAddr       = "127.0.0.1:7860"
	DefaultDashboardAddr = "127.0.0.1:7070"
)

// Defaults returns o with every unset field filled in.
func (o Options) Defaults() Options {
	if o.Dir == "" {
		o.Dir = ".localnet"
	}
	if o.Nodes <= 0 {
		o.Nodes = 1
	}
	if o.BlockTime <= 0 {
		o.BlockTime = time.Second
	}
	if o.Tempo == 0 {
		o.Tempo = 10
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	def(&o.PromptingMiners, 3)
	def(&o.PromptingValidators, 1)
	def(&o.FinetuneMiners, 3)
	def(&o.FinetuneValidators, 2)
	if o.NodeAddr == "" {
		o.NodeAddr = DefaultNodeAddr
	}
	if o.HubAddr == "" {
		o.HubAddr = DefaultHubAddr
	}
	if o.DashboardAddr == "" {
		o.DashboardAddr = DefaultDashboardAddr
	}
	if o.PromptingInterval <= 0 {
		o.PromptingInterval = 2 * time.Second
	}
	if o.PromptingTimeout <= 0 {
		o.PromptingTimeout = 5 * time.Second
	}
	if o.FinetuneStepInterval == 0 {
		o.FinetuneStepInterval = 10
	}
	if o.FinetuneTrainSteps <= 0 {
		o.FinetuneTrainSteps = 10
	}
	if o.FinetuneRoundInterval <= 0 {
		o.FinetuneRoundInterval = 30 * time.Second
	}
	if o.SummaryEvery == 0 {
		o.SummaryEvery = 10 * time.Second
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	return o
}

// validate rejects settings no network can run with.
func (o Options) validate() error {
	const maxNeurons = 64
	for _, c := range []struct {
		name string
		n    int
	}{{"prompting miners", o.PromptingMiners}, {"prompting validators", o.PromptingValidators},
		{"finetuning miners", o.FinetuneMiners}, {"finetuning validators", o.FinetuneValidators}} {
		if c.n > maxNeurons {
			return fmt.Errorf("localnet: %d %s: at most %d", c.n, c.name, maxNeurons)
		}
	}
	if o.Nodes > 16 {
		return errors.New("localnet: at most 16 nodes")
	}
	if o.BlockTime < 50*time.Millisecond {
		return fmt.Errorf("localnet: block time %s is below 50ms", o.BlockTime)
	}
	return nil
}

// DefaultDir is ./.localnet when the working directory is writable, else
// ~/.taonet/localnet.
func DefaultDir() string {
	if wd, err := os.Getwd(); err == nil {
		if f, err := os.CreateTemp(wd, ".taonet-probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return filepath.Join(wd, ".localnet")
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".taonet", "localnet")
	}
	return ".localnet"
}

// hasLLM reports whether an LLM backend is configured (external or served).
func (o Options) hasLLM() bool { return o.LLMURL != "" || o.LLMModelDir != "" }
