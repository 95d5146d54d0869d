package miner

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/netserve"
	"github.com/taonet/taonet/subnets/prompting/protocol"
	"github.com/taonet/taonet/synapse/epistula"
)

// ChatPath is where an Epistula miner answers: the OpenAI-compatible chat
// endpoint upstream's 2025 miners serve.
const ChatPath = "/v1/chat/completions"

// maxChatBody bounds an Epistula request body (the conversation).
const maxChatBody = protocol.MaxMessages*protocol.MaxMessageBytes + 64<<10

// EpistulaHandler is the miner's Epistula endpoint: POST ChatPath with an
// OpenAI chat request signed with Epistula v2 headers for this miner's
// hotkey. The caller passes the same blacklist as on the axon
// (unregistered hotkeys, optionally non-validators: 403); the conversation
// is the request's messages; the answer streams as OpenAI
// chat.completion.chunk server-sent events (or one chat.completion when
// "stream" is false).
func (m *Miner) EpistulaHandler() http.Handler {
	v := &epistula.Verifier{Hotkey: m.cfg.Hotkey.SS58Address()}
	mux := http.NewServeMux()
	mux.Handle("POST "+ChatPath, v.Middleware(http.HandlerFunc(m.chat), maxChatBody, func(by string) bool {
		refused, _ := m.refuse(by)
		return !refused
	}))
	return mux
}

// StartEpistula serves EpistulaHandler on addr in the background and
// returns the bound address; Shutdown stops it.
func (m *Miner) StartEpistula(addr string) (*net.TCPAddr, error) {
	srv, a, err := netserve.Start(addr, m.EpistulaHandler(), netserve.Config{})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.http = srv
	m.mu.Unlock()
	return a.(*net.TCPAddr), nil
}

func chatError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": msg, "type": "invalid_request_error"}})
}

func (m *Miner) chat(w http.ResponseWriter, r *http.Request) {
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		chatError(w, http.StatusBadRequest, "bad chat request: "+err.Error())
		return
	}
	s := &protocol.StreamPrompting{}
	for _, msg := range req.Messages {
		s.Roles = append(s.Roles, msg.Role)
		s.Messages = append(s.Messages, string(msg.Content))
	}
	if err := s.Validate(); err != nil {
		chatError(w, http.StatusBadRequest, err.Error())
		return
	}
	by, _ := epistula.SignedBy(r.Context())
	id := "chatcmpl-" + newID()
	sse := &sseWriter{w: w, rc: http.NewResponseController(w), id: id, model: req.Model, created: time.Now().Unix(), stream: req.Stream}
	c := &chunker{w: sse, words: m.cfg.ChunkWords, max: m.cfg.MaxAnswerBytes}
	err := m.cfg.Responder.Respond(r.Context(), s, c.emit)
	if ferr := c.flush(); err == nil {
		err = ferr
	}
	if err == nil && c.sent == 0 {
		err = errEmpty
	}
	if err != nil && !errors.Is(err, errAnswerTooLong) {
		m.log.Debug("answer failed", "validator", by, "err", err)
		if !sse.started {
			chatError(w, http.StatusInternalServerError, err.Error())
		}
		return
	}
	sse.finish()
	m.served.Add(1)
}

// sseWriter turns the chunker's writes into chat.completion.chunk events,
// or collects them for a non-streamed answer.
type sseWriter struct {
	w               http.ResponseWriter
	rc              *http.ResponseController
	id, model       string
	created         int64
	stream, started bool
	all             []byte
}

func (s *sseWriter) Write(p []byte) (int, error) {
	if !s.stream {
		s.all = append(s.all, p...)
		return len(p), nil
	}
	text := string(p)
	if err := s.event(openai.Delta{Content: &text}, nil); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *sseWriter) event(d openai.Delta, finish *string) error {
	if !s.started {
		s.started = true
		h := s.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		s.w.WriteHeader(http.StatusOK)
	}
	b, err := json.Marshal(openai.ChatCompletionChunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: []openai.ChunkChoice{{Index: 0, Delta: d, FinishReason: finish}}})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(s.w, "data: %s\n\n", b); err != nil {
		return err
	}
	return s.rc.Flush()
}

func (s *sseWriter) finish() {
	stop := "stop"
	if !s.stream {
		s.w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(s.w).Encode(openai.ChatCompletionResponse{ID: s.id, Object: "chat.completion", Created: s.created, Model: s.model,
			Choices: []openai.ChatChoice{{Message: openai.Message{Role: "assistant", Content: openai.Content(s.all)}, FinishReason: stop}}})
		return
	}
	if s.event(openai.Delta{}, &stop) == nil {
		fmt.Fprint(s.w, "data: [DONE]\n\n")
		s.rc.Flush()
	}
}
