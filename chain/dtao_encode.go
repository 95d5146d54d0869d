package chain

import (
	"fmt"

	"github.com/taonet/taonet/fixed"
)

// The dTAO section of the state encoding follows the subnets. A classic state has
// none, so classic encodings (and app hashes) are unchanged by this file; a dTAO
// state starts the section with the magic byte dtaoMagic.
const dtaoMagic = 0xD7

func (p *pool) visit(c fieldCodec, fx fixedCodec) {
	for _, v := range []*uint64{&p.tao, &p.alphaIn, &p.alphaOut, &p.quote} {
		c.vu64(v)
	}
	c.vu16(&p.feeRate)
	fx.i96(&p.movingPrice)
	c.vu64(&p.firstEmission)
	fx.u96(&p.minerBurned)
	for _, v := range []*uint64{&p.pendServer, &p.pendValidator, &p.pendRoot, &p.pendOwner, &p.protocolAlpha,
		&p.alphaBurned, &p.alphaMinted, &p.alphaRecycled, &p.taoInEmission, &p.alphaInEmis, &p.alphaOutEmis, &p.excessTao} {
		c.vu64(v)
	}
}

// fixedCodec visits the 128-bit fixed-point fields as hi/lo pairs.
type fixedCodec interface {
	i96(*fixed.I96F32)
	u96(*fixed.U96F32)
}

type fixedWriter struct{ w *writer }

func (f fixedWriter) i96(p *fixed.I96F32) {
	hi, lo := p.Bits()
	f.w.u64(uint64(hi))
	f.w.u64(lo)
}

func (f fixedWriter) u96(p *fixed.U96F32) {
	hi, lo := p.Bits()
	f.w.u64(hi)
	f.w.u64(lo)
}

type fixedReader struct{ r *reader }

func (f fixedReader) i96(p *fixed.I96F32) { *p = fixed.I96F32FromBits(int64(f.r.u64()), f.r.u64()) }
func (f fixedReader) u96(p *fixed.U96F32) { *p = fixed.U96F32FromBits(f.r.u64(), f.r.u64()) }

// encodeDTAO appends the dTAO section (sorted maps, fixed-width integers).
func (s *State) encodeDTAO(w *writer) {
	if s.dt == nil {
		return
	}
	d := s.dt
	w.u8(dtaoMagic)
	w.u64(d.taoWeight)
	w.u64(d.rootTAO)
	ids := sortedU16Keys(d.pools)
	w.u32(uint32(len(ids)))
	for _, id := range ids {
		w.u16(id)
		d.pools[id].visit(w, fixedWriter{w})
	}
	w.u32(uint32(len(d.takes)))
	for _, hk := range sortedKeys(d.takes) {
		w.str(hk)
		w.u16(d.takes[hk].take)
		w.u64(d.takes[hk].lastBlock)
	}
	nets := sortedU16Keys(d.alpha)
	w.u32(uint32(len(nets)))
	for _, n := range nets {
		w.u16(n)
		hm := d.alpha[n]
		w.u32(uint32(len(hm)))
		for _, hk := range sortedKeys(hm) {
			w.str(hk)
			cm := hm[hk]
			w.u32(uint32(len(cm)))
			for _, ck := range sortedKeys(cm) {
				w.str(ck)
				w.u64(cm[ck])
			}
		}
	}
}

// decodeDTAO reads the section when bytes remain after the subnets.
func (s *State) decodeDTAO(r *reader) {
	if r.err != nil || len(r.b) == 0 {
		return
	}
	if m := r.u8(); m != dtaoMagic {
		r.fail(fmt.Errorf("unknown state section 0x%02x", m))
		return
	}
	d := newDTAOState(r.u64())
	d.rootTAO = r.u64()
	for i, n := 0, r.count(1<<16, 2); i < n && r.err == nil; i++ {
		id := r.u16()
		p := &pool{}
		p.visit(r, fixedReader{r})
		d.pools[id] = p
	}
	for i, n := 0, r.count(1<<30, 12); i < n && r.err == nil; i++ {
		hk := r.str(maxStateStr)
		d.takes[hk] = delegateTake{take: r.u16(), lastBlock: r.u64()}
	}
	for i, n := 0, r.count(1<<16, 6); i < n && r.err == nil; i++ {
		net := r.u16()
		hm := map[string]map[string]uint64{}
		for j, c := 0, r.count(1<<30, 6); j < c && r.err == nil; j++ {
			hk := r.str(maxStateStr)
			cm := map[string]uint64{}
			for k, m := 0, r.count(1<<30, 10); k < m && r.err == nil; k++ {
				ck := r.str(maxStateStr)
				cm[ck] = r.u64()
			}
			hm[hk] = cm
		}
		d.alpha[net] = hm
	}
	s.dt = d
	s.cfg.Economics = EconomicsDTAO
	s.cfg.TaoWeight = d.taoWeight
}

// clone deep-copies the dTAO state.
func (d *dtaoState) clone() *dtaoState {
	if d == nil {
		return nil
	}
	c := newDTAOState(d.taoWeight)
	c.rootTAO = d.rootTAO
	for k, v := range d.takes {
		c.takes[k] = v
	}
	for id, p := range d.pools {
		cp := *p
		c.pools[id] = &cp
	}
	for n, hm := range d.alpha {
		ch := make(map[string]map[string]uint64, len(hm))
		for hk, cm := range hm {
			cc := make(map[string]uint64, len(cm))
			for ck, v := range cm {
				cc[ck] = v
			}
			ch[hk] = cc
		}
		c.alpha[n] = ch
	}
	return c
}

func sortedU16Keys[V any](m map[uint16]V) []uint16 {
	out := make([]uint16, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
