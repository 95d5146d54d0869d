package main

import (
	"github.com/spf13/cobra"
	"github.com/taonet/taonet/client"
)

func init() {
	var netuid uint16
	var block int64
	cmd := &cobra.Command{Use: "metagraph", Aliases: []string{"m"}, Short: "Show a subnet's metagraph as a table (--json for everything)", Example: `  taonet metagraph --netuid 1
  taonet metagraph --netuid 1 --node http://10.0.0.5:26680,http://10.0.0.6:26680 --json`, Args: cobra.NoArgs}
	nf := bindNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.Flags().Int64Var(&block, "block", -1, "subtensor: read at this block (old blocks need an archive node)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if nf.st.on() {
			var at *uint64
			if block >= 0 {
				b := uint64(block)
				at = &b
			}
			return subtensorMetagraph(cmd, nf, netuid, at)
		}
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		m, err := c.Metagraph(ctx, netuid)
		if err != nil {
			return err
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), m)
		}
		return client.WriteMetagraphTable(cmd.OutOrStdout(), m)
	}
	rootCmd.AddCommand(cmd)
}
