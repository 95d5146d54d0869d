package node

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// CommitmentHistoryQuerier is implemented by machines that keep commitment
// history in their state (the taonet chain): the commitments in force at a
// past height are then answered from the current state, the same on every
// node however much state history it keeps.
type CommitmentHistoryQuerier interface {
	QueryCommitmentsAt(netuid uint16, height uint64) (any, error)
}

// queryHeight parses the optional ?height= of a state query (0: absent).
func queryHeight(r *http.Request) (uint64, error) {
	if !r.URL.Query().Has("height") {
		return 0, nil
	}
	s := r.URL.Query().Get("height")
	h, err := strconv.ParseUint(s, 10, 64)
	if err != nil || h == 0 {
		return 0, fmt.Errorf("%w: height %q is not a positive block number", ErrInvalid, s)
	}
	return h, nil
}

// machineFor picks the state a query reads: the last committed one, or the
// one committed at ?height=.
func (n *Node) machineFor(r *http.Request) (Machine, uint64, error) {
	h, err := queryHeight(r)
	if err != nil {
		return nil, 0, err
	}
	if h == 0 {
		m, last := n.app.CommittedAt()
		return m, last, nil
	}
	m, err := n.app.MachineAt(h)
	return m, h, err
}

// writeHeightErr maps a height error to its status: 400 malformed, 404 not
// committed yet, 410 pruned from the history.
func writeHeightErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrInvalid):
		writeErr(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrHeightFuture):
		writeErr(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrHeightPruned):
		writeErr(w, http.StatusGone, err.Error())
	default:
		writeErr(w, http.StatusInternalServerError, err.Error())
	}
}

// commitmentsQuery answers GET /subnets/{netuid}/commitments[?height=H]. At
// a past height a machine with commitment history answers from its current
// state; others read the state at H.
func (n *Node) commitmentsQuery() func(http.ResponseWriter, *http.Request) {
	atState := n.query(withNetuid(func(q Querier, id uint16, _ *http.Request) (any, error) {
		return q.QueryCommitments(id)
	}))
	return func(w http.ResponseWriter, r *http.Request) {
		h, err := queryHeight(r)
		if err != nil {
			writeHeightErr(w, err)
			return
		}
		head, last := n.app.CommittedAt()
		hq, ok := head.(CommitmentHistoryQuerier)
		if h == 0 || !ok {
			atState(w, r)
			return
		}
		if h > last {
			writeHeightErr(w, fmt.Errorf("%w: block %d (last committed %d)", ErrHeightFuture, h, last))
			return
		}
		id, err := parseU16(r.PathValue("netuid"), "netuid")
		if err != nil {
			writeErr(w, http.StatusBadRequest, err.Error())
			return
		}
		v, err := hq.QueryCommitmentsAt(id, h)
		switch {
		case errors.Is(err, ErrNotFound):
			writeErr(w, http.StatusNotFound, err.Error())
		case err != nil:
			writeHeightErr(w, err)
		default:
			w.Header().Set("X-Taonet-Height", strconv.FormatUint(h, 10))
			writeJSON(w, http.StatusOK, v)
		}
	}
}
