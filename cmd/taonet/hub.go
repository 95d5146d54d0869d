package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/hub"
	"github.com/taonet/taonet/node"
)

func init() {
	cmd := &cobra.Command{Use: "hub", Short: "Model hub: serve, login, upload, download, info, hash",
		Long: `Model hub: a self-hosted Hugging Face Hub (serve) and a client for it and for huggingface.co.

Every client command takes --hub URL (default: $HF_ENDPOINT, else the local hub)
and a token from $HF_TOKEN or, for a taonet hub, from "taonet hub login".
With a token, uploads use the Hub protocol (preupload, LFS, commit) that
huggingface.co speaks; without one, they are signed by the wallet hotkey.`}
	cmd.AddCommand(hubServeCmd(), hubHashCmd(), hubLoginCmd(), hubTokenCmd(), hubUploadCmd(), hubDownloadCmd(), hubInfoCmd(), hubGCCmd())
	rootCmd.AddCommand(cmd)
}

func hubServeCmd() *cobra.Command {
	var dir, addr string
	var lim hub.Limits
	var window time.Duration
	var netuid int
	var nodeURL, publicURL string
	cmd := &cobra.Command{Use: "serve", Short: "Serve a model hub that Hugging Face clients use (Hub API, LFS, tokens, signed uploads, /metrics)", Args: cobra.NoArgs}
	cmd.Flags().IntVar(&netuid, "netuid", -1, "only hotkeys registered on this subnet may upload (needs --node); -1 = any hotkey")
	cmd.Flags().StringVar(&nodeURL, "node", "http://"+node.DefaultAPIAddr, "node API URL for --netuid")
	cmd.Flags().StringVar(&dir, "dir", "hub-data", "store directory")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:7860", "listen address")
	cmd.Flags().Int64Var(&lim.MaxFileBytes, "max-file-bytes", hub.DefaultLimits.MaxFileBytes, "largest accepted file")
	cmd.Flags().Int64Var(&lim.MaxTotal, "max-total-bytes", hub.DefaultLimits.MaxTotal, "largest accepted revision (sum of files)")
	cmd.Flags().IntVar(&lim.MaxFiles, "max-files", hub.DefaultLimits.MaxFiles, "most files per revision")
	cmd.Flags().DurationVar(&window, "auth-window", hub.AuthWindow, "accepted clock skew of signed uploads")
	cmd.Flags().StringVar(&publicURL, "public-url", "", "external URL of the hub for links it hands out (LFS uploads, paging); default: the request's Host")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		st, err := hub.OpenStore(dir, lim)
		if err != nil {
			return err
		}
		log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
		opts := hub.ServerOptions{AuthWindow: window, Logger: log, PublicURL: publicURL}
		if netuid >= 0 {
			if netuid > 65535 {
				return fmt.Errorf("--netuid %d out of range", netuid)
			}
			nc, err := client.New([]string{nodeURL})
			if err != nil {
				return err
			}
			opts.AllowWriter = hub.AllowListed(func(ctx context.Context) ([]string, error) {
				mg, err := nc.Metagraph(ctx, uint16(netuid))
				if err != nil {
					return nil, err
				}
				return mg.Hotkeys, nil
			}, 12*time.Second)
		}
		srv := hub.NewServer(st, opts)
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return srv.ListenAndServe(ctx, addr, func(a string) {
			log.Info("hub serving", "addr", "http://"+a, "dir", dir)
		})
	}
	return cmd
}

func hubHashCmd() *cobra.Command {
	var hotkey string
	cmd := &cobra.Command{Use: "hash DIR", Short: "Print the model hash H of DIR (and S = salted with --hotkey)", Args: cobra.ExactArgs(1)}
	cmd.Flags().StringVar(&hotkey, "hotkey", "", "ss58 hotkey to salt the hash with")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		h, err := hub.DirHash(args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "H %s\n", h)
		if hotkey != "" {
			fmt.Fprintf(cmd.OutOrStdout(), "S %s\n", hub.SecureHash(h, hotkey))
		}
		return nil
	}
	return cmd
}

