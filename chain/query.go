package chain

import (
	"fmt"
)

// Account describes addr: balance, nonce, its stakes as a coldkey, and as a hotkey
// its owner and total stake. An unknown address reads as zero.
func (s *State) Account(addr string) AccountInfo {
	ai := AccountInfo{Address: addr, Stakes: []StakeEntry{}}
	if a := s.accounts[addr]; a != nil {
		ai.Balance, ai.Nonce = a.balance, a.nonce
	}
	for _, hk := range sortedKeys(s.stake) {
		if v, ok := s.stake[hk][addr]; ok {
			ai.Stakes = append(ai.Stakes, StakeEntry{Hotkey: hk, Coldkey: addr, Amount: v})
			ai.TotalStaked += v
		}
	}
	ai.Owner = s.owners[addr]
	ai.HotkeyStake = s.hotStake[addr]
	if s.dt != nil {
		s.dtaoAccount(&ai)
	}
	return ai
}

// Stake returns the stake coldkey holds on hotkey.
func (s *State) Stake(hotkey, coldkey string) uint64 { return s.stakeOf(hotkey, coldkey) }

// Stakers lists every coldkey's stake on hotkey, by coldkey.
func (s *State) Stakers(hotkey string) []StakeEntry {
	out := []StakeEntry{}
	m := s.stake[hotkey]
	for _, ck := range sortedKeys(m) {
		out = append(out, StakeEntry{Hotkey: hotkey, Coldkey: ck, Amount: m[ck]})
	}
	return out
}

// nextEpoch is the first block > h at which the subnet's epoch runs (0 if never).
func nextEpoch(h uint64, netuid, tempo uint16) uint64 {
	if tempo == 0 {
		return 0
	}
	p := uint64(tempo) + 1
	r := (h + 1 + uint64(netuid) + 1) % p
	if r == 0 {
		return h + 1
	}
	return h + 1 + (p - r)
}

// Subnets lists every subnet in netuid order.
func (s *State) Subnets() []SubnetInfo {
	out := []SubnetInfo{}
	for _, id := range s.sortedNetuids() {
		sn := s.subnets[id]
		out = append(out, SubnetInfo{
			Netuid: id, OwnerColdkey: sn.ownerColdkey, OwnerHotkey: sn.ownerHotkey,
			N: uint16(len(sn.neurons)), MaxN: sn.hp.MaxAllowedUids, Tempo: sn.hp.Tempo, Burn: sn.hp.Burn,
			Locked: sn.locked, PendingEmission: sn.pending, RegisteredAt: sn.createdAt,
			LastEpochBlock: sn.lastEpoch, NextEpochBlock: nextEpoch(s.height, id, sn.hp.Tempo), Pool: s.poolInfo(id),
		})
	}
	return out
}

func (s *State) subnet(netuid uint16) (*subnet, error) {
	sn := s.subnets[netuid]
	if sn == nil {
		return nil, fmt.Errorf("chain: subnet %d does not exist", netuid)
	}
	return sn, nil
}

// Hyperparameters returns a subnet's hyperparameters (Burn is the current price).
func (s *State) Hyperparameters(netuid uint16) (Hyperparams, error) {
	sn, err := s.subnet(netuid)
	if err != nil {
		return Hyperparams{}, err
	}
	return sn.hp, nil
}

func (s *State) axonInfo(n *neuron) AxonInfo {
	ai := AxonInfo{IP: "0.0.0.0", Hotkey: n.hotkey, Coldkey: s.owners[n.hotkey]}
	if a := n.axon; a != nil {
		ai.Block, ai.Version, ai.Port, ai.IPType, ai.Protocol = a.block, a.version, a.port, a.ipType, a.protocol
		ai.Placeholder1, ai.Placeholder2 = a.p1, a.p2
		ai.IP = axonIPString(a.ip, a.ipType)
	}
	return ai
}

// Neuron returns one uid of a subnet, with its weights and bonds (non-zero entries,
// as upstream NeuronInfo).
func (s *State) Neuron(netuid, uid uint16) (*NeuronInfo, error) {
	sn, err := s.subnet(netuid)
	if err != nil {
		return nil, err
	}
	if int(uid) >= len(sn.neurons) {
		return nil, fmt.Errorf("chain: uid %d does not exist on subnet %d (n = %d)", uid, netuid, len(sn.neurons))
	}
	n := sn.neurons[uid]
	ni := &NeuronInfo{
		Hotkey: n.hotkey, Coldkey: s.owners[n.hotkey], UID: uid, Netuid: netuid, Active: n.active,
		Axon: s.axonInfo(n), Stake: s.stakeWeight(netuid, n.hotkey), Emission: n.emission, Incentive: n.incentive,
		Consensus: n.consensus, ValidatorTrust: n.vtrust, Dividends: n.dividends, LastUpdate: n.lastUpdate,
		BlockAtRegistration: n.regBlock, ValidatorPermit: n.permit, PruningScore: n.pruning,
		Weights: [][2]uint16{}, Bonds: [][2]uint16{},
	}
	ni.AlphaStake, ni.TaoStake, ni.TotalStake = s.stakeParts(netuid, n.hotkey)
	for _, e := range n.weights {
		if e.Value > 0 {
			ni.Weights = append(ni.Weights, [2]uint16{e.UID, e.Value})
		}
	}
	for _, e := range n.bonds {
		if e.Value > 0 {
			ni.Bonds = append(ni.Bonds, [2]uint16{e.UID, e.Value})
		}
	}
	return ni, nil
}

