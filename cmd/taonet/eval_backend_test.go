package main

import (
	"strings"
	"testing"

	"github.com/taonet/taonet/subnets/finetuning/evaluate"
)

// TestEvalBackendFlags: --eval.backend picks the built-in engine (nil) or
// an evaluate.OpenAI with the flags' server settings; inconsistent flags
// fail with a message naming them.
func TestEvalBackendFlags(t *testing.T) {
	b, err := (&evalBackendFlags{kind: "go"}).backend(4, nil)
	if err != nil || b != nil {
		t.Fatalf("go: %v %v", b, err)
	}
	b, err = (&evalBackendFlags{kind: "openai", serverCmd: "vllm serve {model} --port {port}"}).backend(4, nil)
	if o, ok := b.(*evaluate.OpenAI); err != nil || !ok || o.ServerCmd != "vllm serve {model} --port {port}" || o.Batch != 4 {
		t.Fatalf("openai: %#v %v", b, err)
	}
	for _, c := range []struct {
		f    evalBackendFlags
		want string
	}{
		{evalBackendFlags{kind: "go", baseURL: "http://x"}, "need --eval.backend openai"},
		{evalBackendFlags{kind: "openai"}, "exactly one of --eval.server-cmd and --eval.base-url"},
		{evalBackendFlags{kind: "openai", serverCmd: "x", baseURL: "http://x"}, "exactly one of"},
		{evalBackendFlags{kind: "onnx"}, `--eval.backend "onnx": want go or openai`},
	} {
		if _, err := c.f.backend(4, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
}
