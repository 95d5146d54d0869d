package serve

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taonet/taonet/lm/serve/openai"
)

func TestClientRetries(t *testing.T) {
	var calls atomic.Int32
	real := New(newTestEngine(), Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":{"message":"busy","type":"server_error"}}`, http.StatusServiceUnavailable)
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := openai.NewClient(srv.URL + "/v1")
	c.Backoff = time.Millisecond
	if _, err := c.Models(context.Background()); err != nil || calls.Load() != 3 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	// Out of retries: the last API error is returned.
	calls.Store(0)
	c.MaxRetries = 1
	var apiErr *openai.APIError
	if _, err := c.Models(context.Background()); !errors.As(err, &apiErr) || apiErr.Status != 503 || apiErr.Message != "busy" || calls.Load() != 2 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
}

func TestClientNoRetryOn4xx(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("plain text error"))
	}))
	defer srv.Close()
	c := openai.NewClient(srv.URL + "/v1")
	var apiErr *openai.APIError
	if _, err := c.Models(context.Background()); !errors.As(err, &apiErr) || apiErr.Message != "plain text error" || calls.Load() != 1 {
		t.Fatalf("%v after %d calls", err, calls.Load())
	}
}

func TestClientTimeout(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select { // never answers
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	c := openai.NewClient(srv.URL + "/v1")
	c.Timeout, c.MaxRetries = 20*time.Millisecond, 1
	_, err := c.ChatCompletion(context.Background(), openai.ChatCompletionRequest{Messages: msgs("x")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestClientStreamWithoutDone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte(": keep-alive\n\ndata: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n"))
	}))
	defer srv.Close()
	c := openai.NewClient(srv.URL + "/v1")
	resp, err := c.ChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Messages: msgs("x")}, nil)
	if err == nil || !strings.Contains(err.Error(), "[DONE]") || resp.Choices[0].Message.Content != "hi" {
		t.Fatalf("%+v %v", resp, err)
	}
}