// Metagraph returns a subnet's metagraph: every per-uid vector indexed by uid, and
// the weights and bonds rows as stored (weights max-upscaled, zeros kept).
func (s *State) Metagraph(netuid uint16) (*Metagraph, error) {
	sn, err := s.subnet(netuid)
	if err != nil {
		return nil, err
	}
	n := len(sn.neurons)
	m := &Metagraph{
		Netuid: netuid, Block: s.height, N: uint16(n),
		UIDs: make([]uint16, n), Hotkeys: make([]string, n), Coldkeys: make([]string, n),
		Stake: make([]uint64, n), Consensus: make([]uint16, n), Incentive: make([]uint16, n),
		Dividends: make([]uint16, n), Emission: make([]uint64, n), ValidatorTrust: make([]uint16, n),
		ValidatorPermit: make([]bool, n), Active: make([]bool, n), LastUpdate: make([]uint64, n),
		BlockAtRegistration: make([]uint64, n), PruningScore: make([]uint16, n), Axons: make([]AxonInfo, n),
		Weights: make([][][2]uint16, n), Bonds: make([][][2]uint16, n),
		Hyperparams: sn.hp, OwnerHotkey: sn.ownerHotkey, OwnerColdkey: sn.ownerColdkey,
		AlphaStake: make([]uint64, n), TaoStake: make([]uint64, n), TotalStake: make([]uint64, n),
		Pool: s.poolInfo(netuid),
	}
	for i, nr := range sn.neurons {
		m.UIDs[i] = uint16(i)
		m.Hotkeys[i] = nr.hotkey
		m.Coldkeys[i] = s.owners[nr.hotkey]
		m.Stake[i] = s.stakeWeight(netuid, nr.hotkey)
		m.AlphaStake[i], m.TaoStake[i], m.TotalStake[i] = s.stakeParts(netuid, nr.hotkey)
		m.Consensus[i], m.Incentive[i], m.Dividends[i] = nr.consensus, nr.incentive, nr.dividends
		m.Emission[i], m.ValidatorTrust[i], m.ValidatorPermit[i] = nr.emission, nr.vtrust, nr.permit
		m.Active[i], m.LastUpdate[i], m.BlockAtRegistration[i] = nr.active, nr.lastUpdate, nr.regBlock
		m.PruningScore[i] = nr.pruning
		m.Axons[i] = s.axonInfo(nr)
		m.Weights[i] = make([][2]uint16, len(nr.weights))
		for k, e := range nr.weights {
			m.Weights[i][k] = [2]uint16{e.UID, e.Value}
		}
		m.Bonds[i] = make([][2]uint16, len(nr.bonds))
		for k, e := range nr.bonds {
			m.Bonds[i][k] = [2]uint16{e.UID, e.Value}
		}
	}
	return m, nil
}

// UID returns hotkey's uid on a subnet.
func (s *State) UID(netuid uint16, hotkey string) (uint16, bool) {
	sn := s.subnets[netuid]
	if sn == nil {
		return 0, false
	}
	uid, ok := sn.uids[hotkey]
	return uid, ok
}

// Commitments lists a subnet's commitments, by hotkey.
func (s *State) Commitments(netuid uint16) []Commitment {
	out := []Commitment{}
	sn := s.subnets[netuid]
	if sn == nil {
		return out
	}
	for _, hk := range sortedKeys(sn.commitments) {
		cm := sn.commitments[hk]
		out = append(out, sn.commitmentView(netuid, hk, cm.block, cm.fields))
	}
	return out
}

// commitmentView is the query form of one commitment version.
func (sn *subnet) commitmentView(netuid uint16, hk string, block uint64, fields []CommitmentField) Commitment {
	c := Commitment{Netuid: netuid, Hotkey: hk, UID: -1, Block: block, Fields: []CommitmentField{}}
	if uid, ok := sn.uids[hk]; ok {
		c.UID = int(uid)
	}
	for _, f := range fields {
		c.Fields = append(c.Fields, CommitmentField{Kind: f.Kind, Data: append([]byte(nil), f.Data...)})
		if f.Kind == FieldRaw || f.Kind == FieldBigRaw {
			c.Text += string(f.Data)
		}
	}
	return c
}

// PendingCommit is one unrevealed weight commit.
type PendingCommit struct {
	Hash  [32]byte `json:"hash"`
	Block uint64   `json:"block"`
	Epoch uint64   `json:"epoch"`
}

// WeightCommits lists hotkey's unrevealed weight commits on a subnet, oldest first.
func (s *State) WeightCommits(netuid uint16, hotkey string) []PendingCommit {
	out := []PendingCommit{}
	if sn := s.subnets[netuid]; sn != nil {
		for _, c := range sn.commits[hotkey] {
			out = append(out, PendingCommit{Hash: c.hash, Block: c.block, Epoch: c.epoch})
		}
	}
	return out
}

// Issuance accounts for every rao (see IssuanceInfo for the invariant).
func (s *State) Issuance() IssuanceInfo {
	ii := IssuanceInfo{
		TotalIssuance: s.issuance, RegistrationBurned: s.regBurned, FeesBurned: s.feesBurned,
		EmissionRecycled: s.recycled, Burned: s.burned(),
	}
	if s.dt != nil {
		return s.dtaoIssuance(ii)
	}
	for _, a := range s.accounts {
		ii.Balances += a.balance
	}
	for _, m := range s.stake {
		for _, v := range m {
			ii.Staked += v
		}
	}
	for _, sn := range s.subnets {
		ii.Locked += sn.locked
		ii.PendingEmission += sn.pending
	}
	return ii
}
