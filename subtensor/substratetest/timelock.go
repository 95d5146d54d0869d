package substratetest

import (
	"fmt"
	"time"

	kbls "github.com/drand/kyber-bls12381"
	"github.com/drand/kyber/sign/bls"
	"github.com/drand/kyber/util/random"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/metadata"
	"github.com/taonet/taonet/subtensor/timelock"
)

// Drand makes the server reveal timelocked weight commits as subtensor does
// (commit-reveal v3/v4): the test holds a drand-style BLS key and signs
// rounds the way quicknet does; the server treats a round's pulse as
// ingested once the chain's simulated time (BlockTime per block since
// EnableTimelock) has passed the round's publication time.
type Drand struct {
	Beacon    timelock.Beacon
	Sign      func(round uint64) []byte // the beacon signature of round
	BlockTime time.Duration             // default 12 s
}

// Reveal is one timelocked commit's fate.
type Reveal struct {
	Hotkey      string // ss58
	Netuid      uint16
	CommitBlock uint64
	Round       uint64
	Block       uint64 // block it was revealed (or dropped) in
	UIDs        []uint16
	Values      []uint16
	Err         string // why it was dropped; empty when applied
}

type tlCommit struct {
	who    [32]byte
	netuid uint16
	block  uint64
	epoch  uint64
	commit []byte
	round  uint64
}

type tlState struct {
	d       Drand
	t0      time.Time
	b0      uint64
	pending []tlCommit
	done    []Reveal
}

// NewTestDrand makes a drand beacon a test controls: a fresh BLS key from
// drand/kyber's quicknet scheme (bls-unchained-g1-rfc9380: signatures on G1
// over sha256 of the round, kyber-bls12381's default G1 DST is quicknet's),
// quicknet's 3-second period, genesis about a month ago.
func NewTestDrand() (Drand, error) {
	scheme := bls.NewSchemeOnG1(kbls.NewBLS12381Suite())
	priv, pub := scheme.NewKeyPair(random.New())
	pk, err := pub.MarshalBinary()
	if err != nil {
		return Drand{}, err
	}
	sign := func(round uint64) []byte {
		sig, err := scheme.Sign(priv, timelock.Identity(round))
		if err != nil {
			panic(err) // signing with a valid key cannot fail
		}
		return sig
	}
	return Drand{Beacon: timelock.Beacon{PublicKey: pk, GenesisTime: time.Now().Unix() - 3_000_000, Period: 3, ChainHash: make([]byte, 32)}, Sign: sign}, nil
}

