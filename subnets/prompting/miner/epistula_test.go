package miner

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/lm/serve/openai"
	"github.com/taonet/taonet/synapse/epistula"
)

// The Epistula endpoint applies the axon's blacklist to the signed sender,
// refuses bad signatures and bad conversations, and answers streamed
// (OpenAI chunks, read by our OpenAI client) or whole.
func TestEpistulaChat(t *testing.T) {
	mk, _ := keys.FromURI("//Bob")
	vk, _ := keys.FromURI("//Alice")
	stranger, _ := keys.FromURI("//Eve")
	mg := &chain.Metagraph{Hotkeys: []string{vk.SS58Address(), mk.SS58Address()}, Stake: []uint64{10, 0}, ValidatorPermit: []bool{true, false}}
	m, err := New(Config{Hotkey: mk, Chain: fakeMG{mg}, Responder: Echo{}, ChunkWords: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	addr, err := m.StartEpistula("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown(context.Background())
	base := "http://127.0.0.1:" + strconv.Itoa(addr.Port) + "/v1"
	client := func(k *keys.Keypair, signedFor string) *openai.Client {
		return &openai.Client{BaseURL: base, HTTP: &http.Client{Transport: &epistula.Transport{Signer: k,
			SignedFor: func(*http.Request) string { return signedFor }}}, Timeout: 5 * time.Second}
	}
	req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.Message{{Role: "user", Content: "one two three four five"}}}
	var chunks []string
	resp, err := client(vk, mk.SS58Address()).ChatCompletionStream(context.Background(), req, func(c openai.ChatCompletionChunk) error {
		if d := c.Choices[0].Delta.Content; d != nil {
			chunks = append(chunks, *d)
		}
		return nil
	})
	if err != nil || string(resp.Choices[0].Message.Content) != "one two three four five" || len(chunks) != 3 || resp.Choices[0].FinishReason != "stop" {
		t.Fatalf("stream: %v %+v %q", err, resp, chunks)
	}
	whole, err := client(vk, mk.SS58Address()).ChatCompletion(context.Background(), req)
	if err != nil || string(whole.Choices[0].Message.Content) != "one two three four five" {
		t.Fatalf("whole: %v %+v", err, whole)
	}
	status := func(c *openai.Client, r openai.ChatCompletionRequest) int {
		_, err := c.ChatCompletion(context.Background(), r)
		if err == nil {
			return 200
		}
		if e, ok := err.(*openai.APIError); ok {
			return e.Status
		}
		t.Fatalf("not an API error: %v", err)
		return 0
	}
	c0 := client(vk, mk.SS58Address())
	c0.MaxRetries = 0
	if s := status(c0, openai.ChatCompletionRequest{Messages: []openai.Message{{Role: "assistant", Content: "x"}}}); s != 400 {
		t.Errorf("last message not the user's: %d", s)
	}
	cs := client(stranger, mk.SS58Address())
	cs.MaxRetries = 0
	if s := status(cs, req); s != 403 {
		t.Errorf("unregistered sender: %d", s)
	}
	cw := client(vk, vk.SS58Address())
	cw.MaxRetries = 0
	if s := status(cw, req); s != 401 {
		t.Errorf("signed for another hotkey: %d", s)
	}
	// Unsigned and malformed requests.
	r, err := http.Post(base+"/chat/completions", "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 400 || !strings.Contains(string(b), "Epistula version") {
		t.Errorf("unsigned: %d %s", r.StatusCode, b)
	}
	h, _ := epistula.Sign(vk, []byte("{not json"), mk.SS58Address(), time.Now())
	hr, _ := http.NewRequest("POST", base+"/chat/completions", strings.NewReader("{not json"))
	for k, v := range h {
		hr.Header[k] = v
	}
	r, err = http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	json.NewDecoder(r.Body).Decode(&e)
	r.Body.Close()
	if r.StatusCode != 400 || !strings.Contains(e.Error.Message, "bad chat request") {
		t.Errorf("malformed: %d %+v", r.StatusCode, e)
	}
}
