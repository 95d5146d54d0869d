package synapse_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse"
)

// Echo is a synapse: Text is hashed into computed_body_hash, Reply is filled by the miner.
type Echo struct {
	Text  string `json:"text" synapse:"required,hash"`
	Reply string `json:"reply"`
}

func Example() {
	miner, _ := keys.FromURI("//Bob")
	validator, _ := keys.FromURI("//Alice")

	// Miner side: an axon with a handler, a blacklist and a priority function.
	axon, err := synapse.NewAxon(synapse.AxonConfig{Hotkey: miner})
	if err != nil {
		panic(err)
	}
	registered := map[string]float64{validator.SS58Address(): 1000} // hotkey -> stake
	err = synapse.Register(axon, func(ctx context.Context, r *synapse.Request, e *Echo) error {
		e.Reply = strings.ToUpper(e.Text)
		return nil
	}, synapse.Options{
		Blacklist: func(_ context.Context, r *synapse.Request) (bool, string) {
			_, ok := registered[r.Dendrite.Hotkey]
			return !ok, "Unrecognized hotkey"
		},
		Priority: func(_ context.Context, r *synapse.Request) float64 { return registered[r.Dendrite.Hotkey] },
	})
	if err != nil {
		panic(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go axon.Serve(l)
	defer axon.Shutdown(context.Background())

	// Validator side: a dendrite querying the axon.
	d, _ := synapse.NewDendrite(validator, synapse.DendriteConfig{})
	defer d.Close()
	target := synapse.AxonInfo{IP: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Hotkey: miner.SS58Address()}
	res := synapse.Query(context.Background(), d, target, &Echo{Text: "hello"}, 5*time.Second)
	fmt.Println(res.StatusCode, res.StatusMessage, res.Synapse.Reply)
	// Output: 200 Success HELLO
}
