package synapsetool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/taonet/taonet/synapse"
)

// Reply computes the answer text for a request's input text.
type Reply func(ctx context.Context, input string) (string, error)

// Echo answers with the input.
func Echo(_ context.Context, input string) (string, error) { return input, nil }

// Fixed answers every request with text.
func Fixed(text string) Reply {
	return func(context.Context, string) (string, error) { return text, nil }
}

// Kind is a synapse the tools know by name.
type Kind struct {
	Name   string
	Stream bool
	// Example is a JSON body for --help and error messages.
	Example string

	serve func(a *synapse.Axon, r Reply, chunkWords int) error
	query func(ctx context.Context, d *synapse.Dendrite, t synapse.AxonInfo, body []byte, timeout time.Duration, out io.Writer) (*Result, error)
}

// StreamKind makes a streaming synapse T usable by the tools; input returns
// the text a Reply answers (e.g. the last user message). T's name is its
// synapse name.
func StreamKind[T any](example string, input func(*T) string) (Kind, error) {
	name, err := synapse.Name[T]()
	if err != nil {
		return Kind{}, err
	}
	k := Kind{Name: name, Stream: true, Example: example}
	k.serve = func(a *synapse.Axon, r Reply, chunkWords int) error {
		return synapse.RegisterStream(a, func(ctx context.Context, _ *synapse.Request, s *T, w *synapse.StreamWriter) error {
			text, err := r(ctx, input(s))
			if err != nil {
				return err
			}
			for _, c := range Chunks(text, chunkWords) {
				if _, err := w.Write([]byte(c)); err != nil {
					return err
				}
			}
			return nil
		}, synapse.Options{})
	}
	k.query = func(ctx context.Context, d *synapse.Dendrite, t synapse.AxonInfo, body []byte, timeout time.Duration, out io.Writer) (*Result, error) {
		s, err := decode[T](name, body, example)
		if err != nil {
			return nil, err
		}
		// The tool shows the exchange, headers included, whatever d's config.
		st := synapse.OpenStream(synapse.WithResponseHeaders(ctx), d, t, s, timeout)
		defer st.Close()
		code, h := st.Header()
		if h != nil {
			writeHead(out, code, h)
		}
		n := 0
		for c := range st.Chunks() {
			n++
			fmt.Fprintf(out, "< chunk %d (%d bytes): %s\n", n, len(c), strings.TrimRight(string(c), "\n"))
		}
		res := st.Result()
		return finish(out, res.StatusCode, res.StatusMessage, res.Header.HTTP(), h != nil, res.Latency, res.Synapse, n, res.Err)
	}
	return k, nil
}

func decode[T any](name string, body []byte, example string) (*T, error) {
	var s T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("synapsetool: %s body: %v (example: %s)", name, err, example)
	}
	if dec.More() {
		return nil, fmt.Errorf("synapsetool: %s body: trailing data after the JSON object", name)
	}
	return &s, nil
}

// Result is one query's outcome.
type Result struct {
	Status  int
	Message string
	Header  http.Header
	Latency time.Duration
	// Body is the final synapse as JSON (the request merged with the
	// response; for a stream, the accumulated completion).
	Body   []byte
	Chunks int
	Err    error
}

func finish(out io.Writer, code int, msg string, h http.Header, headPrinted bool, lat time.Duration, s any, chunks int, cerr error) (*Result, error) {
	r := &Result{Status: code, Message: msg, Header: h, Latency: lat, Chunks: chunks, Err: cerr}
	if !headPrinted && h != nil {
		writeHead(out, code, h)
	}
	if h == nil {
		fmt.Fprintf(out, "no HTTP response: status %d %s\n", code, msg)
	}
	fmt.Fprintf(out, "status %d %s (latency %s, %d chunks)\n", code, msg, lat.Round(time.Millisecond), chunks)
	if cerr != nil {
		fmt.Fprintf(out, "error: %v\n", cerr)
	}
	body, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return r, err
	}
	r.Body = body
	fmt.Fprintf(out, "%s\n", body)
	return r, nil
}

// writeHead prints the HTTP status line and the headers, sorted.
func writeHead(out io.Writer, code int, h http.Header) {
	fmt.Fprintf(out, "HTTP %d %s\n", code, http.StatusText(code))
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			fmt.Fprintf(out, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintln(out)
}

// Serve registers k on a with reply r (streamed in chunks of chunkWords
// words; 0: one chunk).
func (k Kind) Serve(a *synapse.Axon, r Reply, chunkWords int) error {
	if k.serve == nil {
		return errors.New("synapsetool: zero Kind")
	}
	return k.serve(a, r, chunkWords)
}

// Query sends body (the synapse's fields as JSON) to target signed by d,
// writing the exchange to out as it happens. The error is for bad input;
// the call's own failure is in Result (Status, Err).
func (k Kind) Query(ctx context.Context, d *synapse.Dendrite, target synapse.AxonInfo, body []byte, timeout time.Duration, out io.Writer) (*Result, error) {
	if k.query == nil {
		return nil, errors.New("synapsetool: zero Kind")
	}
	return k.query(ctx, d, target, body, timeout, out)
}

// Chunks splits text into pieces of n words (keeping the spacing, so the
// pieces concatenate back to text); n ≤ 0 gives one piece.
func Chunks(text string, n int) []string {
	if n <= 0 || text == "" {
		return []string{text}
	}
	var out []string
	words, start := 0, 0
	inWord := false
	for i, r := range text {
		space := r == ' ' || r == '\n' || r == '\t'
		if !space && !inWord {
			if words == n {
				out = append(out, text[start:i])
				start, words = i, 0
			}
			words++
		}
		inWord = !space
	}
	return append(out, text[start:])
}
