package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
)

func init() {
	var netuid, port uint16
	var ip string
	var protocol uint8
	var version uint32
	serve := &cobra.Command{Use: "serve", Short: "Publish the wallet hotkey's axon endpoint (ip:port) on a subnet", Example: `  taonet axon serve --wallet.name alice --wallet.hotkey miner1 --netuid 1 --ip 203.0.113.7 --port 8091`, Args: cobra.NoArgs}
	wf := bindWalletFlags(serve, true)
	nf := bindTxNodeFlags(serve)
	f := serve.Flags()
	f.Uint16Var(&netuid, "netuid", 1, "subnet")
	f.StringVar(&ip, "ip", "", "public IP address (IPv4 or IPv6)")
	f.Uint16Var(&port, "port", 8091, "axon port")
	f.Uint8Var(&protocol, "protocol", 4, "protocol number (upstream default 4)")
	f.Uint32Var(&version, "axon-version", 1, "axon version")
	serve.RunE = func(cmd *cobra.Command, _ []string) error {
		addr, ipType, err := chain.AxonIP(ip)
		if err != nil {
			return fmt.Errorf("--ip: %w", err)
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
		_, err = cliSubmit(cmd, nf, c, ctx, hk, &chain.ServeAxon{Netuid: netuid, Version: version, IP: addr, Port: port, IPType: ipType, Protocol: protocol})
		return err
	}
	cmd := &cobra.Command{Use: "axon", Short: "Axon endpoints on the chain: serve"}
	cmd.AddCommand(serve)
	rootCmd.AddCommand(cmd)
}
