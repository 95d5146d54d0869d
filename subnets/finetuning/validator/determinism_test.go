package validator

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/taonet/lm/kernels"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/subnets/finetuning/competition"
	"github.com/taonet/taonet/subnets/finetuning/data"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
)

type stubBackend struct{}

func (stubBackend) Losses(context.Context, string, *competition.Competition, *tokenizer.Tokenizer, evaluate.Batch) ([]float64, error) {
	return nil, nil
}

// newLogged runs New with o's determinism settings and returns its error and
// the log it wrote.
func newLogged(t *testing.T, backend LossBackend, allow bool) (error, string) {
	t.Helper()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	var buf bytes.Buffer
	_, err := New(Options{Config: testConfig(t), Chain: &fakeChain{head: 10}, Hub: &fakeHub{}, Source: data.NewJSONL(empty),
		DataDir: dir, Backend: backend, AllowNondeterministic: allow, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	return err, buf.String()
}

// A validator refuses settings without the bit-identical guarantee unless
// told to allow them, and warns either way.
func TestRefusesNondeterministicScoring(t *testing.T) {
	err, log := newLogged(t, nil, false)
	if err != nil || strings.Contains(log, "WARN") {
		t.Fatalf("deterministic settings: err %v, log %q", err, log)
	}
	err, log = newLogged(t, stubBackend{}, false)
	if err == nil || !strings.Contains(err.Error(), "--allow-nondeterministic") || !strings.Contains(log, "not guaranteed bit-identical") {
		t.Fatalf("external backend: err %v, log %q", err, log)
	}
	err, log = newLogged(t, stubBackend{}, true)
	if err != nil || !strings.Contains(log, "WARN") || !strings.Contains(log, "allowed=true") {
		t.Fatalf("external backend allowed: err %v, log %q", err, log)
	}

	// TAONET_BLAS: OpenBLAS (Debian libopenblas0-pthread, installed by
	// scripts/setup.sh test) loaded at run time.
	if err := kernels.UseBLAS(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("OpenBLAS not loadable: %v", err)
		}
		t.Skipf("OpenBLAS not loadable: %v", err)
	}
	defer kernels.DisableBLAS()
	err, log = newLogged(t, nil, false)
	if err == nil || !strings.Contains(err.Error(), kernels.BLASEnv) || !strings.Contains(log, "BLAS library") {
		t.Fatalf("BLAS: err %v, log %q", err, log)
	}
	if err, _ = newLogged(t, nil, true); err != nil {
		t.Fatalf("BLAS allowed: %v", err)
	}
}