// hubFlag binds --hub (and the older --endpoint) and returns a resolver
// that applies $HF_ENDPOINT when neither was given.
func hubFlag(cmd *cobra.Command) func() string {
	var v string
	cmd.Flags().StringVar(&v, "hub", "http://127.0.0.1:7860", "hub URL, e.g. https://huggingface.co (env "+hub.EnvEndpoint+")")
	cmd.Flags().StringVar(&v, "endpoint", "http://127.0.0.1:7860", "same as --hub")
	cmd.Flags().MarkHidden("endpoint")
	return func() string {
		return hub.Endpoint(v, cmd.Flags().Changed("hub") || cmd.Flags().Changed("endpoint"))
	}
}

// hubClient is a client for endpoint with its token ($HF_TOKEN or the one
// saved by hub login).
func hubClient(endpoint, cache string) *hub.Client {
	c := hub.NewClient(endpoint, cache)
	c.Token = hub.Token(endpoint)
	return c
}

func hubLoginCmd() *cobra.Command {
	var ttl time.Duration
	cmd := &cobra.Command{Use: "login", Short: "Get an access token for a taonet hub by signing its challenge with the wallet hotkey, and save it",
		Long: `Asks the hub for a challenge, signs it with the wallet hotkey and saves the
access token the hub returns (per hub URL, in the user config dir). Later
hub and finetune commands against that hub use it, as Hugging Face clients
use HF_TOKEN. The token writes only to the hotkey's own namespace.
For huggingface.co, create a token in its settings and set HF_TOKEN instead.`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	endpoint := hubFlag(cmd)
	cmd.Flags().DurationVar(&ttl, "ttl", hub.DefaultTokenTTL, "token lifetime")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		tr, err := hubLogin(cmd, wf, endpoint(), ttl)
		if err != nil {
			return err
		}
		p, err := hub.SaveToken(endpoint(), tr.Token)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "logged in to %s as %s until %s\ntoken saved in %s\n", endpoint(), tr.Hotkey, tr.ExpiresAt, p)
		return nil
	}
	return cmd
}

func hubTokenCmd() *cobra.Command {
	var ttl time.Duration
	cmd := &cobra.Command{Use: "token", Short: "Print a new access token for a taonet hub (for HF_TOKEN in scripts and Hugging Face tools)",
		Example: `  export HF_ENDPOINT=http://127.0.0.1:7860 HF_TOKEN=$(taonet hub token --wallet.name miner)`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	endpoint := hubFlag(cmd)
	cmd.Flags().DurationVar(&ttl, "ttl", hub.DefaultTokenTTL, "token lifetime")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		tr, err := hubLogin(cmd, wf, endpoint(), ttl)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), tr.Token)
		return nil
	}
	return cmd
}

func hubLogin(cmd *cobra.Command, wf *walletFlagValues, endpoint string, ttl time.Duration) (*hub.TokenResponse, error) {
	hk, err := cliHotkey(cmd, wf)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
	defer cancel()
	return hub.NewClient(endpoint, "").Login(ctx, hk, ttl)
}

