package hub

import (
	"context"
	"net/http"
	"testing"
)

func TestListenAndServeShutsDown(t *testing.T) {
	st, err := OpenStore(t.TempDir(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(st, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a string) { addrc <- a }) }()
	addr := <-addrc
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
