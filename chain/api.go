package chain

import (
	"time"
)

// BlockInfo is the block context the node hands to BeginBlock.
type BlockInfo struct {
	Height uint64
	Time   time.Time
	Hash   [32]byte
}

// Attr is one key/value attribute of an Event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is something that happened in a transaction or in the block step.
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attrs"`
}

// TxResult is the outcome of CheckTx or DeliverTx. Code 0 means success; any other
// code is one of the Code* constants and Log says precisely what was wrong.
type TxResult struct {
	Code   uint32  `json:"code"`
	Log    string  `json:"log"`
	Events []Event `json:"events,omitempty"`
	Fee    uint64  `json:"fee"`
}

// Signer signs transactions; *keys.Keypair satisfies it.
type Signer interface {
	SS58Address() string
	Sign(msg []byte) ([]byte, error)
}

// CallType identifies a call in the binary transaction encoding.
type CallType uint8

// Call types. The numeric values are part of the wire format: never renumber.
const (
	CallTransfer          CallType = 1
	CallCreateSubnet      CallType = 2
	CallSetHyperparameter CallType = 3
	CallBurnedRegister    CallType = 4
	CallAddStake          CallType = 5
	CallRemoveStake       CallType = 6
	CallSetWeights        CallType = 7
	CallCommitWeights     CallType = 8
	CallRevealWeights     CallType = 9
	CallSetCommitment     CallType = 10
	CallServeAxon         CallType = 11
	CallAddStakeLimit     CallType = 12
	CallRemoveStakeLimit  CallType = 13
	CallMoveStake         CallType = 14
	CallTransferStake     CallType = 15
	CallSwapStake         CallType = 16
	CallDecreaseTake      CallType = 17
	CallIncreaseTake      CallType = 18
)

// Call is one of the chain's calls (Transfer, CreateSubnet, ...). The interface is
// sealed: only this package's call structs implement it.
type Call interface {
	// Type is the call's wire identifier.
	Type() CallType
	// CallName is the call's snake_case name as upstream (e.g. "set_weights").
	CallName() string
	encodeBody(w *writer)
}

// Tx is a signed transaction: Signer (ss58) calls Call at Nonce on chain ChainID.
type Tx struct {
	ChainID   string
	Signer    string
	Nonce     uint64
	Call      Call
	Signature []byte
}

// Transfer moves Amount rao from the signer's (coldkey) balance to Dest.
type Transfer struct {
	Dest   string `json:"dest"`
	Amount uint64 `json:"amount"`
}

// CreateSubnet locks the current network lock cost from the signer (the owner
// coldkey) and creates a subnet at the lowest free netuid ≥ 1, owned by the signer,
// with Hotkey as owner hotkey (registered as the subnet's first uid).
type CreateSubnet struct {
	Hotkey string `json:"hotkey"`
}

// SetHyperparameter sets one owner-settable hyperparameter (by its JSON name in
// Hyperparams, e.g. "immunity_period") of a subnet the signer owns. Booleans are 0/1.
type SetHyperparameter struct {
	Netuid uint16 `json:"netuid"`
	Name   string `json:"name"`
	Value  uint64 `json:"value"`
}

// BurnedRegister registers Hotkey on Netuid, paying (burning) the subnet's current
// burn price from the signer (coldkey) balance.
type BurnedRegister struct {
	Netuid uint16 `json:"netuid"`
	Hotkey string `json:"hotkey"`
}

// AddStake moves Amount rao from the signer's (coldkey) balance to its stake on Hotkey.
type AddStake struct {
	Hotkey string `json:"hotkey"`
	Amount uint64 `json:"amount"`
}

// RemoveStake moves Amount rao of the signer's (coldkey) stake on Hotkey back to its balance.
type RemoveStake struct {
	Hotkey string `json:"hotkey"`
	Amount uint64 `json:"amount"`
}