func hubUploadCmd() *cobra.Command {
	var repo string
	var private bool
	cmd := &cobra.Command{Use: "upload DIR", Short: "Upload the model files of DIR as a new revision (Hub protocol with a token, else signed by the wallet hotkey)", Args: cobra.ExactArgs(1),
		Example: `  taonet hub upload ./model --repo alice/tiny                                  # local hub, hub login first
  HF_TOKEN=hf_... taonet hub upload ./model --hub https://huggingface.co --repo alice/tiny --private`}
	wf := bindWalletFlags(cmd, true)
	endpoint := hubFlag(cmd)
	cmd.Flags().StringVar(&repo, "repo", "", "namespace/name (on a taonet hub: your hotkey ss58 or a free short name you claim)")
	cmd.Flags().BoolVar(&private, "private", false, "create the repo private (token uploads; an existing repo keeps its visibility)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if repo == "" {
			return fmt.Errorf("--repo is required")
		}
		hk, err := cliHotkey(cmd, wf)
		if err != nil {
			return err
		}
		h, err := hub.DirHash(args[0])
		if err != nil {
			return err
		}
		c := hubClient(endpoint(), "")
		if c.Token != "" {
			if err := c.CreateRepo(cmd.Context(), repo, private); err != nil && !errors.Is(err, hub.ErrConflict) {
				return fmt.Errorf("create %s: %w", repo, err)
			}
		}
		errw := cmd.ErrOrStderr()
		last := time.Time{}
		c.UploadProgress = func(done, total int64) {
			if time.Since(last) > 500*time.Millisecond || done == total {
				last = time.Now()
				fmt.Fprintf(errw, "\rupload %s: %d / %d bytes (%.0f%%)", repo, done, total, 100*float64(done)/float64(max(total, 1)))
			}
		}
		rev, err := c.Upload(cmd.Context(), hk, repo, args[0])
		fmt.Fprintln(errw)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "repo      %s\nrevision  %s\nhash H    %s\nsecure S  %s\n", repo, rev, h, hub.SecureHash(h, hk.SS58Address()))
		return nil
	}
	return cmd
}

func hubDownloadCmd() *cobra.Command {
	var revision, cache, dest string
	var maxBytes int64
	cmd := &cobra.Command{Use: "download REPO", Short: "Download a model revision (verified, resumable, cached)", Args: cobra.ExactArgs(1)}
	endpoint := hubFlag(cmd)
	cmd.Flags().StringVar(&revision, "revision", "main", "revision: main or a 40-hex commit")
	cmd.Flags().StringVar(&cache, "cache", "", "cache directory (default: the user cache dir)")
	cmd.Flags().StringVar(&dest, "dest", "", "also place the files in this directory")
	cmd.Flags().Int64Var(&maxBytes, "max-bytes", 0, "refuse revisions larger than this (0 = no limit)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c := hubClient(endpoint(), cache)
		c.MaxTotalBytes = maxBytes
		errw := cmd.ErrOrStderr()
		last := time.Time{}
		snap, err := c.Download(cmd.Context(), args[0], revision, dest, func(done, total int64) {
			if time.Since(last) > 500*time.Millisecond || done == total {
				last = time.Now()
				fmt.Fprintf(errw, "\r%s: %d / %d bytes (%.0f%%)", args[0], done, total, 100*float64(done)/float64(max(total, 1)))
			}
		})
		fmt.Fprintln(errw)
		if err != nil {
			return err
		}
		h, err := hub.DirHash(snap.Dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "revision  %s\ndir       %s\nfiles     %d (%d bytes)\nhash H    %s\ncached    %v\n", snap.Revision, snap.Dir, len(snap.Files), snap.TotalSize(), h, snap.Cached)
		return nil
	}
	return cmd
}

func hubInfoCmd() *cobra.Command {
	var revision string
	cmd := &cobra.Command{Use: "info REPO", Short: "Show a revision's files, sizes and hashes (JSON)", Args: cobra.ExactArgs(1)}
	endpoint := hubFlag(cmd)
	cmd.Flags().StringVar(&revision, "revision", "main", "revision: main or a 40-hex commit")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c := hubClient(endpoint(), "")
		ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
		defer cancel()
		ri, err := c.Info(ctx, args[0], revision)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(ri)
	}
	return cmd
}

func hubGCCmd() *cobra.Command {
	var dir string
	var grace time.Duration
	cmd := &cobra.Command{Use: "gc", Short: "Remove blobs no revision references (older than --grace) from a hub store", Args: cobra.NoArgs}
	cmd.Flags().StringVar(&dir, "dir", "hub-data", "store directory")
	cmd.Flags().DurationVar(&grace, "grace", time.Hour, "keep unreferenced blobs younger than this (uploads in progress)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		st, err := hub.OpenStore(dir, hub.Limits{})
		if err != nil {
			return err
		}
		s, err := st.GC(grace)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "revisions %d, blobs kept %d, removed %d (%d bytes), temp files removed %d\n", s.Revisions, s.Kept, s.Removed, s.FreedBytes, s.TempFiles)
		return nil
	}
	return cmd
}
