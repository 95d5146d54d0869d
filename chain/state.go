package chain

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/yuma"
)

// epochFunc runs one Yuma epoch. It is a variable only so that tests of the block
// step can exercise the failure path.
var epochFunc = yuma.Epoch

type account struct {
	balance uint64
	nonce   uint64
}

type axon struct {
	block    uint64
	version  uint32
	ip       [16]byte
	port     uint16
	ipType   uint8
	protocol uint8
	p1, p2   uint8
}

type neuron struct {
	hotkey     string
	regBlock   uint64
	lastUpdate uint64
	active     bool
	permit     bool
	consensus  uint16
	incentive  uint16
	dividends  uint16
	vtrust     uint16
	pruning    uint16
	emission   uint64
	weights    []yuma.Entry
	bonds      []yuma.Entry
	axon       *axon // nil until served; dropped when the uid is replaced
}

type weightCommit struct {
	hash  [32]byte
	block uint64
	epoch uint64
}

type commitment struct {
	block  uint64
	fields []CommitmentField
	// history holds the versions this one replaced, oldest first, and from
	// the first height they answer exactly (commitment_history.go).
	history []commitmentVersion
	from    uint64
}

type spaceUsage struct {
	epoch uint64
	used  uint64
}

type subnet struct {
	netuid         uint16
	ownerColdkey   string
	ownerHotkey    string
	locked         uint64
	createdAt      uint64
	hp             Hyperparams
	pending        uint64
	lastEpoch      uint64
	regsThisBlock  uint16
	regsInterval   uint16
	lastAdjustment uint64
	neurons        []*neuron
	uids           map[string]uint16 // derived from neurons
	commits        map[string][]weightCommit
	commitments    map[string]*commitment
	space          map[string]spaceUsage
}

// State is the whole chain state. It is not safe for concurrent use; the node
// serializes access and runs CheckTx on a Clone.
type State struct {
	cfg        Genesis // chain parameters; Accounts and Subnets cleared
	height     uint64
	timeNanos  int64
	blockHash  [32]byte
	accounts   map[string]*account
	owners     map[string]string            // hotkey -> coldkey
	stake      map[string]map[string]uint64 // hotkey -> coldkey -> rao
	hotStake   map[string]uint64            // derived: hotkey -> total stake
	subnets    map[uint16]*subnet
	issuance   uint64 // everything ever minted (genesis + emission)
	regBurned  uint64
	feesBurned uint64
	recycled   uint64
	lastLock   uint64     // last subnet lock cost
	lastLockAt uint64     // block of the last subnet creation
	dt         *dtaoState // dynamic TAO state; nil in classic economics
}

// DefaultSubnetHyperparams are the hyperparameters upstream init_new_network gives a
// new subnet (spec §5.9), with two local choices: commit-reveal off (clients can
// call set_weights directly; owners may turn it on) and classic Yuma (yuma3 off).
func DefaultSubnetHyperparams() Hyperparams {
	return Hyperparams{
		Rho:                        10,
		Kappa:                      32767,
		ImmunityPeriod:             5000,
		MinAllowedWeights:          1,
		MaxWeightsLimit:            65535,
		Tempo:                      360,
		WeightsVersion:             0,
		WeightsRateLimit:           100,
		AdjustmentInterval:         100,
		ActivityCutoff:             5000,
		RegistrationAllowed:        true,
		TargetRegsPerInterval:      2,
		MinBurn:                    500_000,
		MaxBurn:                    100_000_000_000,
		Burn:                       1_000_000_000,
		BondsMovingAvg:             900_000,
		MaxRegsPerBlock:            1,
		ServingRateLimit:           50,
		MaxValidators:              64,
		AdjustmentAlpha:            0,
		CommitRevealPeriod:         1,
		CommitRevealWeightsEnabled: false,
		AlphaHigh:                  58982,
		AlphaLow:                   45875,
		LiquidAlphaEnabled:         false,
		Yuma3Enabled:               false,
		BondsPenalty:               65535,
		BondsResetEnabled:          false,
		AlphaSigmoidSteepness:      1000,
		MaxAllowedUids:             256,
		StakeThreshold:             0,
		CommitmentMaxSpace:         3100,
	}
}