// AddStakeLimit (dTAO) swaps Amount rao of the signer's (coldkey) TAO for alpha
// of Netuid and stakes it on Hotkey (upstream add_stake / add_stake_limit). Netuid 0
// is root: TAO is staked 1:1. LimitPrice is the highest price in rao per alpha the
// swap may reach (0: no limit); with AllowPartial the swap stops at the limit
// instead of failing with slippage_too_high.
type AddStakeLimit struct {
	Hotkey       string `json:"hotkey"`
	Netuid       uint16 `json:"netuid"`
	Amount       uint64 `json:"amount"`
	LimitPrice   uint64 `json:"limit_price"`
	AllowPartial bool   `json:"allow_partial"`
}

// RemoveStakeLimit (dTAO) unstakes Amount alpha of the signer's stake on Hotkey in
// Netuid, swapping it for TAO (upstream remove_stake / remove_stake_limit);
// LimitPrice is the lowest price in rao per alpha (0: no limit).
type RemoveStakeLimit struct {
	Hotkey       string `json:"hotkey"`
	Netuid       uint16 `json:"netuid"`
	Amount       uint64 `json:"amount"`
	LimitPrice   uint64 `json:"limit_price"`
	AllowPartial bool   `json:"allow_partial"`
}

// MoveStake (dTAO) moves Amount alpha of the signer's stake from OriginHotkey on
// OriginNetuid to DestHotkey on DestNetuid (upstream move_stake).
type MoveStake struct {
	OriginHotkey string `json:"origin_hotkey"`
	DestHotkey   string `json:"destination_hotkey"`
	OriginNetuid uint16 `json:"origin_netuid"`
	DestNetuid   uint16 `json:"destination_netuid"`
	Amount       uint64 `json:"alpha_amount"`
}

// TransferStake (dTAO) gives Amount alpha of the signer's stake on Hotkey to
// DestColdkey, optionally into another subnet (upstream transfer_stake).
type TransferStake struct {
	DestColdkey  string `json:"destination_coldkey"`
	Hotkey       string `json:"hotkey"`
	OriginNetuid uint16 `json:"origin_netuid"`
	DestNetuid   uint16 `json:"destination_netuid"`
	Amount       uint64 `json:"alpha_amount"`
}

// SwapStake (dTAO) moves Amount alpha of the signer's stake on Hotkey from one
// subnet to another (upstream swap_stake).
type SwapStake struct {
	Hotkey       string `json:"hotkey"`
	OriginNetuid uint16 `json:"origin_netuid"`
	DestNetuid   uint16 `json:"destination_netuid"`
	Amount       uint64 `json:"alpha_amount"`
}

// DecreaseTake (dTAO) lowers the delegate take of Hotkey, owned by the signer, to
// Take/65535 (upstream decrease_take: any time, down to the minimum 0).
type DecreaseTake struct {
	Hotkey string `json:"hotkey"`
	Take   uint16 `json:"take"`
}

// IncreaseTake (dTAO) raises the delegate take of Hotkey (upstream increase_take:
// at most 18%, once per 216 000 blocks).
type IncreaseTake struct {
	Hotkey string `json:"hotkey"`
	Take   uint16 `json:"take"`
}

// SetWeights sets the signer's (hotkey) weights on Netuid. Values are any u16 scale;
// the chain stores them max-upscaled (largest = 65535).
type SetWeights struct {
	Netuid     uint16   `json:"netuid"`
	UIDs       []uint16 `json:"uids"`
	Values     []uint16 `json:"values"`
	VersionKey uint64   `json:"version_key"`
}

// CommitWeights commits Hash = CommitHash(hotkey, netuid, uids, values, salt, version)
// for a later RevealWeights (commit-reveal v2).
type CommitWeights struct {
	Netuid uint16   `json:"netuid"`
	Hash   [32]byte `json:"hash"`
}

