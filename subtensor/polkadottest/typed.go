package polkadottest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TypedAPI runs interop/polkadot/runtimeapi.mjs on req: @polkadot/types,
// given subtensor's runtime API types written from the upstream Rust
// structs, encodes values (createType, optionally in the runtimes' Vec<u8>
// wrapper), decodes given bytes, and decodes runtime API answers by a v15
// metadata's declared output types. The answer is the script's JSON.
func TypedAPI(t testing.TB, req any) json.RawMessage {
	t.Helper()
	dir := InteropDir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@polkadot", "types")); err != nil {
		Missing(t, "interop/polkadot/node_modules/@polkadot/types")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		Missing(t, "node")
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "runtimeapi.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node runtimeapi.mjs: %v: %.2000s", err, stderr.String())
	}
	return out
}