// DefaultGenesis returns mainnet-like chain parameters: 1 TAO per block, 18% owner
// cut and delegate take, a 0.0001 TAO flat fee, a 100 TAO minimum subnet lock, at
// most 64 subnets, and DefaultSubnetHyperparams. It has no accounts.
func DefaultGenesis() Genesis {
	return Genesis{
		ChainID:                      DefaultChainID,
		BlockEmission:                1_000_000_000,
		TxFee:                        100_000,
		SubnetOwnerCut:               11796,
		DelegateTake:                 11796,
		NetworkMinLockCost:           100_000_000_000,
		NetworkLockReductionInterval: 14 * 7200,
		MaxSubnets:                   64,
		SubnetDefaults:               DefaultSubnetHyperparams(),
	}
}

// LocalnetGenesis is DefaultGenesis tuned for a single-machine network, on dynamic
// TAO: tempo 10
// (upstream's fast-runtime value), no weights or serving rate limits, a 100-block
// immunity period, up to 3 registrations per block, and loopback axons allowed.
func LocalnetGenesis() Genesis {
	g := DefaultGenesis()
	g.Economics = EconomicsDTAO
	g.AllowLocalAxonIPs = true
	hp := &g.SubnetDefaults
	hp.Tempo = 10
	hp.WeightsRateLimit = 0
	hp.ServingRateLimit = 0
	hp.ImmunityPeriod = 100
	hp.MaxRegsPerBlock = 3
	return g
}

// NewState builds the genesis state (height 0): balances, then subnets in order.
func NewState(g Genesis) (*State, error) {
	if g.ChainID == "" || len(g.ChainID) > maxChainIDLen {
		return nil, fmt.Errorf("chain: genesis chain_id must be 1..%d bytes", maxChainIDLen)
	}
	if g.MaxSubnets == 0 {
		return nil, errors.New("chain: genesis max_subnets must be > 0")
	}
	if err := checkHyperparams(g.SubnetDefaults); err != nil {
		return nil, fmt.Errorf("chain: genesis subnet_defaults: %w", err)
	}
	s := newEmptyState()
	s.cfg = g
	s.cfg.Accounts, s.cfg.Subnets = nil, nil
	switch g.Economics {
	case "", EconomicsClassic:
		s.cfg.Economics = ""
	case EconomicsDTAO:
		if s.cfg.TaoWeight == 0 {
			s.cfg.TaoWeight = DefaultTaoWeight
		}
		s.dt = newDTAOState(s.cfg.TaoWeight)
	default:
		return nil, fmt.Errorf("chain: genesis economics %q: want %q or %q", g.Economics, EconomicsDTAO, EconomicsClassic)
	}
	for _, a := range g.Accounts {
		if _, err := keys.SS58Decode(a.Address); err != nil {
			return nil, fmt.Errorf("chain: genesis account %q: %w", a.Address, err)
		}
		acc := s.acct(a.Address)
		if acc.balance+a.Balance < acc.balance || s.issuance+a.Balance < s.issuance {
			return nil, errors.New("chain: genesis balances overflow u64")
		}
		acc.balance += a.Balance
		s.issuance += a.Balance
	}
	for i, gs := range g.Subnets {
		hp := g.SubnetDefaults
		if gs.Hyperparams != nil {
			hp = *gs.Hyperparams
			if err := checkHyperparams(hp); err != nil {
				return nil, fmt.Errorf("chain: genesis subnet %d: %w", i, err)
			}
		}
		for _, a := range []string{gs.OwnerColdkey, gs.OwnerHotkey} {
			if _, err := keys.SS58Decode(a); err != nil {
				return nil, fmt.Errorf("chain: genesis subnet %d address %q: %w", i, a, err)
			}
		}
		if o, ok := s.owners[gs.OwnerHotkey]; ok && o != gs.OwnerColdkey {
			return nil, fmt.Errorf("chain: genesis subnet %d: hotkey %s owned by %s", i, gs.OwnerHotkey, o)
		}
		netuid, ok := s.freeNetuid()
		if !ok {
			return nil, errors.New("chain: genesis has more subnets than max_subnets")
		}
		s.addSubnet(netuid, gs.OwnerColdkey, gs.OwnerHotkey, 0, hp)
		if s.dt != nil {
			// A genesis subnet's pool TAO is minted with the genesis (no lock is paid).
			s.issuance += s.dt.pools[netuid].tao
		}
	}
	return s, nil
}

