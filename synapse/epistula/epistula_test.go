package epistula

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/synapse"
)

func kp(t testing.TB, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Golden values: Python f"{sha256(body).hexdigest()}.{uuid}.{timestamp}.{signed_for}" and
// f"{ceil(ts/1e4)*1e4 + k}.{signed_for}".
func TestMessagesGolden(t *testing.T) {
	m := Message([]byte(`{"a":1}`), "u-1", 1732240012345, "5F")
	want := "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862.u-1.1732240012345.5F"
	if string(m) != want {
		t.Fatalf("message %s", m)
	}
	s := SecretMessages(1732240012345, "5F")
	for i, w := range []string{"1732240019999.0.5F", "1732240020000.0.5F", "1732240020001.0.5F"} {
		if string(s[i]) != w {
			t.Fatalf("secret %d: %s, want %s", i, s[i], w)
		}
	}
	if string(Message(nil, "u", 1, "")) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.u.1." {
		t.Fatal("empty body message")
	}
}

func server(t *testing.T, v *Verifier, allow func(string) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		by, _ := SignedBy(r.Context())
		body, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, by+"|"+string(body))
	}), 1024, allow))
	t.Cleanup(srv.Close)
	return srv
}

func TestTransportAndMiddleware(t *testing.T) {
	alice, bob := kp(t, "//Alice"), kp(t, "//Bob")
	v := &Verifier{Hotkey: bob.SS58Address()}
	srv := server(t, v, func(by string) bool { return by == alice.SS58Address() })
	client := &http.Client{Transport: &Transport{Signer: alice, SignedFor: func(*http.Request) string { return bob.SS58Address() }}}
	resp, err := client.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(`{"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != alice.SS58Address()+`|{"messages":[]}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// A registered-but-refused sender gets 403.
	charlie := &http.Client{Transport: &Transport{Signer: kp(t, "//Charlie"), SignedFor: func(*http.Request) string { return bob.SS58Address() }}}
	resp, err = charlie.Post(srv.URL, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("refused sender: %d", resp.StatusCode)
	}
}

func TestRefusals(t *testing.T) {
	alice, bob := kp(t, "//Alice"), kp(t, "//Bob")
	now := time.Now()
	body := []byte(`{"q":"hi"}`)
	fresh := func() http.Header {
		h, err := Sign(alice, body, bob.SS58Address(), now)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	v := &Verifier{Hotkey: bob.SS58Address(), Now: func() time.Time { return now }}
	h := fresh()
	if by, err := v.Check(h, body); err != nil || by != alice.SS58Address() {
		t.Fatalf("good request: %v", err)
	}
	for name, c := range map[string]struct {
		h    http.Header
		body []byte
		want string
	}{
		"replay":      {h, body, "Replayed request"},
		"tampered":    {fresh(), []byte(`{"q":"ho"}`), "Signature Mismatch"},
		"wrong key":   {func() http.Header { h := fresh(); h.Set(HeaderSignedBy, kp(t, "//Dave").SS58Address()); return h }(), body, "Signature Mismatch"},
		"not for me":  {func() http.Header { h, _ := Sign(alice, body, alice.SS58Address(), now); return h }(), body, "not signed for this hotkey"},
		"stale":       {func() http.Header { h, _ := Sign(alice, body, bob.SS58Address(), now.Add(-9*time.Second)); return h }(), body, "too stale"},
		"future":      {func() http.Header { h, _ := Sign(alice, body, bob.SS58Address(), now.Add(time.Minute)); return h }(), body, "future"},
		"bad version": {func() http.Header { h := fresh(); h.Set(HeaderVersion, "1"); return h }(), body, "Unsupported"},
		"bad ts":      {func() http.Header { h := fresh(); h.Set(HeaderTimestamp, "x"); return h }(), body, "Invalid Timestamp"},
	} {
		_, err := v.Check(c.h, c.body)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	// The secret signatures verify over the interval messages.
	for i, m := range SecretMessages(now.UnixMilli(), bob.SS58Address()) {
		sig, err := synapse.DecodeSignature(h.Get(headerSecretPrefix + string(rune('0'+i))))
		if err != nil || !keys.VerifySS58(alice.SS58Address(), m, sig) {
			t.Fatalf("secret signature %d does not verify", i)
		}
	}
}

func TestMiddlewareLimits(t *testing.T) {
	bob := kp(t, "//Bob")
	srv := server(t, &Verifier{Hotkey: bob.SS58Address()}, nil)
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(make([]byte, 2048)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("oversize: %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("unsigned: %d", resp.StatusCode)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("2", "1732240012345", "u", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "0x00", []byte("{}"))
	f.Add("2", "-1", "", "", "", "", []byte(nil))
	v := &Verifier{Hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"}
	f.Fuzz(func(t *testing.T, ver, ts, id, by, forKey, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderVersion, ver)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderUUID, id)
		h.Set(HeaderSignedBy, by)
		h.Set(HeaderSignedFor, forKey)
		h.Set(HeaderRequestSignature, sig)
		if _, err := v.Check(h, body); err == nil {
			t.Fatal("forged request accepted")
		}
	})
}
