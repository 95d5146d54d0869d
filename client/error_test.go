package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNotANodeError: a --node URL that reaches some other HTTP server (a
// proxy's empty 404, an HTML page) gets an error naming the URL and saying it
// is not a taonet API answer, not a bare "node error 404: ".
func TestNotANodeError(t *testing.T) {
	body := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	c, err := New([]string{srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ body, want string }{
		{"", "empty body"},
		{"<html>" + strings.Repeat("x", 300) + "</html>", "<html>" + strings.Repeat("x", 194) + "…"},
	} {
		body = tc.body
		_, err := c.Metagraph(context.Background(), 1)
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != 404 || ae.Codespace != "http" {
			t.Fatalf("err %v", err)
		}
		want := srv.URL + "/api/v1/subnets/1/metagraph answered HTTP 404 without a taonet API error (is it a taonet node?): " + tc.want
		if err.Error() != want {
			t.Errorf("got  %q\nwant %q", err.Error(), want)
		}
	}
}
