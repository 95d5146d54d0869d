package chain

import (
	"sync"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
)

var keyCache sync.Map

// devKey returns the keypair of the dev URI //name (cached: derivation is slow).
func devKey(tb testing.TB, name string) *keys.Keypair {
	if k, ok := keyCache.Load(name); ok {
		return k.(*keys.Keypair)
	}
	k, err := keys.FromURI("//" + name)
	if err != nil {
		tb.Fatalf("FromURI(//%s): %v", name, err)
	}
	keyCache.Store(name, k)
	return k
}

func addr(tb testing.TB, name string) string { return devKey(tb, name).SS58Address() }

const tao = 1_000_000_000

// env is a chain under test with named dev accounts.
type env struct {
	tb testing.TB
	s  *State
}

// testGenesis funds Alice..Frank and uses small, test-friendly parameters.
func testGenesis(tb testing.TB) Genesis {
	g := DefaultGenesis()
	g.ChainID = "taonet-test"
	for _, n := range []string{"Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"} {
		g.Accounts = append(g.Accounts, GenesisAccount{Address: addr(tb, n), Balance: 10_000 * tao})
	}
	g.NetworkMinLockCost = 100 * tao
	g.SubnetDefaults.Tempo = 10
	g.SubnetDefaults.WeightsRateLimit = 0
	g.SubnetDefaults.ServingRateLimit = 0
	g.SubnetDefaults.MaxRegsPerBlock = 100
	g.SubnetDefaults.TargetRegsPerInterval = 100
	g.SubnetDefaults.ImmunityPeriod = 2
	g.SubnetDefaults.Burn = tao
	return g
}

func newEnv(tb testing.TB, mutate func(*Genesis)) *env {
	tb.Helper()
	g := testGenesis(tb)
	if mutate != nil {
		mutate(&g)
	}
	s, err := NewState(g)
	if err != nil {
		tb.Fatalf("NewState: %v", err)
	}
	return &env{tb: tb, s: s}
}

// sign builds and signs a transaction from name at its next nonce.
func (e *env) sign(name string, call Call) []byte {
	e.tb.Helper()
	k := devKey(e.tb, name)
	tx := NewTx(k.SS58Address(), e.s.Account(k.SS58Address()).Nonce, call)
	tx.ChainID = e.s.ChainID()
	if err := tx.Sign(k); err != nil {
		e.tb.Fatalf("sign: %v", err)
	}
	return tx.Encode()
}

// do delivers a call signed by name and returns the result.
func (e *env) do(name string, call Call) TxResult {
	e.tb.Helper()
	return e.s.DeliverTx(e.sign(name, call))
}

// ok delivers a call and fails the test unless it succeeds.
func (e *env) ok(name string, call Call) TxResult {
	e.tb.Helper()
	r := e.do(name, call)
	if r.Code != CodeOK {
		e.tb.Fatalf("%s %T: code %d: %s", name, call, r.Code, r.Log)
	}
	return r
}

// reject delivers a call, requires the given code, and checks the state is unchanged.
func (e *env) reject(name string, call Call, code uint32) TxResult {
	e.tb.Helper()
	before := e.s.Encode()
	r := e.do(name, call)
	if r.Code != code {
		e.tb.Fatalf("%s %T: got code %d (%s), want %d", name, call, r.Code, r.Log, code)
	}
	if string(before) != string(e.s.Encode()) {
		e.tb.Fatalf("%s %T: rejected transaction changed the state", name, call)
	}
	if r.Log == "" {
		e.tb.Fatalf("%s %T: rejection without a message", name, call)
	}
	return r
}

// block runs one empty block at the next height.
func (e *env) block() []Event {
	h := e.s.Height() + 1
	e.s.BeginBlock(BlockInfo{Height: h, Time: time.Unix(1_700_000_000+int64(h)*12, 0), Hash: [32]byte{byte(h), byte(h >> 8)}})
	return e.s.EndBlock()
}

func (e *env) blocks(n int) {
	for i := 0; i < n; i++ {
		e.block()
	}
}

// subnet creates a subnet owned by coldkey with owner hotkey and returns its netuid.
func (e *env) subnet(coldkey, hotkey string) uint16 {
	e.tb.Helper()
	e.ok(coldkey, &CreateSubnet{Hotkey: addr(e.tb, hotkey)})
	subs := e.s.Subnets()
	return subs[len(subs)-1].Netuid
}

func (e *env) checkIssuance() {
	e.tb.Helper()
	ii := e.s.Issuance()
	held := ii.Balances + ii.Staked + ii.Locked + ii.PendingEmission + ii.Burned
	if held != ii.TotalIssuance {
		e.tb.Fatalf("issuance invariant broken: %+v (held %d)", ii, held)
	}
	if ii.Burned != ii.RegistrationBurned+ii.FeesBurned+ii.EmissionRecycled {
		e.tb.Fatalf("burned does not add up: %+v", ii)
	}
}

// hp sets a subnet hyperparameter directly (tests only: the genesis way).
func (e *env) hp(netuid uint16, f func(*Hyperparams)) { f(&e.s.subnets[netuid].hp) }
