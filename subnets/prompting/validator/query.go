package validator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse"
	"github.com/taonet/taonet/synapse/epistula"
)

// Protocols a validator speaks to miners.
const (
	// ProtocolBittensor is the Axon/Dendrite StreamPromptingSynapse (v2.x).
	ProtocolBittensor = "bittensor"
	// ProtocolEpistula is upstream's 2025 scheme: an OpenAI chat request
	// signed with Epistula v2 headers, POSTed to the miner's
	// /v1/chat/completions, answered as server-sent chunks.
	ProtocolEpistula = "epistula"
)

// answer is one miner's reply, whatever the protocol.
type answer struct {
	Status     int
	Completion string // "" unless Status is 200
	Latency    time.Duration
}

// queryMiners sends the conversation to every target concurrently, calling
// onChunk (from many goroutines, distinct i) for each received piece.
func (v *Validator) queryMiners(ctx context.Context, targets []synapse.AxonInfo, s *protocol.StreamPrompting, onChunk func(i int, c []byte)) []answer {
	out := make([]answer, len(targets))
	if v.cfg.Protocol == ProtocolEpistula {
		var wg sync.WaitGroup
		for i, t := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = v.chatEpistula(ctx, t, s, func(c []byte) { onChunk(i, c) })
			}()
		}
		wg.Wait()
		return out
	}
	for i, r := range synapse.StreamMany(ctx, v.d, targets, s, v.cfg.Timeout, onChunk) {
		out[i] = answer{Status: r.StatusCode, Latency: r.Latency}
		if r.OK() && r.Synapse != nil {
			out[i].Completion = r.Synapse.Completion
		}
	}
	return out
}

type signedForKey struct{}

// newEpistulaClient is the shared HTTP client of Epistula queries: each
// request is signed for the hotkey its context carries.
func newEpistulaClient(signer synapse.Signer) *http.Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 4
	return &http.Client{Transport: &epistula.Transport{Base: base, Signer: signer, SignedFor: func(r *http.Request) string {
		hk, _ := r.Context().Value(signedForKey{}).(string)
		return hk
	}}}
}

var errAnswerTooLarge = errors.New("validator: answer over the size limit")

func (v *Validator) chatEpistula(ctx context.Context, t synapse.AxonInfo, s *protocol.StreamPrompting, onChunk func([]byte)) answer {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, signedForKey{}, t.Hotkey), v.cfg.Timeout)
	defer cancel()
	c := &openai.Client{BaseURL: "http://" + net.JoinHostPort(t.IP, strconv.Itoa(t.Port)) + "/v1", HTTP: v.ep}
	req := openai.ChatCompletionRequest{Model: "default"}
	for i, m := range s.Messages {
		req.Messages = append(req.Messages, openai.Message{Role: s.Roles[i], Content: openai.Content(m)})
	}
	var text []byte
	_, err := c.ChatCompletionStream(ctx, req, func(ch openai.ChatCompletionChunk) error {
		for _, cc := range ch.Choices {
			if cc.Index != 0 || cc.Delta.Content == nil || *cc.Delta.Content == "" {
				continue
			}
			if int64(len(text)+len(*cc.Delta.Content)) > v.cfg.MaxAnswerBytes {
				return errAnswerTooLarge
			}
			text = append(text, *cc.Delta.Content...)
			onChunk([]byte(*cc.Delta.Content))
		}
		return nil
	})
	a := answer{Latency: time.Since(start), Status: http.StatusOK, Completion: string(text)}
	if err != nil {
		a.Completion = ""
		a.Status = epistulaStatus(ctx, err)
		v.log.Debug("epistula query failed", "miner", t.Hotkey, "status", a.Status, "err", err)
	}
	return a
}

// epistulaStatus maps a failed chat call to upstream's dendrite codes:
// the miner's HTTP status, 408 on timeout, 422 for an unusable answer, 503
// when unreachable.
func epistulaStatus(ctx context.Context, err error) int {
	var api *openai.APIError
	var op *net.OpError
	switch {
	case errors.As(err, &api) && api.Status != 0:
		return api.Status
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return http.StatusRequestTimeout
	case errors.Is(err, errAnswerTooLarge):
		return http.StatusUnprocessableEntity
	case errors.As(err, &op):
		return http.StatusServiceUnavailable
	}
	return http.StatusUnprocessableEntity
}

func checkProtocol(p string) error {
	switch p {
	case ProtocolBittensor, ProtocolEpistula:
		return nil
	}
	return fmt.Errorf("validator: protocol %q: want %s or %s", p, ProtocolBittensor, ProtocolEpistula)
}
