// Command taonet is the single binary of the taonet network: chain node, wallets,
// Yuma tools, language-model engine, subnets and localnet. Each subcommand group
// lives in its own file and registers itself on rootCmd from init.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:   "taonet",
	Short: "taonet: a Bittensor-style incentive network in Go",
	Long: `taonet runs a subtensor-like chain with bit-exact Yuma Consensus on CometBFT,
Bittensor-compatible wallets and signed Axon/Dendrite synapses, a Go language-model
engine, and the finetuning and prompting subnets.

Start the whole network on one machine with:  taonet localnet`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