// EnableTimelock turns on the reveal of timelocked commits with d and
// stores d's beacon as the Drand pallet's BeaconConfig (where the runtime
// has it), as a chain ingesting that beacon would.
func (s *Server) EnableTimelock(d Drand) error {
	if d.BlockTime <= 0 {
		d.BlockTime = 12 * time.Second
	}
	if s.Meta().HasStorage("Drand", "BeaconConfig") {
		cfg := map[string]any{"public_key": d.Beacon.PublicKey, "period": uint32(d.Beacon.Period), "genesis_time": uint32(d.Beacon.GenesisTime),
			"hash": d.Beacon.ChainHash, "group_hash": make([]byte, 32), "scheme_id": []byte("bls-unchained-g1-rfc9380"),
			"metadata": map[string]any{"beacon_id": []byte("test")}}
		if err := s.Put("Drand", "BeaconConfig", cfg); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tl = &tlState{d: d, t0: time.Now(), b0: s.blocks[len(s.blocks)-1].number}
	return nil
}

// Reveals returns the timelocked commits revealed or dropped so far.
func (s *Server) Reveals() []Reveal {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tl == nil {
		return nil
	}
	return append([]Reveal(nil), s.tl.done...)
}

// queueCommit records a commit_timelocked_weights / commit_crv3_weights (in
// the epoch of the block that includes it, the next one).
func (s *Server) queueCommit(c Call, who [32]byte) error {
	arg := func(name string) metadata.Value {
		v, _ := metadata.FieldOf(c.Args, name)
		return v
	}
	netuid, err := metadata.AsUint64(arg("netuid"))
	if err != nil {
		return err
	}
	commit, err := metadata.AsBytes(arg("commit"))
	if err != nil {
		return err
	}
	round, err := metadata.AsUint64(arg("reveal_round"))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tl == nil {
		return nil // a node without a drand beacon keeps the commit but can never reveal it
	}
	block := s.blocks[len(s.blocks)-1].number + 1
	epoch, _, err := s.epochLocked(uint16(netuid), block)
	if err != nil {
		return err
	}
	s.tl.pending = append(s.tl.pending, tlCommit{who: who, netuid: uint16(netuid), block: block, epoch: epoch, commit: commit, round: round})
	return nil
}

// epochLocked is the classic epoch index (block+netuid+1)/(tempo+1) and the
// subnet's RevealPeriodEpochs.
func (s *Server) epochLocked(netuid uint16, block uint64) (epoch, period uint64, err error) {
	tempo, err := s.u64Locked("SubtensorModule", "Tempo", netuid)
	if err != nil {
		return 0, 0, err
	}
	if period, err = s.u64Locked("SubtensorModule", "RevealPeriodEpochs", netuid); err != nil {
		return 0, 0, err
	}
	return (block + uint64(netuid) + 1) / (tempo + 1), period, nil
}

func (s *Server) u64Locked(pallet, item string, keys ...any) (uint64, error) {
	key, e, err := s.rt.meta.StorageKey(pallet, item, keys...)
	if err != nil {
		return 0, err
	}
	v, err := s.rt.meta.DecodeStorage(e, s.storage[hexs(key)])
	if err != nil {
		return 0, err
	}
	return metadata.AsUint64(v)
}

// revealLocked runs at the start of block n, as subtensor's
// reveal_crv3_commits_for_subnet: commits of epoch (current − reveal
// period) are decrypted with their round's pulse once it is ingested
// (retried every block of that epoch), decoded (hotkey checked) and applied
// as the signer's Weights row; older ones are dropped.
func (s *Server) revealLocked(n uint64) {
	if s.tl == nil || len(s.tl.pending) == 0 {
		return
	}
	now := s.tl.t0.Add(time.Duration(n-s.tl.b0) * s.tl.d.BlockTime)
	var keep []tlCommit
	for _, c := range s.tl.pending {
		cur, period, err := s.epochLocked(c.netuid, n)
		r := Reveal{Hotkey: keys.SS58Encode(c.who), Netuid: c.netuid, CommitBlock: c.block, Round: c.round, Block: n}
		switch {
		case err != nil:
			r.Err = err.Error()
		case cur < c.epoch+period:
			keep = append(keep, c)
			continue
		case cur > c.epoch+period:
			r.Err = "expired: its reveal epoch passed without the drand pulse"
		case s.tl.d.Beacon.RoundTime(c.round).After(now):
			keep = append(keep, c) // pulse not ingested yet
			continue
		default:
			r.UIDs, r.Values, err = s.applyRevealLocked(c)
			if err != nil {
				r.Err = err.Error()
			}
		}
		s.tl.done = append(s.tl.done, r)
	}
	s.tl.pending = keep
}

func (s *Server) applyRevealLocked(c tlCommit) ([]uint16, []uint16, error) {
	pt, err := timelock.Decrypt(c.commit, s.tl.d.Sign(c.round))
	if err != nil {
		return nil, nil, err
	}
	p, err := timelock.DecodePayload(pt, c.who)
	if err != nil {
		return nil, nil, err
	}
	if len(p.UIDs) != len(p.Values) {
		return nil, nil, fmt.Errorf("WeightVecNotEqualSize")
	}
	uid, err := s.u64Locked("SubtensorModule", "Uids", c.netuid, c.who)
	if err != nil {
		return nil, nil, fmt.Errorf("not registered: %w", err)
	}
	row := make([][2]uint64, len(p.UIDs))
	for i := range p.UIDs {
		row[i] = [2]uint64{uint64(p.UIDs[i]), uint64(p.Values[i])}
	}
	return p.UIDs, p.Values, s.putLocked("SubtensorModule", "Weights", row, c.netuid, uid)
}

func (s *Server) putLocked(pallet, item string, value any, keys ...any) error {
	key, e, err := s.rt.meta.StorageKey(pallet, item, keys...)
	if err != nil {
		return err
	}
	enc, err := s.rt.meta.Encode(e.Value, value)
	if err != nil {
		return fmt.Errorf("substratetest: %s.%s: %w", pallet, item, err)
	}
	s.storage[hexs(key)] = enc
	return nil
}
