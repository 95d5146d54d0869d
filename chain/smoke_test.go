package chain

import "testing"

func TestSmoke(t *testing.T) {
	e := newEnv(t, nil)
	net := e.subnet("Alice", "AliceHot")
	e.ok("Bob", &BurnedRegister{Netuid: net, Hotkey: addr(t, "BobHot")})
	e.ok("Bob", &AddStake{Hotkey: addr(t, "BobHot"), Amount: 100 * tao})
	e.blocks(30)
	e.checkIssuance()
	m, err := e.s.Metagraph(net)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", m.Emission)
	t.Logf("%+v", e.s.Issuance())
}
