package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
)

func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func init() {
	cmd := &cobra.Command{Use: "stake", Aliases: []string{"st"}, Short: "Stake: add, remove, show"}
	cmd.AddCommand(stakeMoveCmd(true), stakeMoveCmd(false), stakeShowCmd(), stakeTransitionCmd("move"),
		stakeTransitionCmd("transfer"), stakeTransitionCmd("swap"), stakeTakeCmd())
	rootCmd.AddCommand(cmd)
}

func stakeMoveCmd(add bool) *cobra.Command {
	var amount, hk string
	use, short := "add", "Stake TAO from the coldkey balance onto a hotkey"
	if !add {
		use, short = "remove", "Unstake TAO from a hotkey back to the coldkey balance"
	}
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
		Example: "  taonet stake " + use + " --wallet.name alice --wallet.hotkey validator --amount 10.5"}
	wf := bindWalletFlags(cmd, true)
	nf := bindTxNodeFlags(cmd)
	cmd.Flags().StringVar(&amount, "amount", "", "amount in TAO (e.g. 10.5)")
	cmd.Flags().StringVar(&hk, "hotkey-ss58", "", "hotkey (default: the wallet hotkey)")
	df := bindDTAOStakeFlags(cmd, add)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		rao, err := client.ParseTAO(amount)
		if err != nil {
			return fmt.Errorf("--amount: %w", err)
		}
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		h, ck, err := cliHotkeyAndColdkey(cmd, wf, hk)
		if err != nil {
			return err
		}
		var call chain.Call = &chain.AddStake{Hotkey: h, Amount: rao}
		if !add {
			call = &chain.RemoveStake{Hotkey: h, Amount: rao}
		}
		switch {
		case nf.st.on():
			// subtensor: --netuid picks the subnet of add_stake/remove_stake.
			if cmd.Flags().Changed("limit-price") || cmd.Flags().Changed("partial") {
				return fmt.Errorf("--limit-price/--partial are not supported with --subtensor.*")
			}
			if cmd.Flags().Changed("netuid") {
				nf.stakeNetuid = &df.netuid
			}
		case df.set():
			if call, err = df.call(add, h, rao); err != nil {
				return err
			}
		}
		if _, err := cliSubmit(cmd, nf, c, ctx, ck, call); err != nil {
			return err
		}
		if nf.json || nf.st.on() {
			return nil
		}
		acc, err := c.Account(ctx, ck.SS58Address())
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "balance τ%s, staked τ%s\n", client.FormatTAO(acc.Balance), client.FormatTAO(acc.TotalStaked))
		return nil
	}
	return cmd
}

func stakeShowCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{Use: "show", Aliases: []string{"list"}, Short: "Show the balance and stakes of a coldkey", Example: `  taonet stake show --wallet.name alice
  taonet stake show --ss58 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --json`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, false)
	nf := bindNodeFlags(cmd)
	cmd.Flags().StringVar(&addr, "ss58", "", "coldkey address (default: the wallet coldkey's public address)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		if addr == "" {
			a, err := walletColdkeyAddress(cmd, wf)
			if err != nil {
				return err
			}
			addr = a
		}
		acc, err := c.Account(ctx, addr)
		if err != nil {
			return err
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), acc)
		}
		w := cmd.OutOrStdout()
		fmt.Fprintf(w, "%s: balance τ%s, nonce %d, staked τ%s\n", acc.Address, client.FormatTAO(acc.Balance), acc.Nonce, client.FormatTAO(acc.TotalStaked))
		for _, s := range acc.Stakes {
			if s.Netuid != nil && *s.Netuid != 0 {
				fmt.Fprintf(w, "  α%s on %s in subnet %d\n", client.FormatTAO(s.Amount), s.Hotkey, *s.Netuid)
				continue
			}
			fmt.Fprintf(w, "  τ%s on %s\n", client.FormatTAO(s.Amount), s.Hotkey)
		}
		return nil
	}
	return cmd
}
