package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
)

func init() {
	cmd := &cobra.Command{Use: "commitment", Short: "Hotkey commitments: set, get"}
	cmd.AddCommand(commitmentSetCmd(), commitmentGetCmd())
	rootCmd.AddCommand(cmd)
}

func commitmentSetCmd() *cobra.Command {
	var netuid uint16
	var data string
	cmd := &cobra.Command{Use: "set", Short: "Commit a string (≤ 512 bytes) for the wallet hotkey on a subnet", Example: `  taonet commitment set --wallet.name alice --wallet.hotkey miner1 --netuid 2 --data "myorg/model@3f2a9c"`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	nf := bindTxNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.Flags().StringVar(&data, "data", "", "the commitment text")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		kind := chain.FieldRaw
		if len(data) > 128 {
			kind = chain.FieldBigRaw
		}
		if len(data) == 0 || len(data) > 512 {
			return fmt.Errorf("--data must be 1..512 bytes, got %d", len(data))
		}
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		hk, err := cliHotkey(cmd, wf)
		if err != nil {
			return err
		}
		_, err = cliSubmit(cmd, nf, c, ctx, hk, &chain.SetCommitment{Netuid: netuid, Fields: []chain.CommitmentField{{Kind: kind, Data: []byte(data)}}})
		return err
	}
	return cmd
}

func commitmentGetCmd() *cobra.Command {
	var netuid uint16
	var hk string
	cmd := &cobra.Command{Use: "get", Short: "Show commitments on a subnet (one hotkey with --hotkey-ss58)", Example: `  taonet commitment get --netuid 2
  taonet commitment get --netuid 2 --hotkey-ss58 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --json`, Args: cobra.NoArgs}
	nf := bindNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.Flags().StringVar(&hk, "hotkey-ss58", "", "only this hotkey")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		var cs []chain.Commitment
		if nf.st.on() {
			cs, err = subtensorCommitments(nf, netuid)
		} else {
			cs, err = c.Commitments(ctx, netuid)
		}
		if err != nil {
			return err
		}
		if hk != "" {
			var one []chain.Commitment
			for _, x := range cs {
				if x.Hotkey == hk {
					one = append(one, x)
				}
			}
			if len(one) == 0 {
				return fmt.Errorf("no commitment of %s on subnet %d", hk, netuid)
			}
			cs = one
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), cs)
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "UID\tHOTKEY\tBLOCK\tTEXT")
		for _, x := range cs {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%q\n", x.UID, x.Hotkey, x.Block, x.Text)
		}
		return tw.Flush()
	}
	return cmd
}
