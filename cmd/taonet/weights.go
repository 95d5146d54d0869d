package main

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/subtensor"
)

// weightsGroup is `taonet weights`; other files add subcommands (get) from their init.
var weightsGroup = &cobra.Command{Use: "weights", Aliases: []string{"wt"}, Short: "Validator weights: get, set, commit, reveal"}

func init() {
	weightsGroup.AddCommand(weightsCmd("set"), weightsCmd("commit"), weightsCmd("reveal"))
	rootCmd.AddCommand(weightsGroup)
}

func weightsCmd(kind string) *cobra.Command {
	var netuid uint16
	var uidsS, weightsS, saltS string
	var version uint64
	var timelocked bool
	var revealRound uint64
	short := map[string]string{
		"set":    "Set the wallet hotkey's weights on a subnet (on a subtensor commit-reveal subnet: a timelocked commit)",
		"commit": "Commit weights: a hash to reveal later (prints the salt), or --timelock (subtensor) encrypted to a drand round the chain reveals itself",
		"reveal": "Reveal weights committed earlier (same uids, weights, salt and version key)",
	}[kind]
	example := map[string]string{
		"set": `  taonet weights set --wallet.name val --wallet.hotkey default --netuid 1 --uids 0,3,7 --weights 0.5,0.3,0.2`,
		"commit": `  taonet weights commit --wallet.name val --netuid 1 --uids 0,3 --weights 1,1    # prints the salt
  taonet weights reveal --wallet.name val --netuid 1 --uids 0,3 --weights 1,1 --salt <printed salt>`,
	}
	example["reveal"] = example["commit"]
	example["set"] += `
  taonet weights set --subtensor.network finney --netuid 9 --uids 0,3 --weights 1,1 --dry-run   # commit-reveal subnets: timelocked commit`
	example["commit"] += `
  taonet weights commit --timelock --subtensor.network test --netuid 250 --uids 0,3 --weights 1,1   # drand-timelocked (CR v3/v4)`
	cmd := &cobra.Command{Use: kind, Short: short, Example: example[kind], Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	nf := bindTxNodeFlags(cmd)
	f := cmd.Flags()
	f.Uint16Var(&netuid, "netuid", 1, "subnet")
	f.StringVar(&uidsS, "uids", "", "comma-separated uids")
	f.StringVar(&weightsS, "weights", "", "comma-separated non-negative weights (normalized, largest = 65535)")
	f.Uint64Var(&version, "version-key", 0, "weights version key")
	if kind != "set" {
		f.StringVar(&saltS, "salt", "", "comma-separated u16 salt (commit: random if empty)")
	}
	if kind == "commit" {
		f.BoolVar(&timelocked, "timelock", false, "subtensor: commit_timelocked_weights (or commit_crv3_weights on older runtimes), encrypted to the drand quicknet round bittensor-drand picks; the chain decrypts and applies it in the reveal epoch, no reveal needed")
		f.Uint64Var(&revealRound, "reveal-round", 0, "with --timelock: encrypt to this drand round instead (must not be published yet)")
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		uids, err := client.ParseUIDs(uidsS)
		if err != nil {
			return fmt.Errorf("--uids: %w", err)
		}
		ws, err := client.ParseWeights(weightsS)
		if err != nil {
			return fmt.Errorf("--weights: %w", err)
		}
		if len(ws) != len(uids) {
			return fmt.Errorf("%d uids but %d weights", len(uids), len(ws))
		}
		vals, err := client.WeightsToU16(ws)
		if err != nil {
			return fmt.Errorf("--weights: %w", err)
		}
		if timelocked || revealRound != 0 {
			if !nf.st.on() {
				return fmt.Errorf("--timelock commits on subtensor only: give --subtensor.network or --subtensor.chain_endpoint")
			}
			if !timelocked {
				return fmt.Errorf("--reveal-round needs --timelock")
			}
			nf.timelock = &subtensor.TimelockOptions{Force: true, RevealRound: revealRound}
		}
		var salt []uint16
		if kind != "set" && !timelocked {
			if saltS != "" {
				if salt, err = client.ParseUIDs(saltS); err != nil {
					return fmt.Errorf("--salt: %w", err)
				}
			} else if kind == "commit" {
				var b [16]byte
				if _, err := rand.Read(b[:]); err != nil {
					return err
				}
				for i := 0; i < 8; i++ {
					salt = append(salt, binary.BigEndian.Uint16(b[2*i:]))
				}
			} else {
				return fmt.Errorf("--salt is required to reveal")
			}
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
		var call chain.Call
		switch {
		case kind == "set" || timelocked:
			call = &chain.SetWeights{Netuid: netuid, UIDs: uids, Values: vals, VersionKey: version}
		case kind == "commit":
			h := chain.CommitHash(hk.PublicKey(), netuid, uids, vals, salt, version)
			fmt.Fprintf(cmd.ErrOrStderr(), "commit hash 0x%s; reveal later with:\n  taonet weights reveal --netuid %d --uids %s --weights %s --salt %s --version-key %d\n",
				hex.EncodeToString(h[:]), netuid, uidsS, weightsS, joinU16(salt), version)
			call = &chain.CommitWeights{Netuid: netuid, Hash: h}
		case kind == "reveal":
			call = &chain.RevealWeights{Netuid: netuid, UIDs: uids, Values: vals, Salt: salt, VersionKey: version}
		}
		_, err = cliSubmit(cmd, nf, c, ctx, hk, call)
		return err
	}
	return cmd
}

func joinU16(v []uint16) string {
	s := ""
	for i, x := range v {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(x)
	}
	return s
}
