package feed

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taonet/taonet/chain"
	"github.com/taonet/taonet/keys"
)

func kp(t testing.TB, uri string) *keys.Keypair {
	t.Helper()
	k, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rec(t testing.TB, k *keys.Keypair, block uint64, q string) Record {
	t.Helper()
	r := Record{Netuid: 1, Block: block, TimeMs: 1700000000000, Task: "math", Challenge: q, Reference: "42",
		Completion: "The answer is 42.", Reward: 1}
	if err := r.Sign(k); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSignVerifyTamper(t *testing.T) {
	alice := kp(t, "//Alice")
	r := rec(t, alice, 10, "What is 6*7?")
	if err := r.Verify(); err != nil {
		t.Fatal(err)
	}
	id := r.ID()
	r.Seq = 99 // not signed: transport only
	if r.Verify() != nil || r.ID() != id {
		t.Fatal("seq must not affect signature or id")
	}
	tampers := []func(*Record){
		func(r *Record) { r.Reference = "41" },
		func(r *Record) { r.Completion += " " },
		func(r *Record) { r.Block++ },
		func(r *Record) { r.Netuid = 2 },
		func(r *Record) { r.Reward = 0.5 },
		func(r *Record) { r.Task = "qa" },
		func(r *Record) { r.Validator = kp(t, "//Bob").SS58Address() },
		func(r *Record) { r.Signature = "0x00" },
		func(r *Record) { r.Challenge = "" },
		func(r *Record) { r.Completion = "\xff" },
	}
	for i, f := range tampers {
		c := r
		f(&c)
		if c.Verify() == nil {
			t.Errorf("tamper %d accepted", i)
		}
	}
	// Canonical encoding is length-prefixed: moving text between fields changes it.
	a := Record{Task: "ab", Challenge: "c", Validator: "v"}
	b := Record{Task: "a", Challenge: "bc", Validator: "v"}
	if string(a.Canonical()) == string(b.Canonical()) {
		t.Fatal("ambiguous canonical encoding")
	}
}

func TestStorePersistPagePrune(t *testing.T) {
	dir := t.TempDir()
	alice := kp(t, "//Alice")
	s, err := OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 5; i++ {
		seq, err := s.Append(rec(t, alice, 100+i, strings.Repeat("q", int(i))))
		if err != nil || seq != i {
			t.Fatalf("append %d: %d %v", i, seq, err)
		}
	}
	bad := rec(t, alice, 200, "x")
	bad.Reference = "forged"
	if _, err := s.Append(bad); err == nil {
		t.Fatal("store accepted a bad signature")
	}
	page, next := s.Page(2, 2)
	if len(page) != 2 || page[0].Seq != 3 || next != 4 {
		t.Fatalf("page %+v next %d", page, next)
	}
	s.Close()
	// A torn last line (crash mid-write) is skipped on reopen.
	f, _ := os.OpenFile(filepath.Join(dir, FileName), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":6,"netu`)
	f.Close()
	s, err = OpenStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 5 {
		t.Fatalf("reopened with %d records", s.Len())
	}
	s.Retention = 10
	if seq, err := s.Append(rec(t, alice, 113, "late")); err != nil || seq != 6 {
		t.Fatalf("seq after reopen %d %v", seq, err)
	}
	// head 113, retention 10: blocks 101, 102 are dropped.
	page, _ = s.Page(0, 100)
	if len(page) != 4 || page[0].Block != 103 {
		t.Fatalf("after prune: %d records, first block %d", len(page), page[0].Block)
	}
	s.Close()
}

type fakeChain struct {
	mg *chain.Metagraph
	cs []chain.Commitment
}

func (f *fakeChain) Metagraph(context.Context, uint16) (*chain.Metagraph, error) { return f.mg, nil }
func (f *fakeChain) Commitments(context.Context, uint16) ([]chain.Commitment, error) {
	return f.cs, nil
}

func TestClientVerifiesAndMerges(t *testing.T) {
	alice, bob, eve := kp(t, "//Alice"), kp(t, "//Bob"), kp(t, "//Eve")
	mk := func(k *keys.Keypair) (*Store, *httptest.Server) {
		s, err := OpenStore(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(Handler(s))
		t.Cleanup(func() { srv.Close(); s.Close() })
		return s, srv
	}
	sa, srvA := mk(alice)
	_, srvE := mk(eve)
	for i := 0; i < 3; i++ {
		sa.Append(rec(t, alice, uint64(10+i), "q"+string(rune('a'+i))))
	}
	// Bob's feed serves a record Alice signed and then tampered with.
	forged := rec(t, bob, 11, "forged?")
	forged.Reference = "tampered"
	forged.Seq = 1
	bobSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("since") != "0" {
			json.NewEncoder(w).Encode(Page{})
			return
		}
		json.NewEncoder(w).Encode(Page{Next: 1, Records: []Record{forged}})
	}))
	defer bobSrv.Close()
	mg := &chain.Metagraph{Block: 25, Hotkeys: []string{alice.SS58Address(), bob.SS58Address(), eve.SS58Address()},
		Stake: []uint64{5000, 5000, 5000}, ValidatorPermit: []bool{true, true, false}}
	fc := &fakeChain{mg: mg, cs: []chain.Commitment{
		{Hotkey: alice.SS58Address(), Text: CommitmentText(srvA.URL)},
		{Hotkey: bob.SS58Address(), Text: CommitmentText(bobSrv.URL)},
		{Hotkey: eve.SS58Address(), Text: CommitmentText(srvE.URL)}, // no permit: not even asked
	}}
	c := &Client{Chain: fc, Netuid: 1, MinStake: 1000}
	got, err := c.Samples(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || c.Rejected() != 1 {
		t.Fatalf("%d samples, %d rejected", len(got), c.Rejected())
	}
	if got[0].Prompt != "qa" || got[0].Response != "42" || got[0].Block != 10 || got[0].ID == "" {
		t.Fatalf("sample %+v", got[0])
	}
	// Incremental: a new record shows up, old ones are not refetched twice.
	sa.Append(rec(t, alice, 20, "qd"))
	got, _ = c.Samples(context.Background(), 11, 20)
	if len(got) != 3 {
		t.Fatalf("window 11..20: %d samples", len(got))
	}
	// Alice loses her permit: her records are no longer served.
	mg.ValidatorPermit[0] = false
	got, _ = c.Samples(context.Background(), 0, 100)
	if len(got) != 0 {
		t.Fatalf("%d samples after permit loss", len(got))
	}
}

func TestHandlerBadParams(t *testing.T) {
	s, _ := OpenStore(t.TempDir(), nil)
	defer s.Close()
	h := Handler(s)
	for _, q := range []string{"since=-1", "since=x", "limit=0", "limit=abc"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/feed?"+q, nil))
		if w.Code != 400 {
			t.Errorf("%s: %d", q, w.Code)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/feed", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"records":[]`) {
		t.Fatal(w.Code, w.Body.String())
	}
}

func TestParseCommitment(t *testing.T) {
	for in, want := range map[string]string{
		"prompting-feed=http://1.2.3.4:9000":  "http://1.2.3.4:9000",
		"prompting-feed=https://x.example/a/": "https://x.example/a",
		"prompting-feed=ftp://x":              "",
		"prompting-feed=http://x/?q=1":        "",
		"model=foo":                           "",
		"prompting-feed=":                     "",
	} {
		got, ok := ParseCommitment(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
}

func FuzzRecordVerify(f *testing.F) {
	alice, _ := keys.FromURI("//Alice")
	r := Record{Netuid: 1, Block: 5, Task: "qa", Challenge: "q", Reference: "r", Completion: "c"}
	r.Sign(alice)
	b, _ := json.Marshal(Page{Next: 1, Records: []Record{r}})
	f.Add(b)
	f.Add([]byte(`{"next":1,"records":[{"validator":"x","signature":"0xzz"}]}`))
	f.Add([]byte(`{"records":[{"reward":1e400}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var pg Page
		if json.Unmarshal(b, &pg) != nil {
			return
		}
		for _, r := range pg.Records {
			if r.Verify() == nil && r.Validator != alice.SS58Address() {
				t.Fatalf("verified a record of %s", r.Validator)
			}
		}
	})
}

// A citation is signed with the record; a record without one keeps the
// encoding it had before citations existed.
func TestCitationSigned(t *testing.T) {
	alice := kp(t, "//Alice")
	r := rec(t, alice, 10, "What is 6*7?")
	before := string(r.Canonical())
	r.Citation = &Citation{Title: "Apollo 11", Section: "Landing", Path: "embedded:corpus/apollo_11.md", Revision: "sha256:00", Source: "corpus"}
	if string(r.Canonical()) == before {
		t.Fatal("citation not in the signed encoding")
	}
	r.Citation = nil
	if string(r.Canonical()) != before {
		t.Fatal("a record without citation changed encoding")
	}
	r.Citation = &Citation{Title: "Apollo 11", Section: "Landing"}
	if err := r.Sign(alice); err != nil || r.Verify() != nil {
		t.Fatal("signed citation does not verify")
	}
	for i, f := range []func(*Citation){
		func(c *Citation) { c.Section = "Return" },
		func(c *Citation) { c.Revision = "x" },
		func(c *Citation) { c.URL = "\xff" },
	} {
		c := r
		cc := *r.Citation
		f(&cc)
		c.Citation = &cc
		if c.Verify() == nil {
			t.Errorf("citation tamper %d accepted", i)
		}
	}
}