// RevealWeights reveals weights committed earlier by the signer (hotkey).
type RevealWeights struct {
	Netuid     uint16   `json:"netuid"`
	UIDs       []uint16 `json:"uids"`
	Values     []uint16 `json:"values"`
	Salt       []uint16 `json:"salt"`
	VersionKey uint64   `json:"version_key"`
}

// FieldKind is the type tag of a commitment field (upstream commitments pallet Data).
type FieldKind uint8

// Commitment field kinds.
const (
	FieldNone           FieldKind = 0 // no data
	FieldRaw            FieldKind = 1 // up to 128 raw bytes
	FieldBlakeTwo256    FieldKind = 2 // 32-byte hash
	FieldSha256         FieldKind = 3 // 32-byte hash
	FieldKeccak256      FieldKind = 4 // 32-byte hash
	FieldShaThree256    FieldKind = 5 // 32-byte hash
	FieldResetBondsFlag FieldKind = 6 // no data; resets validators' bonds on the committer
	FieldBigRaw         FieldKind = 7 // up to 512 raw bytes
)

// CommitmentField is one field of a commitment.
type CommitmentField struct {
	Kind FieldKind `json:"kind"`
	Data []byte    `json:"data"`
}

// SetCommitment stores the signer's (hotkey, registered on Netuid) commitment.
type SetCommitment struct {
	Netuid uint16            `json:"netuid"`
	Fields []CommitmentField `json:"fields"`
}

// ServeAxon publishes the signer's (hotkey) axon endpoint on Netuid. IP is the
// upstream u128 address as 16 big-endian bytes (an IPv4 address sits in the last 4);
// see AxonIP to build it from text.
type ServeAxon struct {
	Netuid       uint16   `json:"netuid"`
	Version      uint32   `json:"version"`
	IP           [16]byte `json:"ip"`
	Port         uint16   `json:"port"`
	IPType       uint8    `json:"ip_type"`
	Protocol     uint8    `json:"protocol"`
	Placeholder1 uint8    `json:"placeholder1"`
	Placeholder2 uint8    `json:"placeholder2"`
}

// Hyperparams are a subnet's hyperparameters (names as upstream SubnetHyperparams).
type Hyperparams struct {
	Rho                        uint16 `json:"rho"`
	Kappa                      uint16 `json:"kappa"`
	ImmunityPeriod             uint16 `json:"immunity_period"`
	MinAllowedWeights          uint16 `json:"min_allowed_weights"`
	MaxWeightsLimit            uint16 `json:"max_weights_limit"`
	Tempo                      uint16 `json:"tempo"`
	WeightsVersion             uint64 `json:"weights_version"`
	WeightsRateLimit           uint64 `json:"weights_rate_limit"`
	AdjustmentInterval         uint16 `json:"adjustment_interval"`
	ActivityCutoff             uint16 `json:"activity_cutoff"`
	RegistrationAllowed        bool   `json:"registration_allowed"`
	TargetRegsPerInterval      uint16 `json:"target_regs_per_interval"`
	MinBurn                    uint64 `json:"min_burn"`
	MaxBurn                    uint64 `json:"max_burn"`
	Burn                       uint64 `json:"burn"`
	BondsMovingAvg             uint64 `json:"bonds_moving_avg"`
	MaxRegsPerBlock            uint16 `json:"max_regs_per_block"`
	ServingRateLimit           uint64 `json:"serving_rate_limit"`
	MaxValidators              uint16 `json:"max_validators"`
	AdjustmentAlpha            uint64 `json:"adjustment_alpha"`
	CommitRevealPeriod         uint64 `json:"commit_reveal_period"`
	CommitRevealWeightsEnabled bool   `json:"commit_reveal_weights_enabled"`
	AlphaHigh                  uint16 `json:"alpha_high"`
	AlphaLow                   uint16 `json:"alpha_low"`
	LiquidAlphaEnabled         bool   `json:"liquid_alpha_enabled"`
	Yuma3Enabled               bool   `json:"yuma3_enabled"`
	BondsPenalty               uint16 `json:"bonds_penalty"`
	BondsResetEnabled          bool   `json:"bonds_reset_enabled"`
	AlphaSigmoidSteepness      int16  `json:"alpha_sigmoid_steepness"`
	MaxAllowedUids             uint16 `json:"max_allowed_uids"`
	StakeThreshold             uint64 `json:"stake_threshold"`
	CommitmentMaxSpace         uint32 `json:"commitment_max_space"`
}

