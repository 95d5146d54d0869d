package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/taonet/taonet/client"
	"github.com/taonet/taonet/keys"
	pminer "github.com/taonet/taonet/subnets/prompting/miner"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse"
	"github.com/taonet/taonet/synapse/synapsetool"
)

// synapseKinds are the synapses the serve/query tools know by name.
func synapseKinds() map[string]synapsetool.Kind {
	sp, err := synapsetool.StreamKind(`{"roles":["user"],"messages":["What is 2+2?"]}`,
		func(s *protocol.StreamPrompting) string { return s.LastUser() })
	if err != nil {
		panic(err) // static type
	}
	return map[string]synapsetool.Kind{sp.Name: sp}
}

func synapseKind(name string) (synapsetool.Kind, error) {
	kinds := synapseKinds()
	if k, ok := kinds[name]; ok {
		return k, nil
	}
	var names []string
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return synapsetool.Kind{}, fmt.Errorf("--synapse %q: unknown synapse (known: %s)", name, strings.Join(names, ", "))
}

func synapseServeCmd() *cobra.Command {
	var (
		name, reply, text, axonIP, listen, nodeURLs string
		port, chunkWords                            int
		netuid                                      uint16
		announce                                    bool
	)
	cmd := &cobra.Command{Use: "serve", Short: "Run a bare axon answering one synapse with a fixed or echo reply (for testing validators and clients)",
		Example: `  taonet synapse serve --wallet.name w --wallet.hotkey h --axon.port 8091 --reply echo
  taonet synapse serve --wallet.name w --wallet.hotkey h --reply fixed --text "42" --announce --netuid 1`,
		Long: `Serves --synapse (default StreamPromptingSynapse) on --axon.port, signed with the wallet's
hotkey. Every verified caller is answered (no blacklist): --reply echo streams back the
request's last user message, --reply fixed streams --text. With --announce the axon is
published on chain (serve_axon on --netuid) so validators query it like a miner.`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&name, "synapse", "StreamPromptingSynapse", "synapse to answer")
	f.StringVar(&reply, "reply", "echo", "echo (the request's text) or fixed (--text)")
	f.StringVar(&text, "text", "", "the fixed reply")
	f.IntVar(&chunkWords, "chunk-words", 8, "words per streamed chunk (0: one chunk)")
	f.StringVar(&axonIP, "axon.ip", "127.0.0.1", "IP announced on chain")
	f.IntVar(&port, "axon.port", 8091, "axon port (0: any free port, not with --announce)")
	f.StringVar(&listen, "axon.listen", "", "listen host (default: 127.0.0.1 for a loopback --axon.ip, else 0.0.0.0)")
	f.BoolVar(&announce, "announce", false, "publish the axon on chain (serve_axon)")
	f.Uint16Var(&netuid, "netuid", 1, "subnet for --announce")
	f.StringVar(&nodeURLs, "node", promptingNodeDefault(), "node API URL(s) for --announce (env TAONET_NODE)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		kind, err := synapseKind(name)
		if err != nil {
			return err
		}
		var r synapsetool.Reply
		switch reply {
		case "echo":
			r = synapsetool.Echo
		case "fixed":
			if text == "" {
				return errors.New("--reply fixed needs --text")
			}
			r = synapsetool.Fixed(text)
		default:
			return fmt.Errorf("--reply %q: want echo or fixed", reply)
		}
		if port < 0 || port > 65535 || (announce && port == 0) {
			return fmt.Errorf("--axon.port %d: want 1..65535 (0 only without --announce)", port)
		}
		if chunkWords < 0 {
			return fmt.Errorf("--chunk-words %d: want 0 or more", chunkWords)
		}
		lw, err := wf.load(cmd)
		if err != nil {
			return err
		}
		ctx, cancel := promptingSignalContext()
		defer cancel()
		a, err := synapse.NewAxon(synapse.AxonConfig{Hotkey: lw.Hotkey})
		if err != nil {
			return err
		}
		if err := kind.Serve(a, r, chunkWords); err != nil {
			return err
		}
		host := listen
		if host == "" {
			host = "0.0.0.0"
			if ip := net.ParseIP(axonIP); ip != nil && ip.IsLoopback() {
				host = "127.0.0.1"
			}
		}
		addr, err := a.Start(net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return err
		}
		defer a.Shutdown(context.Background())
		if announce {
			c, err := client.New(strings.Split(nodeURLs, ","))
			if err != nil {
				return err
			}
			sctx, scancel := context.WithTimeout(ctx, 2*time.Minute)
			err = pminer.ServeOnChain(sctx, c, lw.Hotkey, netuid, axonIP, addr.Port)
			scancel()
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "axon %s answering %s (%s) on %s\n", lw.Hotkey.SS58Address(), kind.Name, reply, addr)
		<-ctx.Done()
		return nil
	}
	return cmd
}

