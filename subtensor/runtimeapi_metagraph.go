package subtensor

import (
	"context"
	"math/big"
)

// CompactBytes is a Vec<Compact<u8>> (subnet names and symbols, commitments).
type CompactBytes []byte

// SubnetIdentityAPI is subtensor's SubnetIdentityV3 (raw bytes as stored).
type SubnetIdentityAPI struct {
	SubnetName    []byte `scale:"subnet_name" json:"subnet_name"`
	GithubRepo    []byte `scale:"github_repo" json:"github_repo"`
	SubnetContact []byte `scale:"subnet_contact" json:"subnet_contact"`
	SubnetURL     []byte `scale:"subnet_url" json:"subnet_url"`
	Discord       []byte `scale:"discord" json:"discord"`
	Description   []byte `scale:"description" json:"description"`
	LogoURL       []byte `scale:"logo_url" json:"logo_url"`
	Additional    []byte `scale:"additional" json:"additional"`
}

// ChainIdentityAPI is subtensor's ChainIdentityV2 of a coldkey.
type ChainIdentityAPI struct {
	Name        []byte `scale:"name" json:"name"`
	URL         []byte `scale:"url" json:"url"`
	GithubRepo  []byte `scale:"github_repo" json:"github_repo"`
	Image       []byte `scale:"image" json:"image"`
	Discord     []byte `scale:"discord" json:"discord"`
	Description []byte `scale:"description" json:"description"`
	Additional  []byte `scale:"additional" json:"additional"`
}

// HotkeyAmount is one (hotkey, amount) entry of the dividend lists.
type HotkeyAmount struct {
	Hotkey string `scale:"0" json:"hotkey"`
	Amount uint64 `scale:"1" json:"amount"`
}

// HotkeyCommitment is one (hotkey, data) entry of a metagraph's commitments.
type HotkeyCommitment struct {
	Hotkey string       `scale:"0" json:"hotkey"`
	Data   CompactBytes `scale:"1" json:"data"`
}