// GenesisAccount is an initial balance.
type GenesisAccount struct {
	Address string `json:"address"`
	Balance uint64 `json:"balance"`
}

// GenesisSubnet is a subnet created at genesis (no lock is taken).
type GenesisSubnet struct {
	OwnerColdkey string `json:"owner_coldkey"`
	OwnerHotkey  string `json:"owner_hotkey"`
	// Hyperparams overrides Genesis.SubnetDefaults for this subnet when non-nil.
	Hyperparams *Hyperparams `json:"hyperparams,omitempty"`
}

// Genesis is the initial state and the chain-wide parameters.
type Genesis struct {
	ChainID  string           `json:"chain_id"`
	Accounts []GenesisAccount `json:"accounts"`
	// BlockEmission is the rao minted per block before halvings (default 1e9).
	BlockEmission uint64 `json:"block_emission"`
	// TxFee is the flat fee (rao) of a successful coldkey call; burned.
	TxFee uint64 `json:"tx_fee"`
	// SubnetOwnerCut is the owner's share of a subnet's emission, over 65535.
	SubnetOwnerCut uint16 `json:"subnet_owner_cut"`
	// DelegateTake is a hotkey owner's take of its validator dividends, over 65535.
	DelegateTake uint16 `json:"delegate_take"`
	// NetworkMinLockCost is the minimum subnet lock cost (rao).
	NetworkMinLockCost uint64 `json:"network_min_lock_cost"`
	// NetworkLockReductionInterval is the number of blocks over which the doubled
	// lock cost decays back (classic subtensor).
	NetworkLockReductionInterval uint64 `json:"network_lock_reduction_interval"`
	// MaxSubnets bounds the number of subnets.
	MaxSubnets uint16 `json:"max_subnets"`
	// AllowLocalAxonIPs lets axons serve on loopback addresses (upstream rejects
	// 127.0.0.1 and ::1; a localnet needs them).
	AllowLocalAxonIPs bool `json:"allow_local_axon_ips"`
	// SubnetDefaults are the hyperparameters of newly created subnets.
	SubnetDefaults Hyperparams `json:"subnet_defaults"`
	// Subnets are created at genesis, netuids 1, 2, ... in order.
	Subnets []GenesisSubnet `json:"subnets,omitempty"`
	// Economics is "dtao" (dynamic TAO: subnet pools and alpha stake) or "classic"
	// (pre-2025 rules); empty means classic so older genesis files keep their meaning.
	Economics string `json:"economics,omitempty"`
	// TaoWeight is the root stake's weight in dTAO stake weights, over u64::MAX
	// (0 means upstream's initial value, DefaultTaoWeight).
	TaoWeight uint64 `json:"tao_weight,omitempty"`
}

// StakeEntry is the stake one coldkey holds on one hotkey.
type StakeEntry struct {
	Hotkey  string `json:"hotkey"`
	Coldkey string `json:"coldkey"`
	// Amount is rao (classic, or dTAO root stake) or alpha units (dTAO subnets).
	Amount uint64 `json:"amount"`
	// Netuid is the subnet of a dTAO stake (0 = root; absent on classic chains).
	Netuid *uint16 `json:"netuid,omitempty"`
}

// AccountInfo describes an address: its balance and nonce, and its stake as a
// coldkey (Stakes) and as a hotkey (HotkeyStake, Owner).
type AccountInfo struct {
	Address     string       `json:"address"`
	Balance     uint64       `json:"balance"`
	Nonce       uint64       `json:"nonce"`
	Stakes      []StakeEntry `json:"stakes"`
	TotalStaked uint64       `json:"total_staked"`
	Owner       string       `json:"owner,omitempty"`
	HotkeyStake uint64       `json:"hotkey_stake"`
}

