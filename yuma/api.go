package yuma

// This file is the contract between the epoch and its callers (the chain state
// machine and the `taonet yuma` commands). Field names follow the JSON scenario
// format of `taonet yuma epoch`.

// Entry is one sparse (uid, value) pair of a weights or bonds row, as stored on chain.
type Entry struct {
	UID   uint16
	Value uint16
}

// Params are the subnet hyperparameters and block context an epoch reads.
type Params struct {
	Block                 uint64
	Tempo                 uint16
	LastMechanismStep     uint64
	ActivityCutoff        uint64
	Kappa                 uint16
	BondsPenalty          uint16
	BondsMovingAverage    uint64
	Yuma3                 bool
	LiquidAlpha           bool
	AlphaLow              uint16
	AlphaHigh             uint16
	AlphaSigmoidSteepness int16
	MaxAllowedValidators  uint16
	StakeThreshold        uint64
	// OwnerUID is the uid of the subnet owner's hotkey, or -1 when the owner has none.
	OwnerUID int
	// CommitReveal enables the commit-reveal column mask: weights of uid i on uid
	// j are dropped when Neuron.CommitBlock of i is non-zero and earlier than j's
	// registration block (upstream epoch step 5, commit-reveal on).
	CommitReveal bool
}

// Neuron is the per-uid input of an epoch.
type Neuron struct {
	Stake               uint64
	LastUpdate          uint64
	BlockAtRegistration uint64
	ValidatorPermit     bool // permit computed by the previous epoch
	// CommitBlock is the block of the uid's earliest unexpired weight commit,
	// or 0 when it has none; read only when Params.CommitReveal is set.
	CommitBlock uint64
	Weights     []Entry
	Bonds       []Entry
}

// Input is everything one epoch needs. Emission is the rao to distribute.
type Input struct {
	Params   Params
	Neurons  []Neuron
	Emission uint64
}

// Output is everything one epoch produces; every slice has one entry per uid.
type Output struct {
	Active            []bool
	Consensus         []uint16
	Incentive         []uint16
	Dividends         []uint16
	ValidatorTrust    []uint16
	ValidatorPermit   []bool
	Bonds             [][]Entry
	ServerEmission    []uint64
	ValidatorEmission []uint64
	Emission          []uint64
}
