package chain

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/taonet/taonet/yuma"
)

const (
	stateMagic   = "taonet-state"
	stateVersion = 1
	maxStateStr  = 1 << 16
)

// fieldCodec visits fixed-width fields in order; writer and reader both implement
// it so one visit function defines a struct's encoding and decoding.
type fieldCodec interface {
	vu16(*uint16)
	vu32(*uint32)
	vu64(*uint64)
	vi16(*int16)
	vbool(*bool)
}

func (w *writer) vu16(p *uint16) { w.u16(*p) }
func (w *writer) vu32(p *uint32) { w.u32(*p) }
func (w *writer) vu64(p *uint64) { w.u64(*p) }
func (w *writer) vi16(p *int16)  { w.u16(uint16(*p)) }
func (w *writer) vbool(p *bool)  { w.boolean(*p) }
func (r *reader) vu16(p *uint16) { *p = r.u16() }
func (r *reader) vu32(p *uint32) { *p = r.u32() }
func (r *reader) vu64(p *uint64) { *p = r.u64() }
func (r *reader) vi16(p *int16)  { *p = int16(r.u16()) }
func (r *reader) vbool(p *bool)  { *p = r.boolean() }

func (h *Hyperparams) visit(c fieldCodec) {
	c.vu16(&h.Rho)
	c.vu16(&h.Kappa)
	c.vu16(&h.ImmunityPeriod)
	c.vu16(&h.MinAllowedWeights)
	c.vu16(&h.MaxWeightsLimit)
	c.vu16(&h.Tempo)
	c.vu64(&h.WeightsVersion)
	c.vu64(&h.WeightsRateLimit)
	c.vu16(&h.AdjustmentInterval)
	c.vu16(&h.ActivityCutoff)
	c.vbool(&h.RegistrationAllowed)
	c.vu16(&h.TargetRegsPerInterval)
	c.vu64(&h.MinBurn)
	c.vu64(&h.MaxBurn)
	c.vu64(&h.Burn)
	c.vu64(&h.BondsMovingAvg)
	c.vu16(&h.MaxRegsPerBlock)
	c.vu64(&h.ServingRateLimit)
	c.vu16(&h.MaxValidators)
	c.vu64(&h.AdjustmentAlpha)
	c.vu64(&h.CommitRevealPeriod)
	c.vbool(&h.CommitRevealWeightsEnabled)
	c.vu16(&h.AlphaHigh)
	c.vu16(&h.AlphaLow)
	c.vbool(&h.LiquidAlphaEnabled)
	c.vbool(&h.Yuma3Enabled)
	c.vu16(&h.BondsPenalty)
	c.vbool(&h.BondsResetEnabled)
	c.vi16(&h.AlphaSigmoidSteepness)
	c.vu16(&h.MaxAllowedUids)
	c.vu64(&h.StakeThreshold)
	c.vu32(&h.CommitmentMaxSpace)
}

// visitScalars covers the state's fixed-width scalars (not maps or strings).
func (s *State) visitScalars(c fieldCodec) {
	g := &s.cfg
	c.vu64(&g.BlockEmission)
	c.vu64(&g.TxFee)
	c.vu16(&g.SubnetOwnerCut)
	c.vu16(&g.DelegateTake)
	c.vu64(&g.NetworkMinLockCost)
	c.vu64(&g.NetworkLockReductionInterval)
	c.vu16(&g.MaxSubnets)
	c.vbool(&g.AllowLocalAxonIPs)
	g.SubnetDefaults.visit(c)
	c.vu64(&s.height)
	t := uint64(s.timeNanos)
	c.vu64(&t)
	s.timeNanos = int64(t)
	c.vu64(&s.issuance)
	c.vu64(&s.regBurned)
	c.vu64(&s.feesBurned)
	c.vu64(&s.recycled)
	c.vu64(&s.lastLock)
	c.vu64(&s.lastLockAt)
}

