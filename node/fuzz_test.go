package node

import (
	"bytes"
	"net/http/httptest"
	"testing"
)

// FuzzReadTx feeds arbitrary submit requests to the body parser: it must
// return a transaction or a precise 4xx error, never panic.
func FuzzReadTx(f *testing.F) {
	f.Add([]byte("raw tx bytes"), "application/octet-stream", "")
	f.Add([]byte(`{"tx":"AAEC","wait":true,"wait_timeout":"3s"}`), "application/json", "")
	f.Add([]byte(`{"tx":"!!"}`), "application/json", "wait=1")
	f.Add([]byte{}, "", "wait_timeout=-1s")
	f.Fuzz(func(t *testing.T, body []byte, ctype, query string) {
		r := httptest.NewRequest("POST", "/api/v1/tx", bytes.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", ctype)
		tx, _, timeout, status, err := readTx(httptest.NewRecorder(), r)
		if err != nil {
			if status < 400 || status >= 500 {
				t.Fatalf("error %v with status %d", err, status)
			}
			return
		}
		if len(tx) == 0 || len(tx) > MaxTxBytes || timeout <= 0 || timeout > MaxWaitTimeout {
			t.Fatalf("accepted tx of %d bytes, timeout %v", len(tx), timeout)
		}
	})
}
