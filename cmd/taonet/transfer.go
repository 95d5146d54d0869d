package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/wallet"
)

func init() {
	var dest, amount string
	cmd := &cobra.Command{Use: "transfer", Short: "Transfer TAO from the wallet coldkey to an address", Example: `  taonet transfer --wallet.name alice --dest 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty --amount 1.25`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, false)
	nf := bindTxNodeFlags(cmd)
	cmd.Flags().StringVar(&dest, "dest", "", "destination ss58 address")
	cmd.Flags().StringVar(&amount, "amount", "", "amount in TAO (e.g. 1.25)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if _, err := keys.SS58Decode(dest); err != nil {
			return fmt.Errorf("--dest: %w", err)
		}
		rao, err := client.ParseTAO(amount)
		if err != nil {
			return fmt.Errorf("--amount: %w", err)
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
		if _, err := cliSubmit(cmd, nf, c, ctx, ck, &chain.Transfer{Dest: dest, Amount: rao}); err != nil {
			return err
		}
		if !nf.json && !nf.st.on() {
			acc, err := c.Account(ctx, ck.SS58Address())
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "balance now τ%s\n", client.FormatTAO(acc.Balance))
			}
		}
		return nil
	}
	rootCmd.AddCommand(cmd)
}

// walletColdkeyAddress reads the wallet's public coldkey (no password needed).
func walletColdkeyAddress(cmd *cobra.Command, wf *walletFlagValues) (string, error) {
	w, err := wallet.New(wf.resolvedPath(cmd), wf.name, wallet.DefaultHotkey)
	if err != nil {
		return "", err
	}
	pub, err := w.ColdkeyPub()
	if err != nil {
		return "", err
	}
	return keys.SS58Encode(pub), nil
}
