package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/synapse/synbench"
)

func init() {
	synapseCmd := &cobra.Command{
		Use:   "synapse",
		Short: "Axon/Dendrite synapse protocol tools",
	}
	var cfg synbench.Config
	var cpuProfile, roundLog, traceFile string
	bench := &cobra.Command{
		Use:   "bench",
		Short: "Measure Dendrite fan-out to local axons whose handlers sleep",
		Example: `  taonet synapse bench --axons 256 --sleep 50ms --rounds 20
  taonet synapse bench --rounds 100 --round-log - | sort -t= -k2 -g | tail
  taonet synapse bench --axons 64 --cpuprofile fanout.prof && go tool pprof -tags fanout.prof`,
		Long: `Starts --axons local axons on 127.0.0.1 whose handlers sleep --sleep, fans one signed
synapse out to all of them --rounds times (after one warm-up round) and prints the
p50/p99 total time, the overhead above the sleep, per-call latency and CPU per fan-out,
split into the dendrite's and the axons' own CPU by a 1 kHz CPU profile of the measured
rounds. --cpuprofile keeps that profile; split it by side with: go tool pprof -tags <file>.
--round-log writes one line per measured round (overhead, when its last handler
started, its slowest return, GC cycles, CPU) to find which rounds make the p99 and
why; --trace keeps a runtime trace of the measured rounds with those lines as log
events (go tool trace <file>).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out outputFiles
			defer out.close()
			var err error
			if cfg.CPUProfile, err = out.create(cpuProfile, cmd); err != nil {
				return err
			}
			if cfg.RoundLog, err = out.create(roundLog, cmd); err != nil {
				return err
			}
			if cfg.Trace, err = out.create(traceFile, cmd); err != nil {
				return err
			}
			rep, err := synbench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), rep.String())
			if rep.FailedCalls > 0 {
				return fmt.Errorf("%d calls failed", rep.FailedCalls)
			}
			return nil
		},
	}
	f := bench.Flags()
	f.IntVar(&cfg.Axons, "axons", 256, "number of local axons")
	f.DurationVar(&cfg.Sleep, "sleep", 50*time.Millisecond, "handler sleep per call")
	f.IntVar(&cfg.Rounds, "rounds", 20, "measured fan-out rounds")
	f.DurationVar(&cfg.Timeout, "timeout", 5*time.Second, "per-call timeout")
	f.BoolVar(&cfg.SignResponses, "sign-responses", true, "axons sign their responses (upstream behaviour)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write the CPU profile of the measured rounds (labelled side=axon|dendrite) to this file")
	f.StringVar(&roundLog, "round-log", "", "write one ROUND line per measured round to this file (- for stdout)")
	f.StringVar(&traceFile, "trace", "", "write a runtime trace of the measured rounds to this file")
	synapseCmd.AddCommand(bench, synapseServeCmd(), synapseQueryCmd())
	rootCmd.AddCommand(synapseCmd)
}

// outputFiles are the files a command's flags name for writing, closed together.
type outputFiles []*os.File

// create opens the file a flag names: nil for an empty name, the command's stdout
// for "-".
func (o *outputFiles) create(path string, cmd *cobra.Command) (io.Writer, error) {
	switch path {
	case "":
		return nil, nil
	case "-":
		return cmd.OutOrStdout(), nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	*o = append(*o, f)
	return f, nil
}

func (o outputFiles) close() {
	for _, f := range o {
		f.Close()
	}
}
