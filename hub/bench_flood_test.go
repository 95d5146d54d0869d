package hub

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkSignedWritesAfterFlood sends 20,000 signed requests from a
// hotkey that may not write (reported as flood-req/s), then measures a
// registered hotkey's signed preuploads (no disk writes: signature, replay
// and permission checks), in-process through ServeHTTP. Replay memory holds
// only permitted requests, so the refused flood leaves nothing behind that
// later requests would scan.
func BenchmarkSignedWritesAfterFlood(b *testing.B) {
	st, _ := OpenStore(b.TempDir(), Limits{})
	alice, bob := mustKey(b, "//Alice"), mustKey(b, "//Bob")
	srv := NewServer(st, ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AllowWriter: func(_ context.Context, hk string) error {
			if hk != alice.SS58Address() {
				return errors.New("not registered")
			}
			return nil
		}})
	body := []byte(`{"files":[{"path":"config.json","size":2,"sha256":"` + sha256Hex([]byte("{}")) + `"}]}`)
	send := func(k Signer, repo string) int {
		req := httptest.NewRequest(http.MethodPost, "/api/models/"+repo+"/preupload", bytes.NewReader(body))
		if err := SignRequest(req, k, sha256Hex(body), time.Now()); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w.Code
	}
	const flood = 20_000
	start := time.Now()
	for i := 0; i < flood; i++ {
		if code := send(bob, "bobns/m"); code != http.StatusForbidden {
			b.Fatalf("flood request: %d", code)
		}
	}
	floodRate := flood / time.Since(start).Seconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := send(alice, "alice/m"); code != http.StatusOK {
			b.Fatalf("write: %d", code)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(floodRate, "flood-req/s") // after ResetTimer, which clears metrics
}

// BenchmarkUploadHFLoopback measures an upload of a 64 MiB model through
// the Hub protocol with a token (preupload, LFS batch + PUT with server-side
// sha256 and fsync, NDJSON commit) into a fresh store each iteration.
func BenchmarkUploadHFLoopback(b *testing.B) {
	src := makeModel(b, 3, 64<<20)
	alice := mustKey(b, "//Alice")
	b.SetBytes(64<<20 + 200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := OpenStore(b.TempDir(), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		c := NewClient(newBenchHub(b, st), b.TempDir())
		tr, err := c.Login(context.Background(), alice, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		c.Token = tr.Token
		if err := c.SetPrivate(context.Background(), nil, "alice/m", true); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := c.Upload(context.Background(), nil, "alice/m", src); err != nil {
			b.Fatal(err)
		}
	}
}
