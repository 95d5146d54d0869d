package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/taonet/taonet/keys"
	pminer "github.com/taonet/taonet/subnets/prompting/miner"
)

// TestSynapseQueryAgainstMiner sends one StreamPromptingSynapse with
// `taonet synapse query` to a real prompting tool miner (its axon, handler
// and chunker; no chain, so no blacklist) and reads the status, the axon's
// signed headers, the streamed chunks and the final body.
func TestSynapseQueryAgainstMiner(t *testing.T) {
	dir := t.TempDir()
	if _, err := runWallet(t, "create", "--wallet.path", dir, "--wallet.name", "q", "--wallet.hotkey", "h", "--no-password"); err != nil {
		t.Fatal(err)
	}
	mk, err := keys.FromURI("//Alice//synapse-query-miner")
	if err != nil {
		t.Fatal(err)
	}
	m, err := pminer.New(pminer.Config{Hotkey: mk, Responder: pminer.NewTool(nil, nil), ChunkWords: 1})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := m.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	target := "127.0.0.1:" + strconv.Itoa(addr.Port)
	wallet := []string{"--wallet.path", dir, "--wallet.name", "q", "--wallet.hotkey", "h"}

	resetFlags(t, "synapse", "query")
	out, err := runYuma(t, "", append([]string{"synapse", "query", "--axon", target, "--axon.hotkey", mk.SS58Address(),
		"--message", "What is 17 + 25?"}, wallet...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"HTTP 200 OK", "Bt_header_axon_hotkey: " + mk.SS58Address(), "Bt_header_axon_signature: 0x",
		"Content-Type: text/event-stream", "< chunk 1 ", "status 200 Success", `"completion": "The answer is 42."`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The chunks are printed before the final status (streaming aware).
	if strings.Index(out, "< chunk 1") > strings.Index(out, "status 200") {
		t.Errorf("chunks after the status:\n%s", out)
	}

	// Signed for another hotkey: the axon refuses; the command fails.
	other, _ := keys.FromURI("//Bob")
	resetFlags(t, "synapse", "query")
	out, err = runYuma(t, "", append([]string{"synapse", "query", "--axon", target, "--axon.hotkey", other.SS58Address(),
		"--message", "hi"}, wallet...)...)
	if err == nil || !strings.Contains(out, "HTTP 401") {
		t.Errorf("wrong hotkey: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--axon", "nohost", "--axon.hotkey", mk.SS58Address(), "--message", "x"}, `--axon "nohost": want host:port`},
		{[]string{"--axon", target, "--axon.hotkey", "5bad", "--message", "x"}, `--axon.hotkey "5bad"`},
		{[]string{"--axon", target, "--axon.hotkey", mk.SS58Address(), "--message", "x", "--body", `{"roles":[]}`}, "one of them"},
		{[]string{"--axon", target, "--axon.hotkey", mk.SS58Address(), "--body", `{"rolez":[]}`}, `unknown field "rolez"`},
		{[]string{"--axon", target, "--axon.hotkey", mk.SS58Address(), "--synapse", "Nope", "--body", `{}`}, `--synapse "Nope": unknown synapse (known: StreamPromptingSynapse)`},
	} {
		resetFlags(t, "synapse", "query")
		out, err := runYuma(t, "", append(append([]string{"synapse", "query"}, tc.args...), wallet...)...)
		if err == nil || !strings.Contains(err.Error()+out, tc.want) {
			t.Errorf("%v: err %v, want %q\n%s", tc.args, err, tc.want, out)
		}
	}
}

// resetFlags puts a command's flags back to their defaults (cobra keeps
// values, and repeatable flags accumulate, between runs in one process).
func resetFlags(t *testing.T, path ...string) {
	t.Helper()
	c, _, err := rootCmd.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			var def []string
			if d := strings.Trim(f.DefValue, "[]"); d != "" {
				def = strings.Split(d, ",")
			}
			sv.Replace(def)
		} else {
			f.Value.Set(f.DefValue)
		}
		f.Changed = false
	})
}
