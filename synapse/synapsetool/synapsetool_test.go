package synapsetool

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse"
)

type prompt struct {
	Roles      []string `json:"roles" synapse:"required"`
	Messages   []string `json:"messages" synapse:"required,hash"`
	Completion string   `json:"completion"`
}

func (p *prompt) ReceiveChunk(c []byte) { p.Completion += string(c) }

func TestChunksConcatenateBack(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		text := rapid.StringMatching(`[a-z \n]{0,60}`).Draw(rt, "text")
		n := rapid.IntRange(-1, 5).Draw(rt, "n")
		cs := Chunks(text, n)
		if strings.Join(cs, "") != text {
			rt.Fatalf("%q → %q", text, cs)
		}
		for _, c := range cs {
			if n > 0 && len(strings.Fields(c)) > n {
				rt.Fatalf("chunk %q has more than %d words", c, n)
			}
		}
	})
}

// Serve and Query over a real axon and dendrite on loopback: echo and
// fixed replies stream back, bad bodies are refused before any request.
func TestServeAndQuery(t *testing.T) {
	k, err := StreamKind(`{"roles":["user"],"messages":["hi"]}`, func(p *prompt) string { return p.Messages[len(p.Messages)-1] })
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "prompt" || !k.Stream {
		t.Fatalf("%+v", k)
	}
	ak, _ := keys.FromURI("//Alice//axon")
	dk, _ := keys.FromURI("//Alice//dendrite")
	for _, tc := range []struct {
		reply Reply
		want  string
	}{{Echo, "one two three four five"}, {Fixed("forty two"), "forty two"}} {
		a, err := synapse.NewAxon(synapse.AxonConfig{Hotkey: ak})
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Serve(a, tc.reply, 2); err != nil {
			t.Fatal(err)
		}
		addr, err := a.Start("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		d, err := synapse.NewDendrite(dk, synapse.DendriteConfig{})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res, err := k.Query(context.Background(), d, synapse.AxonInfo{IP: "127.0.0.1", Port: addr.Port, Hotkey: ak.SS58Address()},
			[]byte(`{"roles":["user"],"messages":["one two three four five"]}`), 5*time.Second, &out)
		if err != nil || res.Status != 200 || !strings.Contains(string(res.Body), `"completion": "`+tc.want+`"`) {
			t.Fatalf("%v %+v\n%s", err, res, out.String())
		}
		if _, err := k.Query(context.Background(), d, synapse.AxonInfo{IP: "127.0.0.1", Port: addr.Port, Hotkey: ak.SS58Address()},
			[]byte(`{"roles":["user"],"messages":"x"}`), time.Second, &out); err == nil || !strings.Contains(err.Error(), "example:") {
			t.Fatalf("bad body: %v", err)
		}
		d.Close()
		a.Shutdown(context.Background())
	}
}
