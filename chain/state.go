package chain

import "errors"

// errNotYet marks the first published contract commit; every body is replaced by the
// real implementation in the following commits.
var errNotYet = errors.New("chain: not implemented yet")

// State is the whole chain state. It is not safe for concurrent use; the node
// serializes access and runs CheckTx on a Clone.
type State struct {
	height uint64
}

// DefaultGenesis returns mainnet-like defaults (upstream new-subnet hyperparameters).
func DefaultGenesis() Genesis { return Genesis{ChainID: DefaultChainID, BlockEmission: 1e9} }

// NewState builds the genesis state.
func NewState(g Genesis) (*State, error) { return nil, errNotYet }

// Clone returns a deep copy.
func (s *State) Clone() *State { c := *s; return &c }

// Encode returns the canonical encoding of the whole state.
func (s *State) Encode() []byte { return nil }

// DecodeState parses what Encode produced.
func DecodeState(b []byte) (*State, error) { return nil, errNotYet }

// AppHash is the SHA-256 of Encode().
func (s *State) AppHash() []byte { return make([]byte, 32) }

// Height is the height of the last BeginBlock (0 at genesis).
func (s *State) Height() uint64 { return s.height }

// CheckTx validates raw and applies it to this state.
func (s *State) CheckTx(raw []byte) TxResult { return TxResult{Code: 1, Log: errNotYet.Error()} }

// DeliverTx validates raw and applies it to this state.
func (s *State) DeliverTx(raw []byte) TxResult { return TxResult{Code: 1, Log: errNotYet.Error()} }

// BeginBlock starts block b.
func (s *State) BeginBlock(b BlockInfo) { s.height = b.Height }

// EndBlock runs the block step: emission and due epochs.
func (s *State) EndBlock() []Event { return nil }

// Account describes addr.
func (s *State) Account(addr string) AccountInfo { return AccountInfo{Address: addr} }

// Subnets lists every subnet by netuid.
func (s *State) Subnets() []SubnetInfo { return nil }

// Hyperparameters returns a subnet's hyperparameters.
func (s *State) Hyperparameters(netuid uint16) (Hyperparams, error) { return Hyperparams{}, errNotYet }

// Metagraph returns a subnet's metagraph.
func (s *State) Metagraph(netuid uint16) (*Metagraph, error) { return nil, errNotYet }

// Neuron returns one uid of a subnet.
func (s *State) Neuron(netuid, uid uint16) (*NeuronInfo, error) { return nil, errNotYet }

// Commitments lists a subnet's commitments by hotkey.
func (s *State) Commitments(netuid uint16) []Commitment { return nil }

// Issuance accounts for every rao.
func (s *State) Issuance() IssuanceInfo { return IssuanceInfo{} }
