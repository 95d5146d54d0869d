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
	epochCmd := &cobra.Command{
		Use:   "epoch",
		Short: "Run one epoch on a JSON scenario (stdin or --in) and print the result JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeFn, err := openScenario(cmd, epochIn)
			if err != nil {
				return err
			}
			defer closeFn()
			return yuma.RunEpoch(r, cmd.OutOrStdout())
		},
	}
	epochCmd.Flags().StringVar(&epochIn, "in", "", "scenario JSON file (default: stdin)")

	var simIn string
	var simEpochs int
	var simCSV bool
	simCmd := &cobra.Command{
		Use:   "simulate",
		Short: "Run a scenario for N epochs, carrying bonds and permits, and print dividends, incentive and bonds per epoch",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeFn, err := openScenario(cmd, simIn)
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

	yumaCmd.AddCommand(epochCmd, simCmd)
	rootCmd.AddCommand(yumaCmd)
}

// openScenario opens --in, or stdin when it is empty or "-".
func openScenario(cmd *cobra.Command, path string) (io.Reader, func(), error) {
	if path == "" || path == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--in: %w", err)
	}
	return f, func() { f.Close() }, nil
}