func (sn *subnet) visitScalars(c fieldCodec) {
	c.vu64(&sn.locked)
	c.vu64(&sn.createdAt)
	sn.hp.visit(c)
	c.vu64(&sn.pending)
	c.vu64(&sn.lastEpoch)
	c.vu16(&sn.regsThisBlock)
	c.vu16(&sn.regsInterval)
	c.vu64(&sn.lastAdjustment)
}

func (n *neuron) visitScalars(c fieldCodec) {
	c.vu64(&n.regBlock)
	c.vu64(&n.lastUpdate)
	c.vbool(&n.active)
	c.vbool(&n.permit)
	c.vu16(&n.consensus)
	c.vu16(&n.incentive)
	c.vu16(&n.dividends)
	c.vu16(&n.vtrust)
	c.vu16(&n.pruning)
	c.vu64(&n.emission)
}

func (a *axon) visit(c fieldCodec) {
	c.vu64(&a.block)
	c.vu32(&a.version)
	for i := 0; i < 16; i += 2 {
		v := uint16(a.ip[i])<<8 | uint16(a.ip[i+1])
		c.vu16(&v)
		a.ip[i], a.ip[i+1] = byte(v>>8), byte(v)
	}
	c.vu16(&a.port)
	for _, p := range []*uint8{&a.ipType, &a.protocol, &a.p1, &a.p2} {
		v := uint16(*p)
		c.vu16(&v)
		*p = uint8(v)
	}
}

func writeEntries(w *writer, es []yuma.Entry) {
	w.u32(uint32(len(es)))
	for _, e := range es {
		w.u16(e.UID)
		w.u16(e.Value)
	}
}

func readEntries(r *reader) []yuma.Entry {
	n := r.count(1<<16, 4)
	if n == 0 {
		return nil
	}
	es := make([]yuma.Entry, n)
	for i := range es {
		es[i] = yuma.Entry{UID: r.u16(), Value: r.u16()}
	}
	return es
}

// Encode returns the canonical encoding of the whole state: fixed-width big-endian
// integers, length-prefixed strings, every map written in sorted key order. Equal
// states give equal bytes.
func (s *State) Encode() []byte {
	w := &writer{b: make([]byte, 0, 1<<16)}
	w.b = append(w.b, stateMagic...)
	w.u8(stateVersion)
	w.str(s.cfg.ChainID)
	s.visitScalars(w)
	w.b = append(w.b, s.blockHash[:]...)
	w.u32(uint32(len(s.accounts)))
	for _, k := range sortedKeys(s.accounts) {
		a := s.accounts[k]
		w.str(k)
		w.u64(a.balance)
		w.u64(a.nonce)
	}
	w.u32(uint32(len(s.owners)))
	for _, k := range sortedKeys(s.owners) {
		w.str(k)
		w.str(s.owners[k])
	}
	w.u32(uint32(len(s.stake)))
	for _, hk := range sortedKeys(s.stake) {
		m := s.stake[hk]
		w.str(hk)
		w.u32(uint32(len(m)))
		for _, ck := range sortedKeys(m) {
			w.str(ck)
			w.u64(m[ck])
		}
	}
	netuids := s.sortedNetuids()
	w.u32(uint32(len(netuids)))
	for _, id := range netuids {
		sn := s.subnets[id]
		w.u16(sn.netuid)
		w.str(sn.ownerColdkey)
		w.str(sn.ownerHotkey)
		sn.visitScalars(w)
		w.u32(uint32(len(sn.neurons)))
		for _, n := range sn.neurons {
			w.str(n.hotkey)
			n.visitScalars(w)
			writeEntries(w, n.weights)
			writeEntries(w, n.bonds)
			w.boolean(n.axon != nil)
			if n.axon != nil {
				n.axon.visit(w)
			}
		}
		w.u32(uint32(len(sn.commits)))
		for _, hk := range sortedKeys(sn.commits) {
			w.str(hk)
			q := sn.commits[hk]
			w.u32(uint32(len(q)))
			for _, c := range q {
				w.b = append(w.b, c.hash[:]...)
				w.u64(c.block)
				w.u64(c.epoch)
			}
		}
		w.u32(uint32(len(sn.commitments)))
		for _, hk := range sortedKeys(sn.commitments) {
			cm := sn.commitments[hk]
			w.str(hk)
			w.u64(cm.block)
			w.u32(uint32(len(cm.fields)))
			for _, f := range cm.fields {
				w.u8(uint8(f.Kind))
				w.bytes32(f.Data)
			}
			cm.encodeHistory(w)
		}
		w.u32(uint32(len(sn.space)))
		for _, hk := range sortedKeys(sn.space) {
			u := sn.space[hk]
			w.str(hk)
			w.u64(u.epoch)
			w.u64(u.used)
		}
	}
	s.encodeDTAO(w)
	return w.b
}