// SubnetInfo summarizes a subnet.
type SubnetInfo struct {
	Netuid          uint16 `json:"netuid"`
	OwnerColdkey    string `json:"owner_coldkey"`
	OwnerHotkey     string `json:"owner_hotkey"`
	N               uint16 `json:"n"`
	MaxN            uint16 `json:"max_n"`
	Tempo           uint16 `json:"tempo"`
	Burn            uint64 `json:"burn"`
	Locked          uint64 `json:"locked"`
	PendingEmission uint64 `json:"pending_emission"`
	RegisteredAt    uint64 `json:"registered_at"`
	LastEpochBlock  uint64 `json:"last_epoch_block"`
	NextEpochBlock  uint64 `json:"next_epoch_block"`
	// Pool is the subnet's dTAO pool (nil on classic chains).
	Pool *PoolInfo `json:"pool,omitempty"`
}

// PoolInfo is a subnet's dTAO pool, named as the Bittensor SDK's DynamicInfo.
// Prices are rao per alpha (floor of TAO per alpha × 1e9); amounts are rao or alpha units.
type PoolInfo struct {
	TaoIn                uint64 `json:"tao_in"`
	AlphaIn              uint64 `json:"alpha_in"`
	AlphaOut             uint64 `json:"alpha_out"`
	Price                uint64 `json:"price"`
	MovingPrice          uint64 `json:"moving_price"`
	QuoteWeight          uint64 `json:"quote_weight"` // TAO-side pool weight, parts per 1e18
	FeeRate              uint16 `json:"fee_rate"`     // over 65535
	TaoInEmission        uint64 `json:"tao_in_emission"`
	AlphaInEmission      uint64 `json:"alpha_in_emission"`
	AlphaOutEmission     uint64 `json:"alpha_out_emission"`
	ExcessTao            uint64 `json:"excess_tao"`
	PendingAlphaEmission uint64 `json:"pending_alpha_emission"` // miners + validators
	PendingRootEmission  uint64 `json:"pending_root_emission"`
	PendingOwnerCut      uint64 `json:"pending_owner_cut"`
	ProtocolAlpha        uint64 `json:"protocol_alpha"`
	AlphaBurned          uint64 `json:"alpha_burned"`
	RootProportion       uint64 `json:"root_proportion"` // parts per 1e9
}

// AxonInfo is a neuron's served endpoint, as upstream AxonInfo plus readable IP.
type AxonInfo struct {
	Block        uint64 `json:"block"`
	Version      uint32 `json:"version"`
	IP           string `json:"ip"`
	Port         uint16 `json:"port"`
	IPType       uint8  `json:"ip_type"`
	Protocol     uint8  `json:"protocol"`
	Placeholder1 uint8  `json:"placeholder1"`
	Placeholder2 uint8  `json:"placeholder2"`
	Hotkey       string `json:"hotkey"`
	Coldkey      string `json:"coldkey"`
}

// Serving reports whether the axon has an address to call: a port, and an IP
// that is neither empty nor unspecified (0.0.0.0, ::).
func (a AxonInfo) Serving() bool {
	return a.Port != 0 && a.IP != "" && a.IP != "0.0.0.0" && a.IP != "::"
}

