package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/yuma"
)

// yuma.go wires the `taonet yuma` commands; parsing, the epoch and the output
// formats live in package yuma.

func init() {
	yumaCmd := &cobra.Command{
		Use:   "yuma",
		Short: "Run the bit-exact Yuma Consensus epoch on a JSON scenario",
	}

	var epochIn string
	var epochSets []string
	epochCmd := &cobra.Command{
		Use:   "epoch",
		Short: "Run one epoch on a JSON scenario (stdin or --in) and print the result JSON",
		Example: `  taonet yuma epoch --in scenario.json
  echo '{"block":100,"stake":[1000,10],"validator_permit":[true,false],"weights":[[[1,65535]],[]]}' | taonet yuma epoch
  taonet yuma epoch --in scenario.json --set kappa=16384 --set yuma3=true

Absent keys take subtensor's defaults (emission 1000000000 rao); bad input exits 1
with a message naming the key, e.g. "weights[0][0]: uid 5 out of range [0, 2)".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeFn, err := openScenario(cmd, epochIn, epochSets)
			if err != nil {
				return err
			}
			defer closeFn()
			return yuma.RunEpoch(r, cmd.OutOrStdout())
		},
	}
	epochCmd.Flags().StringVar(&epochIn, "in", "", "scenario JSON file (default: stdin)")
	epochCmd.Flags().StringArrayVar(&epochSets, "set", nil, "override a scenario key, key=JSON (repeatable), e.g. --set kappa=16384")

	var simIn string
	var simEpochs int
	var simCSV bool
	var simSets []string
	simCmd := &cobra.Command{
		Use:   "simulate",
		Short: "Run a scenario for N epochs, carrying bonds and permits, and print dividends, incentive and bonds per epoch",
		Example: `  taonet yuma simulate --in scenario.json --epochs 20
  taonet yuma simulate --in scenario.json --epochs 20 --csv > run.csv
  taonet yuma simulate --in scenario.json --set bonds_moving_average=975000   # compare settings

"weights_by_epoch" in the scenario (a list of per-epoch weight matrices) changes the
weights each epoch; the last entry is held.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeFn, err := openScenario(cmd, simIn, simSets)
			if err != nil {
				return err
			}
			defer closeFn()
			return yuma.RunSimulate(r, cmd.OutOrStdout(), simEpochs, simCSV)
		},
	}
	simCmd.Flags().StringVar(&simIn, "in", "", "scenario JSON file (default: stdin)")
	simCmd.Flags().IntVar(&simEpochs, "epochs", 10, "number of epochs to run")
	simCmd.Flags().BoolVar(&simCSV, "csv", false, "write CSV (exact u16/rao values) instead of a table")
	simCmd.Flags().StringArrayVar(&simSets, "set", nil, "override a scenario key, key=JSON (repeatable), e.g. --set yuma3=false")

	yumaCmd.AddCommand(epochCmd, simCmd)
	rootCmd.AddCommand(yumaCmd)
}

// openScenario opens --in (stdin when empty or "-") and applies --set overrides.
func openScenario(cmd *cobra.Command, path string, sets []string) (io.Reader, func(), error) {
	var r io.Reader = cmd.InOrStdin()
	closeFn := func() {}
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("--in: %w", err)
		}
		r, closeFn = f, func() { f.Close() }
	}
	r, err := yuma.ApplyOverrides(r, sets)
	if err != nil {
		closeFn()
		return nil, nil, err
	}
	return r, closeFn, nil
}