// AppHash is the SHA-256 of Encode() (a full re-hash per block; see the report for
// its cost at scale).
func (s *State) AppHash() []byte {
	h := sha256.Sum256(s.Encode())
	return h[:]
}

// DecodeState parses what Encode produced and rebuilds the derived indexes. It
// rejects truncated, trailing or inconsistent input with an error, never a panic.
func DecodeState(b []byte) (*State, error) {
	if len(b) < len(stateMagic)+1 || string(b[:len(stateMagic)]) != stateMagic {
		return nil, errors.New("chain: not a taonet state encoding")
	}
	r := &reader{b: b[len(stateMagic):]}
	if v := r.u8(); v != stateVersion {
		return nil, fmt.Errorf("chain: state encoding version %d, want %d", v, stateVersion)
	}
	s := newEmptyState()
	s.cfg.ChainID = r.str(maxChainIDLen)
	s.visitScalars(r)
	copy(s.blockHash[:], r.take(32))
	for i, n := 0, r.count(1<<30, 18); i < n && r.err == nil; i++ {
		k := r.str(maxStateStr)
		s.accounts[k] = &account{balance: r.u64(), nonce: r.u64()}
	}
	for i, n := 0, r.count(1<<30, 4); i < n && r.err == nil; i++ {
		k := r.str(maxStateStr)
		s.owners[k] = r.str(maxStateStr)
	}
	for i, n := 0, r.count(1<<30, 6); i < n && r.err == nil; i++ {
		hk := r.str(maxStateStr)
		m := map[string]uint64{}
		for j, c := 0, r.count(1<<30, 10); j < c && r.err == nil; j++ {
			ck := r.str(maxStateStr)
			v := r.u64()
			m[ck] = v
			s.hotStake[hk] += v
		}
		s.stake[hk] = m
	}
	for i, n := 0, r.count(1<<16, 8); i < n && r.err == nil; i++ {
		sn := &subnet{
			netuid:      r.u16(),
			uids:        map[string]uint16{},
			commits:     map[string][]weightCommit{},
			commitments: map[string]*commitment{},
			space:       map[string]spaceUsage{},
		}
		sn.ownerColdkey = r.str(maxStateStr)
		sn.ownerHotkey = r.str(maxStateStr)
		sn.visitScalars(r)
		for j, c := 0, r.count(1<<16, 40); j < c && r.err == nil; j++ {
			nr := &neuron{hotkey: r.str(maxStateStr)}
			nr.visitScalars(r)
			nr.weights = readEntries(r)
			nr.bonds = readEntries(r)
			if r.boolean() {
				nr.axon = &axon{}
				nr.axon.visit(r)
			}
			if _, dup := sn.uids[nr.hotkey]; dup && r.err == nil {
				r.fail(fmt.Errorf("subnet %d: hotkey %s registered twice", sn.netuid, nr.hotkey))
			}
			sn.uids[nr.hotkey] = uint16(len(sn.neurons))
			sn.neurons = append(sn.neurons, nr)
		}
		for j, c := 0, r.count(1<<30, 6); j < c && r.err == nil; j++ {
			hk := r.str(maxStateStr)
			var q []weightCommit
			for k, m := 0, r.count(1<<20, 48); k < m && r.err == nil; k++ {
				var wc weightCommit
				copy(wc.hash[:], r.take(32))
				wc.block, wc.epoch = r.u64(), r.u64()
				q = append(q, wc)
			}
			sn.commits[hk] = q
		}
		for j, c := 0, r.count(1<<30, 14); j < c && r.err == nil; j++ {
			hk := r.str(maxStateStr)
			cm := &commitment{block: r.u64()}
			for k, m := 0, r.count(1<<10, 5); k < m && r.err == nil; k++ {
				cm.fields = append(cm.fields, CommitmentField{Kind: FieldKind(r.u8()), Data: r.bytes32(1 << 20)})
			}
			cm.decodeHistory(r)
			sn.commitments[hk] = cm
		}
		for j, c := 0, r.count(1<<30, 18); j < c && r.err == nil; j++ {
			hk := r.str(maxStateStr)
			sn.space[hk] = spaceUsage{epoch: r.u64(), used: r.u64()}
		}
		if _, dup := s.subnets[sn.netuid]; dup && r.err == nil {
			r.fail(fmt.Errorf("subnet %d encoded twice", sn.netuid))
		}
		s.subnets[sn.netuid] = sn
	}
	s.decodeDTAO(r)
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("chain: decode state: %w", err)
	}
	return s, nil
}

