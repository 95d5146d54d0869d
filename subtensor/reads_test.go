package subtensor

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	fixture "github.com/taonet/taonet/subtensor/polkadottest"
	"github.com/taonet/taonet/subtensor/rpc"
	"github.com/taonet/taonet/subtensor/substratetest"
)

// replay starts a replayed subnet and completes its expected stakes.
func replay(t testing.TB, net fixture.Network) *substratetest.Replay {
	r := substratetest.NewReplay(t, net)
	r.Want.Stake = make([]uint64, len(r.Want.AlphaStake))
	for i := range r.Want.Stake {
		if r.Want.AlphaStake[i] == 0 && !r.Srv.Meta().HasStorage("SubtensorModule", "TotalHotkeyAlpha") {
			r.Want.Stake[i] = r.Want.TaoStake[i]
		} else {
			r.Want.Stake[i] = StakeWeight(r.Want.AlphaStake[i], r.Want.TaoStake[i], r.TaoWeight)
		}
	}
	r.Want.TotalStake = r.Want.Stake
	return r
}

func dial(t testing.TB, url, genesis string) *Client {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, Config{Endpoints: []string{url}, Genesis: genesis})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestReadsFromPolkadotEncodedState: a metagraph, hyperparameters, the
// subnet list, weights and bonds rows, a commitment and a balance read over
// WebSocket JSON-RPC from chain state whose keys and values @polkadot/api
// built from the real finney (spec 219, TAO stake) and test network (spec
// 224, dynamic TAO: alpha stake) metadata equal the values it encoded.
func TestReadsFromPolkadotEncodedState(t *testing.T) {
	for _, net := range []fixture.Network{fixture.Finney, fixture.Testnet} {
		t.Run(string(net), func(t *testing.T) {
			r := replay(t, net)
			c := dial(t, r.Srv.URL, r.Mat.GenesisHash)
			ctx := context.Background()
			mg, err := c.Metagraph(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			want := *r.Want
			want.Block = r.Srv.Head()
			diffStruct(t, "metagraph", *mg, want)
			hp, _, err := c.Hyperparameters(ctx, 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			diffStruct(t, "hyperparameters", *hp, r.Want.Hyperparams)
			nets, _, err := c.Subnets(ctx, nil)
			if err != nil || !reflect.DeepEqual(nets, []uint16{0, 3, 11}) {
				t.Errorf("subnets %v, %v", nets, err)
			}
			rows, _, err := c.Matrix(ctx, "Weights", 3, nil)
			if err != nil || len(rows) != 2 || rows[0].UID != 0 || !reflect.DeepEqual(rows[0].Entries, r.Want.Weights[0]) || rows[1].UID != 2 {
				t.Errorf("weights rows %+v, %v", rows, err)
			}
			cm, err := c.Commitment(ctx, 3, r.Want.Hotkeys[1], nil)
			if err != nil || cm == nil || cm.Text != "hello world" || cm.Block != 1234 {
				t.Errorf("commitment %+v, %v", cm, err)
			}
			all, err := c.Commitments(ctx, 3)
			if err != nil || len(all) != 1 || all[0].UID != 1 || all[0].Hotkey != r.Want.Hotkeys[1] {
				t.Errorf("commitments %+v, %v", all, err)
			}
			none, err := c.Commitment(ctx, 3, r.Want.Hotkeys[0], nil)
			if err != nil || none != nil {
				t.Errorf("absent commitment = %+v, %v", none, err)
			}
			bal, err := c.Balance(ctx, r.Want.Coldkeys[0], nil)
			if err != nil || bal.Free != 123456789012 || bal.Reserved != 5 || bal.Nonce != 3 {
				t.Errorf("balance %+v, %v", bal, err)
			}
			empty, err := c.Balance(ctx, substratetest.KP(t, "//Nobody").SS58Address(), nil)
			if err != nil || empty.Free != 0 {
				t.Errorf("absent account balance %+v, %v", empty, err)
			}
			if _, err := c.Metagraph(ctx, 4); err == nil {
				t.Error("metagraph of a missing subnet succeeded")
			}
		})
	}
}

// diffStruct reports each differing field of two structs (briefly).
func diffStruct(t testing.TB, what string, got, want any) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < g.NumField(); i++ {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			gs, ws := fmt.Sprint(g.Field(i).Interface()), fmt.Sprint(w.Field(i).Interface())
			t.Errorf("%s.%s = %.300s, want %.300s", what, g.Type().Field(i).Name, gs, ws)
		}
	}
}

func fastRetry() rpc.Options {
	return rpc.Options{Retries: 2, Backoff: 10 * time.Millisecond, DialTimeout: time.Second, Timeout: 2 * time.Second}
}
