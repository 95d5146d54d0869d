package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
)

// dtaoStakeFlags are the dynamic-TAO options of `stake add|remove`.
type dtaoStakeFlags struct {
	cmd     *cobra.Command
	netuid  uint16
	limit   string
	partial bool
}

func bindDTAOStakeFlags(cmd *cobra.Command, add bool) *dtaoStakeFlags {
	d := &dtaoStakeFlags{cmd: cmd}
	what := "the highest price (τ per α) the stake may buy at"
	if !add {
		what = "the lowest price (τ per α) the unstake may sell at"
	}
	f := cmd.Flags()
	f.Uint16Var(&d.netuid, "netuid", 0, "dTAO chains: the subnet to stake into (0 = root, TAO 1:1); --amount is τ to stake, or α to unstake")
	f.StringVar(&d.limit, "limit-price", "", "dTAO: "+what+" (default: no limit)")
	f.BoolVar(&d.partial, "partial", false, "dTAO: with --limit-price, swap what fits before the limit instead of failing")
	return d
}

// set reports whether any dTAO flag was given (else the classic call is used).
func (d *dtaoStakeFlags) set() bool {
	f := d.cmd.Flags()
	return f.Changed("netuid") || f.Changed("limit-price") || f.Changed("partial")
}

func (d *dtaoStakeFlags) call(add bool, hotkey string, amount uint64) (chain.Call, error) {
	var limit uint64
	if d.limit != "" {
		v, err := client.ParseTAO(d.limit)
		if err != nil || v == 0 {
			return nil, fmt.Errorf("--limit-price: want a positive τ amount per α, got %q", d.limit)
		}
		limit = v
	}
	if add {
		return &chain.AddStakeLimit{Hotkey: hotkey, Netuid: d.netuid, Amount: amount, LimitPrice: limit, AllowPartial: d.partial}, nil
	}
	return &chain.RemoveStakeLimit{Hotkey: hotkey, Netuid: d.netuid, Amount: amount, LimitPrice: limit, AllowPartial: d.partial}, nil
}

// stakeTransitionCmd is `stake move|transfer|swap` (dTAO chains).
func stakeTransitionCmd(kind string) *cobra.Command {
	short := map[string]string{
		"move":     "Move α stake to another hotkey and/or subnet (swapped through both pools across subnets)",
		"transfer": "Give α stake on a hotkey to another coldkey, optionally into another subnet",
		"swap":     "Move α stake on a hotkey from one subnet to another",
	}[kind]
	var amount, hk, destHk, destCk string
	var from, to uint16
	cmd := &cobra.Command{Use: kind, Short: short, Args: cobra.NoArgs,
		Example: "  taonet stake " + kind + " --wallet.name alice --wallet.hotkey validator --from 1 --to 2 --amount 3.5"}
	wf := bindWalletFlags(cmd, true)
	nf := bindNodeFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&amount, "amount", "", "α to move (e.g. 3.5)")
	f.StringVar(&hk, "hotkey-ss58", "", "origin hotkey (default: the wallet hotkey)")
	f.Uint16Var(&from, "from", 0, "origin netuid")
	f.Uint16Var(&to, "to", 0, "destination netuid")
	if kind == "move" {
		f.StringVar(&destHk, "dest-hotkey", "", "destination hotkey ss58 (default: the origin hotkey)")
	}
	if kind == "transfer" {
		f.StringVar(&destCk, "dest", "", "destination coldkey ss58 (required)")
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		alpha, err := client.ParseTAO(amount)
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
		var call chain.Call
		switch kind {
		case "move":
			if destHk == "" {
				destHk = h
			}
			call = &chain.MoveStake{OriginHotkey: h, DestHotkey: destHk, OriginNetuid: from, DestNetuid: to, Amount: alpha}
		case "transfer":
			if destCk == "" {
				return fmt.Errorf("--dest is required")
			}
			call = &chain.TransferStake{DestColdkey: destCk, Hotkey: h, OriginNetuid: from, DestNetuid: to, Amount: alpha}
		default:
			call = &chain.SwapStake{Hotkey: h, OriginNetuid: from, DestNetuid: to, Amount: alpha}
		}
		_, err = cliSubmit(cmd, nf, c, ctx, ck, call)
		return err
	}
	return cmd
}

// printPools is `subnet list` on a dTAO chain: prices and reserves per subnet.
func printPools(tw *tabwriter.Writer, ss []chain.SubnetInfo) error {
	fmt.Fprintln(tw, "NETUID\tN\tTEMPO\tPRICE(τ/α)\tEMA_PRICE\tTAO_IN(τ)\tALPHA_IN(α)\tALPHA_OUT(α)\tτ_IN/BLOCK\tα_OUT/BLOCK\tBURN(τ)\tNEXT_EPOCH\tOWNER")
	for _, s := range ss {
		p := s.Pool
		if p == nil {
			p = &chain.PoolInfo{}
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Netuid, s.N, s.Tempo,
			client.FormatTAO(p.Price), client.FormatTAO(p.MovingPrice), client.FormatTAO(p.TaoIn), client.FormatTAO(p.AlphaIn),
			client.FormatTAO(p.AlphaOut), client.FormatTAO(p.TaoInEmission), client.FormatTAO(p.AlphaOutEmission),
			client.FormatTAO(s.Burn), s.NextEpochBlock, s.OwnerColdkey)
	}
	return tw.Flush()
}

// stakeTakeCmd is `stake take --percent P`: decrease_take or increase_take (dTAO).
func stakeTakeCmd() *cobra.Command {
	var percent float64
	var hk string
	var increase bool
	cmd := &cobra.Command{Use: "take", Short: "Lower (or with --increase raise) the delegate take of a hotkey you own (dTAO; at most 18%, raises once per 216000 blocks)",
		Example: "  taonet stake take --wallet.name alice --wallet.hotkey validator --percent 9\n  taonet stake take --wallet.name alice --wallet.hotkey validator --percent 12 --increase", Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	nf := bindNodeFlags(cmd)
	cmd.Flags().Float64Var(&percent, "percent", -1, "new take in percent (0..18)")
	cmd.Flags().StringVar(&hk, "hotkey-ss58", "", "hotkey (default: the wallet hotkey)")
	cmd.Flags().BoolVar(&increase, "increase", false, "raise the take (increase_take) instead of lowering it (decrease_take)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if percent < 0 || percent > 100 {
			return fmt.Errorf("--percent: want 0..18, got %v", percent)
		}
		take := uint16(percent/100*65535 + 0.5)
		c, ctx, cancel, err := nf.client()
		if err != nil {
			return err
		}
		defer cancel()
		h, ck, err := cliHotkeyAndColdkey(cmd, wf, hk)
		if err != nil {
			return err
		}
		var call chain.Call = &chain.DecreaseTake{Hotkey: h, Take: take}
		if increase {
			call = &chain.IncreaseTake{Hotkey: h, Take: take}
		}
		_, err = cliSubmit(cmd, nf, c, ctx, ck, call)
		return err
	}
	return cmd
}