// NeuronInfo is one uid of a subnet, as upstream NeuronInfo. u16 fields are
// proportions over 65535; Emission is rao per epoch; Weights/Bonds are (uid, u16) pairs.
type NeuronInfo struct {
	Hotkey              string      `json:"hotkey"`
	Coldkey             string      `json:"coldkey"`
	UID                 uint16      `json:"uid"`
	Netuid              uint16      `json:"netuid"`
	Active              bool        `json:"active"`
	Axon                AxonInfo    `json:"axon_info"`
	Stake               uint64      `json:"stake"`
	AlphaStake          uint64      `json:"alpha_stake"`
	TaoStake            uint64      `json:"tao_stake"`
	TotalStake          uint64      `json:"total_stake"`
	Emission            uint64      `json:"emission"`
	Incentive           uint16      `json:"incentive"`
	Consensus           uint16      `json:"consensus"`
	ValidatorTrust      uint16      `json:"validator_trust"`
	Dividends           uint16      `json:"dividends"`
	LastUpdate          uint64      `json:"last_update"`
	BlockAtRegistration uint64      `json:"block_at_registration"`
	ValidatorPermit     bool        `json:"validator_permit"`
	PruningScore        uint16      `json:"pruning_score"`
	Weights             [][2]uint16 `json:"weights"`
	Bonds               [][2]uint16 `json:"bonds"`
}

// Metagraph is a subnet's full state as vectors indexed by uid (Bittensor metagraph
// fields). Weights and Bonds are sparse rows of (uid, u16) pairs as stored.
type Metagraph struct {
	Netuid              uint16        `json:"netuid"`
	Block               uint64        `json:"block"`
	N                   uint16        `json:"n"`
	UIDs                []uint16      `json:"uids"`
	Hotkeys             []string      `json:"hotkeys"`
	Coldkeys            []string      `json:"coldkeys"`
	Stake               []uint64      `json:"stake"`
	AlphaStake          []uint64      `json:"alpha_stake"`
	TaoStake            []uint64      `json:"tao_stake"`
	TotalStake          []uint64      `json:"total_stake"`
	Consensus           []uint16      `json:"consensus"`
	Incentive           []uint16      `json:"incentive"`
	Dividends           []uint16      `json:"dividends"`
	Emission            []uint64      `json:"emission"`
	ValidatorTrust      []uint16      `json:"validator_trust"`
	ValidatorPermit     []bool        `json:"validator_permit"`
	Active              []bool        `json:"active"`
	LastUpdate          []uint64      `json:"last_update"`
	BlockAtRegistration []uint64      `json:"block_at_registration"`
	PruningScore        []uint16      `json:"pruning_score"`
	Axons               []AxonInfo    `json:"axons"`
	Weights             [][][2]uint16 `json:"weights"`
	Bonds               [][][2]uint16 `json:"bonds"`
	Hyperparams         Hyperparams   `json:"hyperparams"`
	OwnerHotkey         string        `json:"owner_hotkey"`
	OwnerColdkey        string        `json:"owner_coldkey"`
	// Pool is the subnet's dTAO pool (nil on classic chains).
	Pool *PoolInfo `json:"pool,omitempty"`
}

// Commitment is a hotkey's commitment on a subnet and the block it was set at. UID
// is -1 when the hotkey is no longer registered. Text is the concatenation of its Raw
// and BigRaw fields (the usual single-string commitment).
type Commitment struct {
	Netuid uint16            `json:"netuid"`
	Hotkey string            `json:"hotkey"`
	UID    int               `json:"uid"`
	Block  uint64            `json:"block"`
	Fields []CommitmentField `json:"fields"`
	Text   string            `json:"text"`
}

// IssuanceInfo accounts for every rao. Invariant (tested):
// TotalIssuance == Balances + Staked + Locked + PendingEmission + Burned, where
// Burned == RegistrationBurned + FeesBurned + EmissionRecycled.
type IssuanceInfo struct {
	TotalIssuance      uint64 `json:"total_issuance"`
	Balances           uint64 `json:"balances"`
	Staked             uint64 `json:"staked"`
	Locked             uint64 `json:"locked"`
	PendingEmission    uint64 `json:"pending_emission"`
	Burned             uint64 `json:"burned"`
	RegistrationBurned uint64 `json:"registration_burned"`
	FeesBurned         uint64 `json:"fees_burned"`
	EmissionRecycled   uint64 `json:"emission_recycled"`
}
