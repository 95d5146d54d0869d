package organic

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/subnets/prompting/protocol"
)

// maxRequestBytes bounds a chat request body.
const maxRequestBytes = protocol.MaxMessages*protocol.MaxMessageBytes + 64<<10

// event is one step of one miner's stream.
type event struct {
	i    int
	text string
	done bool
	err  error
}

func (g *Gateway) chat(w http.ResponseWriter, r *http.Request) {
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes)).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "invalid_request", "bad chat request: "+err.Error())
		return
	}
	conv := &protocol.StreamPrompting{}
	for _, m := range req.Messages {
		conv.Roles = append(conv.Roles, m.Role)
		conv.Messages = append(conv.Messages, string(m.Content))
	}
	if err := conv.Validate(); err != nil {
		apiError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	mg, err := g.metagraph(r.Context())
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "unavailable", "metagraph: "+err.Error())
		return
	}
	miners := TopMiners(mg, g.cfg.Hotkey.SS58Address(), g.cfg.TopK)
	if len(miners) == 0 {
		apiError(w, http.StatusServiceUnavailable, "unavailable", "no serving miner on the subnet")
		return
	}
	out := newResponder(w, g.cfg.Model, req.Stream)
	winner, answer, errs := g.race(r.Context(), miners, conv, out.write)
	if winner < 0 {
		g.met.failures.Inc()
		apiError(w, http.StatusBadGateway, "no_answer", fmt.Sprintf("none of the top %d miners answered: %s", len(miners), strings.Join(errs, "; ")))
		return
	}
	out.finish(errs[winner] != "")
	m := miners[winner]
	g.met.wins.WithLabelValues(strconv.Itoa(m.UID)).Inc()
	g.log.Info("organic answer", "miner", m.UID, "hotkey", m.Hotkey, "bytes", len(answer))
	if g.cfg.Score != nil {
		go g.score(conv, answer)
	}
}

// race streams the conversation from every miner at once; the first to
// deliver text wins and the others are cancelled. write receives the
// winner's text as it arrives. errs[i] describes miner i's failure ("" if
// none).
func (g *Gateway) race(ctx context.Context, miners []Miner, conv *protocol.StreamPrompting, write func(string) error) (int, string, []string) {
	ctx, cancelAll := context.WithCancel(ctx)
	defer cancelAll()
	evs := make(chan event)
	cancels := make([]context.CancelFunc, len(miners))
	for i, m := range miners {
		mctx, cancel := context.WithCancel(ctx)
		cancels[i] = cancel
		go func() {
			err := g.streamFrom(mctx, m, conv, func(s string) error {
				select {
				case evs <- event{i: i, text: s}:
					return nil
				case <-mctx.Done():
					return mctx.Err()
				}
			})
			evs <- event{i: i, done: true, err: err}
		}()
	}
	winner, live := -1, len(miners)
	var answer strings.Builder
	errs := make([]string, len(miners))
	writeFailed := false
	for live > 0 {
		ev := <-evs
		if ev.done {
			live--
			if ev.err != nil && (winner < 0 || ev.i == winner) {
				errs[ev.i] = ev.err.Error()
			}
			if ev.i == winner {
				cancelAll()
			}
			continue
		}
		if winner < 0 && ev.text != "" {
			winner = ev.i
			for j, c := range cancels {
				if j != winner {
					c()
				}
			}
		}
		if ev.i != winner || writeFailed {
			continue
		}
		answer.WriteString(ev.text)
		if write(ev.text) != nil { // the client left
			writeFailed = true
			cancelAll()
		}
	}
	return winner, answer.String(), errs
}

func (g *Gateway) score(conv *protocol.StreamPrompting, answer string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := g.cfg.Score(ctx, conv, answer)
	if err != nil {
		g.log.Warn("organic scoring failed", "err", err)
		return
	}
	g.met.score.Observe(s)
}

// responder writes the winner's answer as OpenAI chunks or one response.
type responder struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	model   string
	id      string
	created int64
	stream  bool
	started bool
	all     strings.Builder
}

func newResponder(w http.ResponseWriter, model string, stream bool) *responder {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return &responder{w: w, rc: http.NewResponseController(w), model: model, id: "chatcmpl-" + hex.EncodeToString(b[:]),
		created: time.Now().Unix(), stream: stream}
}

func (o *responder) write(s string) error {
	if !o.stream {
		o.all.WriteString(s)
		return nil
	}
	if !o.started {
		o.started = true
		o.w.Header().Set("Content-Type", "text/event-stream")
		o.w.Header().Set("Cache-Control", "no-cache")
		o.w.WriteHeader(http.StatusOK)
		if err := o.event(openai.Delta{Role: "assistant"}, nil); err != nil {
			return err
		}
	}
	return o.event(openai.Delta{Content: &s}, nil)
}

func (o *responder) event(d openai.Delta, finish *string) error {
	b, err := json.Marshal(openai.ChatCompletionChunk{ID: o.id, Object: "chat.completion.chunk", Created: o.created, Model: o.model,
		Choices: []openai.ChunkChoice{{Delta: d, FinishReason: finish}}})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(o.w, "data: %s\n\n", b); err != nil {
		return err
	}
	return o.rc.Flush()
}

// finish ends the answer; cut reports a stream that broke off (finish
// reason "length").
func (o *responder) finish(cut bool) {
	reason := "stop"
	if cut {
		reason = "length"
	}
	if !o.stream {
		o.w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(o.w).Encode(openai.ChatCompletionResponse{ID: o.id, Object: "chat.completion", Created: o.created, Model: o.model,
			Choices: []openai.ChatChoice{{Message: openai.Message{Role: "assistant", Content: openai.Content(o.all.String())}, FinishReason: reason}}})
		return
	}
	if o.event(openai.Delta{}, &reason) == nil {
		fmt.Fprint(o.w, "data: [DONE]\n\n")
		o.rc.Flush()
	}
}