// checkHyperparams rejects hyperparameter sets the state machine cannot run with.
func checkHyperparams(h Hyperparams) error {
	switch {
	case h.TargetRegsPerInterval == 0:
		return errors.New("target_regs_per_interval must be > 0")
	case h.MinBurn > h.MaxBurn:
		return errors.New("min_burn must be <= max_burn")
	case h.CommitRevealPeriod == 0 || h.CommitRevealPeriod > 100:
		return errors.New("commit_reveal_period must be in 1..100")
	case h.MaxAllowedUids == 0:
		return errors.New("max_allowed_uids must be > 0")
	}
	return nil
}

func newEmptyState() *State {
	return &State{
		accounts: map[string]*account{},
		owners:   map[string]string{},
		stake:    map[string]map[string]uint64{},
		hotStake: map[string]uint64{},
		subnets:  map[uint16]*subnet{},
	}
}

// acct returns addr's account, creating it.
func (s *State) acct(addr string) *account {
	a := s.accounts[addr]
	if a == nil {
		a = &account{}
		s.accounts[addr] = a
	}
	return a
}

func (s *State) balance(addr string) uint64 {
	if a := s.accounts[addr]; a != nil {
		return a.balance
	}
	return 0
}

// freeNetuid returns the lowest unused netuid in 1..MaxSubnets (0 is upstream's root).
func (s *State) freeNetuid() (uint16, bool) {
	for n := uint32(1); n <= uint32(s.cfg.MaxSubnets); n++ {
		if _, used := s.subnets[uint16(n)]; !used {
			return uint16(n), true
		}
	}
	return 0, false
}

// addSubnet creates a subnet and registers the owner hotkey as its first uid.
func (s *State) addSubnet(netuid uint16, coldkey, hotkey string, locked uint64, hp Hyperparams) *subnet {
	if s.dt != nil {
		s.initPool(netuid, locked)
	}
	sn := &subnet{
		netuid:         netuid,
		ownerColdkey:   coldkey,
		ownerHotkey:    hotkey,
		locked:         locked,
		createdAt:      s.height,
		hp:             hp,
		lastAdjustment: s.height,
		uids:           map[string]uint16{},
		commits:        map[string][]weightCommit{},
		commitments:    map[string]*commitment{},
		space:          map[string]spaceUsage{},
	}
	s.subnets[netuid] = sn
	s.owners[hotkey] = coldkey
	s.acct(coldkey)
	s.appendNeuron(sn, hotkey)
	return sn
}

// appendNeuron adds hotkey at uid = n (register_neuron when the subnet is not full).
func (s *State) appendNeuron(sn *subnet, hotkey string) uint16 {
	uid := uint16(len(sn.neurons))
	sn.neurons = append(sn.neurons, &neuron{hotkey: hotkey, regBlock: s.height, lastUpdate: s.height, active: true})
	sn.uids[hotkey] = uid
	return uid
}

// sortedNetuids returns the netuids in ascending order (never range over the map).
func (s *State) sortedNetuids() []uint16 {
	out := make([]uint16, 0, len(s.subnets))
	for n := range s.subnets {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Height is the height of the last BeginBlock (0 at genesis).
func (s *State) Height() uint64 { return s.height }

// ChainID is the chain ID transactions must carry.
func (s *State) ChainID() string { return s.cfg.ChainID }

// Params returns the chain parameters (the genesis without accounts and subnets).
func (s *State) Params() Genesis { return s.cfg }

// BlockTime is the time of the current block, as given to BeginBlock.
func (s *State) BlockTime() time.Time { return time.Unix(0, s.timeNanos).UTC() }

// BeginBlock starts block b: it records the block context, resets the per-block
// registration counters and runs the burn-price adjustment of every subnet whose
// adjustment interval has elapsed (upstream order: these run before the block's
// transactions).
func (s *State) BeginBlock(b BlockInfo) {
	s.height = b.Height
	s.timeNanos = 0
	if !b.Time.IsZero() {
		s.timeNanos = b.Time.UnixNano()
	}
	s.blockHash = b.Hash
	for _, netuid := range s.sortedNetuids() {
		sn := s.subnets[netuid]
		if s.height >= sn.lastAdjustment &&
			s.height-sn.lastAdjustment >= uint64(sn.hp.AdjustmentInterval) {
			adjustBurn(sn)
			sn.regsInterval = 0
			sn.lastAdjustment = s.height
		}
		sn.regsThisBlock = 0
	}
}
