package tasks

import (
	"os"
	"testing"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
)

// The same holds over the Debian Reference corpus (the offline default of
// the CLI and localnet): the tool solver, retrieving from it, clearly beats
// echo on every article task.
func TestToolSolverBeatsEchoDR(t *testing.T) {
	dr, err := pctx.OpenDebianReference(pctx.DebianReferencePath, pctx.CorpusOptions{})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("debian-reference-en required under CI=true: %v", err)
		}
		t.Skip(err)
	}
	b := offline(t)
	b.Articles = dr
	b.Difficulty = 0.3
	assertToolBeatsEcho(t, b, NewToolSolver(dr), 150)
}