// Clone returns a deep copy: mutating either state never affects the other.
func (s *State) Clone() *State {
	c := newEmptyState()
	c.cfg = s.cfg
	c.height, c.timeNanos, c.blockHash = s.height, s.timeNanos, s.blockHash
	c.issuance, c.regBurned, c.feesBurned, c.recycled = s.issuance, s.regBurned, s.feesBurned, s.recycled
	c.lastLock, c.lastLockAt = s.lastLock, s.lastLockAt
	c.dt = s.dt.clone()
	for k, a := range s.accounts {
		cp := *a
		c.accounts[k] = &cp
	}
	for k, v := range s.owners {
		c.owners[k] = v
	}
	for hk, m := range s.stake {
		cm := make(map[string]uint64, len(m))
		for ck, v := range m {
			cm[ck] = v
		}
		c.stake[hk] = cm
	}
	for k, v := range s.hotStake {
		c.hotStake[k] = v
	}
	for id, sn := range s.subnets {
		cs := *sn
		cs.neurons = make([]*neuron, len(sn.neurons))
		for i, n := range sn.neurons {
			cn := *n
			cn.weights = append([]yuma.Entry(nil), n.weights...)
			cn.bonds = append([]yuma.Entry(nil), n.bonds...)
			if n.axon != nil {
				ax := *n.axon
				cn.axon = &ax
			}
			cs.neurons[i] = &cn
		}
		cs.uids = make(map[string]uint16, len(sn.uids))
		for k, v := range sn.uids {
			cs.uids[k] = v
		}
		cs.commits = make(map[string][]weightCommit, len(sn.commits))
		for k, q := range sn.commits {
			cs.commits[k] = append([]weightCommit(nil), q...)
		}
		cs.commitments = make(map[string]*commitment, len(sn.commitments))
		for k, cm := range sn.commitments {
			cs.commitments[k] = &commitment{block: cm.block, fields: cloneFields(cm.fields), history: cm.cloneHistory(), from: cm.from}
		}
		cs.space = make(map[string]spaceUsage, len(sn.space))
		for k, v := range sn.space {
			cs.space[k] = v
		}
		c.subnets[id] = &cs
	}
	return c
}

// EncodeWithHash returns Encode() and its SHA-256 (= AppHash) with one encoding pass,
// for the node's commit.
func (s *State) EncodeWithHash() ([]byte, []byte) {
	b := s.Encode()
	h := sha256.Sum256(b)
	return b, h[:]
}