func synapseQueryCmd() *cobra.Command {
	var (
		name, addr, hotkey, body string
		messages                 []string
		timeout                  time.Duration
	)
	cmd := &cobra.Command{Use: "query", Short: "Send one signed synapse to an axon and print status, headers, streamed chunks and body",
		Example: `  taonet synapse query --wallet.name w --axon 127.0.0.1:8091 --axon.hotkey 5F... --message "What is 2+2?"
  taonet synapse query --wallet.name w --axon 10.0.0.5:8091 --axon.hotkey 5F... \
      --body '{"roles":["user","assistant","user"],"messages":["Hi","Hello!","What is 2+2?"]}'`,
		Long: `Signs --synapse (default StreamPromptingSynapse) with the wallet's hotkey for the axon's
hotkey (--axon.hotkey, ss58), sends it to --axon (host:port) and prints the HTTP status and
response headers, each streamed chunk as it arrives, the final status and the synapse as
JSON. The request is --body (the synapse's fields as JSON) or one user --message per flag.
Exit status is non-zero when the axon did not answer 200.`, Args: cobra.NoArgs}
	wf := bindWalletFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&name, "synapse", "StreamPromptingSynapse", "synapse to send")
	f.StringVar(&addr, "axon", "", "axon address host:port (required)")
	f.StringVar(&hotkey, "axon.hotkey", "", "the axon's hotkey, ss58 (required: requests are signed for it)")
	f.StringVar(&body, "body", "", "the synapse's fields as JSON")
	f.StringArrayVar(&messages, "message", nil, "a user message (repeatable; instead of --body)")
	f.DurationVar(&timeout, "timeout", 12*time.Second, "request timeout")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		kind, err := synapseKind(name)
		if err != nil {
			return err
		}
		host, portStr, err := net.SplitHostPort(addr)
		port, perr := strconv.Atoi(portStr)
		if err != nil || perr != nil || port < 1 || port > 65535 || host == "" {
			return fmt.Errorf("--axon %q: want host:port", addr)
		}
		if _, err := keys.SS58Decode(hotkey); err != nil {
			return fmt.Errorf("--axon.hotkey %q: %v", hotkey, err)
		}
		if (body == "") == (len(messages) == 0) {
			return errors.New("give the request as --body or as --message (one of them)")
		}
		if body == "" {
			roles := make([]string, len(messages))
			for i := range roles {
				roles[i] = protocol.RoleUser
			}
			b, _ := json.Marshal(map[string][]string{"roles": roles, "messages": messages})
			body = string(b)
		}
		if timeout <= 0 {
			return fmt.Errorf("--timeout %s: want > 0", timeout)
		}
		lw, err := wf.load(cmd)
		if err != nil {
			return err
		}
		d, err := synapse.NewDendrite(lw.Hotkey, synapse.DendriteConfig{})
		if err != nil {
			return err
		}
		defer d.Close()
		ctx, cancel := promptingSignalContext()
		defer cancel()
		res, err := kind.Query(ctx, d, synapse.AxonInfo{IP: host, Port: port, Hotkey: hotkey}, []byte(body), timeout, cmd.OutOrStdout())
		if err != nil {
			return err
		}
		if res.Status != 200 {
			return fmt.Errorf("axon answered %d %s", res.Status, res.Message)
		}
		return nil
	}
	return cmd
}
