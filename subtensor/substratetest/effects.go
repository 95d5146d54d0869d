package substratetest

import (
	"fmt"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/metadata"
)

// Apply gives a successful call the storage effect subtensor would (for the
// calls miners and validators make): serve_axon writes Axons, set_commitment
// CommitmentOf, set_weights the signer's Weights row, a timelocked commit is
// queued for its reveal (EnableTimelock). It runs after Dispatch
// allowed the call; other calls change nothing. Tests call it from Dispatch.
func (s *Server) Apply(c Call) error {
	pub, err := keys.SS58Decode(c.Signer)
	if err != nil {
		return err
	}
	arg := func(name string) metadata.Value {
		v, _ := metadata.FieldOf(c.Args, name)
		return v
	}
	netuid := arg("netuid")
	switch c.Pallet + "." + c.Name {
	case "SubtensorModule.serve_axon":
		ax := map[string]any{"block": s.Head() + 1}
		for _, f := range []string{"version", "ip", "port", "ip_type", "protocol", "placeholder1", "placeholder2"} {
			ax[f] = arg(f)
		}
		return s.Put("SubtensorModule", "Axons", ax, netuid, pub)
	case "Commitments.set_commitment":
		return s.Put("Commitments", "CommitmentOf", map[string]any{"deposit": uint64(0), "block": s.Head() + 1, "info": arg("info")}, netuid, pub)
	case "SubtensorModule.commit_timelocked_weights", "SubtensorModule.commit_crv3_weights":
		return s.queueCommit(c, pub)
	case "SubtensorModule.set_weights":
		uid, err := s.uidOf(netuid, pub)
		if err != nil {
			return err
		}
		dests, _ := metadata.AsSlice(arg("dests"))
		ws, _ := metadata.AsSlice(arg("weights"))
		row := make([][2]uint64, len(dests))
		for i := range dests {
			d, _ := metadata.AsUint64(dests[i])
			w, _ := metadata.AsUint64(ws[i])
			row[i] = [2]uint64{d, w}
		}
		return s.Put("SubtensorModule", "Weights", row, netuid, uid)
	}
	return nil
}

func (s *Server) uidOf(netuid metadata.Value, pub [32]byte) (uint64, error) {
	m := s.Meta()
	key, e, err := m.StorageKey("SubtensorModule", "Uids", netuid, pub)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	raw, ok := s.storage[hexs(key)]
	s.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("substratetest: %x is not registered on subnet %v", pub, netuid)
	}
	v, err := m.DecodeStorage(e, raw)
	if err != nil {
		return 0, err
	}
	return metadata.AsUint64(v)
}