// MetagraphInfo is SubnetInfoRuntimeApi's Metagraph (get_metagraph) or
// SelectiveMetagraph (get_selective_mechagraph: fields not selected stay
// zero). Amounts are in rao; MovingPrice is I96F32 bits.
type MetagraphInfo struct {
	Netuid                     uint16              `scale:"netuid" json:"netuid"`
	Name                       CompactBytes        `scale:"name" json:"name"`
	Symbol                     CompactBytes        `scale:"symbol" json:"symbol"`
	Identity                   *SubnetIdentityAPI  `scale:"identity" json:"identity"`
	NetworkRegisteredAt        uint64              `scale:"network_registered_at" json:"network_registered_at"`
	OwnerHotkey                string              `scale:"owner_hotkey" json:"owner_hotkey"`
	OwnerColdkey               string              `scale:"owner_coldkey" json:"owner_coldkey"`
	Block                      uint64              `scale:"block" json:"block"`
	Tempo                      uint16              `scale:"tempo" json:"tempo"`
	LastStep                   uint64              `scale:"last_step" json:"last_step"`
	BlocksSinceLastStep        uint64              `scale:"blocks_since_last_step" json:"blocks_since_last_step"`
	SubnetEmission             uint64              `scale:"subnet_emission" json:"subnet_emission"`
	AlphaIn                    uint64              `scale:"alpha_in" json:"alpha_in"`
	AlphaOut                   uint64              `scale:"alpha_out" json:"alpha_out"`
	TaoIn                      uint64              `scale:"tao_in" json:"tao_in"`
	AlphaOutEmission           uint64              `scale:"alpha_out_emission" json:"alpha_out_emission"`
	AlphaInEmission            uint64              `scale:"alpha_in_emission" json:"alpha_in_emission"`
	TaoInEmission              uint64              `scale:"tao_in_emission" json:"tao_in_emission"`
	PendingAlphaEmission       uint64              `scale:"pending_alpha_emission" json:"pending_alpha_emission"`
	PendingRootEmission        uint64              `scale:"pending_root_emission" json:"pending_root_emission"`
	SubnetVolume               *big.Int            `scale:"subnet_volume" json:"subnet_volume"`
	MovingPrice                *FixedBits          `scale:"moving_price" json:"moving_price"`
	Rho                        uint16              `scale:"rho" json:"rho"`
	Kappa                      uint16              `scale:"kappa" json:"kappa"`
	MinAllowedWeights          uint16              `scale:"min_allowed_weights" json:"min_allowed_weights"`
	MaxWeightsLimit            uint16              `scale:"max_weights_limit" json:"max_weights_limit"`
	WeightsVersion             uint64              `scale:"weights_version" json:"weights_version"`
	WeightsRateLimit           uint64              `scale:"weights_rate_limit" json:"weights_rate_limit"`
	ActivityCutoff             uint16              `scale:"activity_cutoff" json:"activity_cutoff"`
	MaxValidators              uint16              `scale:"max_validators" json:"max_validators"`
	NumUIDs                    uint16              `scale:"num_uids" json:"num_uids"`
	MaxUIDs                    uint16              `scale:"max_uids" json:"max_uids"`
	Burn                       uint64              `scale:"burn" json:"burn"`
	Difficulty                 uint64              `scale:"difficulty" json:"difficulty"`
	RegistrationAllowed        bool                `scale:"registration_allowed" json:"registration_allowed"`
	PowRegistrationAllowed     bool                `scale:"pow_registration_allowed" json:"pow_registration_allowed"`
	ImmunityPeriod             uint16              `scale:"immunity_period" json:"immunity_period"`
	MinDifficulty              uint64              `scale:"min_difficulty" json:"min_difficulty"`
	MaxDifficulty              uint64              `scale:"max_difficulty" json:"max_difficulty"`
	MinBurn                    uint64              `scale:"min_burn" json:"min_burn"`
	MaxBurn                    uint64              `scale:"max_burn" json:"max_burn"`
	AdjustmentAlpha            uint64              `scale:"adjustment_alpha" json:"adjustment_alpha"`
	AdjustmentInterval         uint16              `scale:"adjustment_interval" json:"adjustment_interval"`
	TargetRegsPerInterval      uint16              `scale:"target_regs_per_interval" json:"target_regs_per_interval"`
	MaxRegsPerBlock            uint16              `scale:"max_regs_per_block" json:"max_regs_per_block"`
	ServingRateLimit           uint64              `scale:"serving_rate_limit" json:"serving_rate_limit"`
	CommitRevealWeightsEnabled bool                `scale:"commit_reveal_weights_enabled" json:"commit_reveal_weights_enabled"`
	CommitRevealPeriod         uint64              `scale:"commit_reveal_period" json:"commit_reveal_period"`
	LiquidAlphaEnabled         bool                `scale:"liquid_alpha_enabled" json:"liquid_alpha_enabled"`
	AlphaHigh                  uint16              `scale:"alpha_high" json:"alpha_high"`
	AlphaLow                   uint16              `scale:"alpha_low" json:"alpha_low"`
	BondsMovingAvg             uint64              `scale:"bonds_moving_avg" json:"bonds_moving_avg"`
	Hotkeys                    []string            `scale:"hotkeys" json:"hotkeys"`
	Coldkeys                   []string            `scale:"coldkeys" json:"coldkeys"`
	Identities                 []*ChainIdentityAPI `scale:"identities" json:"identities"`
	Axons                      []AxonInfoAPI       `scale:"axons" json:"axons"`
	Active                     []bool              `scale:"active" json:"active"`
	ValidatorPermit            []bool              `scale:"validator_permit" json:"validator_permit"`
	PruningScore               []uint16            `scale:"pruning_score" json:"pruning_score"`
	LastUpdate                 []uint64            `scale:"last_update" json:"last_update"`
	Emission                   []uint64            `scale:"emission" json:"emission"`
	Dividends                  []uint16            `scale:"dividends" json:"dividends"`
	Incentives                 []uint16            `scale:"incentives" json:"incentives"`
	Consensus                  []uint16            `scale:"consensus" json:"consensus"`
	Trust                      []uint16            `scale:"trust" json:"trust"`
	Rank                       []uint16            `scale:"rank" json:"rank"`
	BlockAtRegistration        []uint64            `scale:"block_at_registration" json:"block_at_registration"`
	AlphaStake                 []uint64            `scale:"alpha_stake" json:"alpha_stake"`
	TaoStake                   []uint64            `scale:"tao_stake" json:"tao_stake"`
	TotalStake                 []uint64            `scale:"total_stake" json:"total_stake"`
	TaoDividendsPerHotkey      []HotkeyAmount      `scale:"tao_dividends_per_hotkey" json:"tao_dividends_per_hotkey"`
	AlphaDividendsPerHotkey    []HotkeyAmount      `scale:"alpha_dividends_per_hotkey" json:"alpha_dividends_per_hotkey"`
	Validators                 []uint16            `scale:"validators" json:"validators"`
	Commitments                []HotkeyCommitment  `scale:"commitments" json:"commitments"`
}

// MetagraphAPI calls SubnetInfoRuntimeApi_get_metagraph(netuid); nil when
// the subnet does not exist. Only runtimes whose metadata declares it have
// it in a form this client knows (ErrAPIUnavailable elsewhere).
func (c *Client) MetagraphAPI(ctx context.Context, at Head, netuid uint16) (*MetagraphInfo, error) {
	var out *MetagraphInfo
	err := c.typedCall(ctx, at, "SubnetInfoRuntimeApi", "get_metagraph", &out, uint64(netuid))
	return out, err
}

// SelectiveMechagraph calls SubnetInfoRuntimeApi_get_selective_mechagraph
// (netuid, mechanism, field indexes): the selected fields of mechanism
// mechid's metagraph (indexes number the Metagraph fields in declaration
// order, 0 = netuid). Declared-metadata runtimes only, as MetagraphAPI.
func (c *Client) SelectiveMechagraph(ctx context.Context, at Head, netuid uint16, mechid uint8, indexes []uint16) (*MetagraphInfo, error) {
	var out *MetagraphInfo
	err := c.typedCall(ctx, at, "SubnetInfoRuntimeApi", "get_selective_mechagraph", &out, uint64(netuid), uint64(mechid), indexes)
	return out, err
}
