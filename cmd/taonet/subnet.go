package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
)

func init() {
	cmd := &cobra.Command{
		Use:     "subnet",
		Aliases: []string{"subnets", "s"},
		Short:   "Subnets: create, list, hyperparameters, set-hyperparameter, register",
	}
	cmd.AddCommand(subnetCreateCmd(), subnetListCmd(), subnetHyperparametersCmd(), subnetSetHyperparameterCmd(), subnetRegisterCmd())
	rootCmd.AddCommand(cmd)
}

func subnetCreateCmd() *cobra.Command {
	var hk string
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Create a subnet owned by the wallet's coldkey (locks the network lock cost)",
		Example: `  taonet subnet create --wallet.name owner --wallet.hotkey default`,
		Args:    cobra.NoArgs,
	}
	wf := bindWalletFlags(cmd, true)
	nf := bindNodeFlags(cmd)
	cmd.Flags().StringVar(&hk, "hotkey-ss58", "", "owner hotkey (default: the wallet hotkey)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		owner, ck, err := cliHotkeyAndColdkey(cmd, wf, hk)
		if err != nil {
			return err
		}
		o, err := cliSubmit(cmd, nf, c, ctx, ck, &chain.CreateSubnet{Hotkey: owner})
		if err != nil {
			return err
		}
		for _, e := range o.Events {
			for _, a := range e.Attrs {
				if a.Key == "netuid" && !nf.json {
					fmt.Fprintf(cmd.OutOrStdout(), "subnet netuid %s created\n", a.Value)
				}
			}
		}
		return nil
	}
	return cmd
}

func subnetListCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List subnets", Example: `  taonet subnet list --node http://127.0.0.1:26680`, Args: cobra.NoArgs}
	nf := bindNodeFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		var ss []chain.SubnetInfo
		if nf.st.on() {
			ss, err = subtensorSubnets(nf)
		} else {
			ss, err = c.Subnets(ctx)
		}
		if err != nil {
			return err
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), ss)
		}
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
		if len(ss) > 0 && ss[0].Pool != nil {
			return printPools(tw, ss)
		}
		fmt.Fprintln(tw, "NETUID\tN\tMAX_N\tTEMPO\tBURN(τ)\tLOCKED(τ)\tPENDING(τ)\tNEXT_EPOCH\tOWNER")
		for _, s := range ss {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%s\n", s.Netuid, s.N, s.MaxN, s.Tempo, client.FormatTAO(s.Burn),
				client.FormatTAO(s.Locked), client.FormatTAO(s.PendingEmission), s.NextEpochBlock, s.OwnerColdkey)
		}
		return tw.Flush()
	}
	return cmd
}

func subnetHyperparametersCmd() *cobra.Command {
	var netuid uint16
	cmd := &cobra.Command{Use: "hyperparameters", Aliases: []string{"hparams"}, Short: "Show a subnet's hyperparameters", Example: `  taonet subnet hyperparameters --netuid 1 --json`, Args: cobra.NoArgs}
	nf := bindNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		var h chain.Hyperparams
		if nf.st.on() {
			var hp *chain.Hyperparams
			if hp, err = subtensorHyperparameters(cmd, nf, netuid); hp != nil {
				h = *hp
			}
		} else {
			h, err = c.Hyperparameters(ctx, netuid)
		}
		if err != nil {
			return err
		}
		if nf.json {
			return nodePrintJSON(cmd.OutOrStdout(), h)
		}
		var m map[string]any
		b, _ := jsonMarshal(h)
		if err := jsonUnmarshal(b, &m); err != nil {
			return err
		}
		owner := chain.HyperparameterNames()
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "HYPERPARAMETER\tVALUE\tOWNER_SETTABLE\n")
		for _, k := range names {
			set := "no (genesis)"
			if owner[k] {
				set = "yes"
			}
			fmt.Fprintf(tw, "%s\t%v\t%s\n", k, m[k], set)
		}
		return tw.Flush()
	}
	return cmd
}

func subnetSetHyperparameterCmd() *cobra.Command {
	var netuid uint16
	var param, value string
	cmd := &cobra.Command{Use: "set-hyperparameter", Aliases: []string{"set-hparam"},
		Short: "Set an owner-settable hyperparameter (signed by the owner coldkey)", Example: `  taonet subnet set-hyperparameter --wallet.name owner --netuid 1 --param immunity_period --value 100
  taonet subnet set-hyperparameter --wallet.name owner --netuid 1 --param commit_reveal_weights_enabled --value true`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, false)
	nf := bindNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.Flags().StringVar(&param, "param", "", "hyperparameter name, e.g. immunity_period")
	cmd.Flags().StringVar(&value, "value", "", "new value (integers; true/false for flags)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if _, ok := chain.HyperparameterNames()[param]; !ok {
			return fmt.Errorf("unknown hyperparameter %q (see taonet subnet hyperparameters)", param)
		}
		var v uint64
		switch strings.ToLower(value) {
		case "true":
			v = 1
		case "false":
			v = 0
		default:
			x, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return fmt.Errorf("--value %q: want an unsigned integer or true/false", value)
			}
			v = x
		}
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		ck, err := cliColdkey(cmd, wf)
		if err != nil {
			return err
		}
		_, err = cliSubmit(cmd, nf, c, ctx, ck, &chain.SetHyperparameter{Netuid: netuid, Name: param, Value: v})
		return err
	}
	return cmd
}

func subnetRegisterCmd() *cobra.Command {
	var netuid uint16
	var hk string
	cmd := &cobra.Command{Use: "register", Short: "Register the wallet hotkey on a subnet, burning the registration cost from the coldkey", Example: `  taonet subnet register --wallet.name alice --wallet.hotkey miner1 --netuid 1`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	nf := bindTxNodeFlags(cmd)
	cmd.Flags().Uint16Var(&netuid, "netuid", 1, "subnet")
	cmd.Flags().StringVar(&hk, "hotkey-ss58", "", "hotkey to register (default: the wallet hotkey)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		h, err := cliHotkeyAddress(cmd, wf, hk)
		if err != nil {
			return err
		}
		hp, err := c.Hyperparameters(ctx, netuid)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "registering %s on subnet %d for τ%s\n", h, netuid, client.FormatTAO(hp.Burn))
		ck, err := cliColdkey(cmd, wf)
		if err != nil {
			return err
		}
		if _, err := cliSubmit(cmd, nf, c, ctx, ck, &chain.BurnedRegister{Netuid: netuid, Hotkey: h}); err != nil {
			return err
		}
		if nf.json {
			return nil
		}
		mg, err := c.Metagraph(ctx, netuid)
		if err != nil {
			return err
		}
		for uid, k := range mg.Hotkeys {
			if k == h {
				fmt.Fprintf(cmd.OutOrStdout(), "registered as uid %d\n", uid)
			}
		}
		return nil
	}
	return cmd
}
