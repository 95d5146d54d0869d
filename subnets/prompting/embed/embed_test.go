package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var bg = context.Background()

func TestTokens(t *testing.T) {
	got := strings.Join(Tokens("The cat's well-known -- FAST, café! 3.5 x-"), "|")
	if got != "the|cat's|well-known|fast|café|3|5|x" {
		t.Errorf("got %s", got)
	}
}

// small table, frequency order: the, cat, dog, mat
func smallVectors(t *testing.T) *WordVectors {
	wv, err := NewWordVectors([]string{"the", "cat", "dog", "mat"}, [][]float32{{1, 1}, {1, 0}, {0, 1}, {2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	return wv
}

func TestWordVectorsSIFMean(t *testing.T) {
	wv := smallVectors(t)
	h := math.Log(4) + 0.5772156649
	w := func(rank int) float64 { return 1e-3 / (1e-3 + 1/(float64(rank)*h)) }
	v, err := wv.Embed(bg, []string{"The cat, the DOG!", "unknown words only", "", "cat"})
	if err != nil {
		t.Fatal(err)
	}
	// tokens: the(1) cat(2) the(1) dog(3): mean = Σ w·v / Σ w, in float64 then rounded
	wt, wc, wd := w(1), w(2), w(3)
	den := 2*wt + wc + wd
	want := []float32{float32((2*wt*1 + wc*1 + wd*0) / den), float32((2*wt*1 + wc*0 + wd*1) / den)}
	if v[0][0] != want[0] || v[0][1] != want[1] {
		t.Errorf("mean %v want %v", v[0], want)
	}
	if v[1][0] != 0 || v[1][1] != 0 || v[2][0] != 0 {
		t.Errorf("unknown/empty not zero: %v %v", v[1], v[2])
	}
	if v[3][0] != 1 || v[3][1] != 0 {
		t.Errorf("single word %v", v[3])
	}
	if c := Cosine(v[3], []float32{0, 0}); c != 0 {
		t.Errorf("cosine with zero = %v", c)
	}
	if c := Cosine([]float32{1, 0}, []float32{1, 1}); math.Abs(c-1/math.Sqrt2) > 1e-15 {
		t.Errorf("cosine %v", c)
	}
	if _, err := NewWordVectors([]string{"a"}, [][]float32{{1}, {2}}); err == nil {
		t.Error("mismatch accepted")
	}
}

const winkSample = `{"precision":8,"l2NormIndex":2,"wordIndex":3,"size":3,"dimensions":2,"words":["the","cat","dog"],` +
	`"vectors":{"the":[1,1,1.41421356,0],"cat":[1,0,1,1],"dog":[0.5,-2.5e-1,0.559,2]},"unkVector":[0,0,-1]}`

func TestReadWinkAndCache(t *testing.T) {
	wv, err := ReadWink(strings.NewReader(winkSample), 0)
	if err != nil {
		t.Fatal(err)
	}
	if wv.Len() != 3 || wv.Dim() != 2 {
		t.Fatalf("%d words, %d dims", wv.Len(), wv.Dim())
	}
	v, _ := wv.Embed(bg, []string{"dog"})
	if v[0][0] != 0.5 || v[0][1] != -0.25 {
		t.Errorf("dog %v", v[0])
	}
	small, err := ReadWink(strings.NewReader(winkSample), 2)
	if err != nil || small.Len() != 2 {
		t.Fatalf("maxWords: %v %v", small, err)
	}
	for _, bad := range []string{`{"dimensions":2,"vectors":{"a":[1]}}`, `{"words":["a"],"dimensions":2,"vectors":{"a":[1,x]}}`, `{`, `[]`, `{"dimensions":-1}`} {
		if _, err := ReadWink(strings.NewReader(bad), 0); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, WinkFile)
	os.WriteFile(p, []byte(winkSample), 0o644)
	a, err := LoadWinkCached(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".0.bin"); err != nil {
		t.Fatal("no cache written")
	}
	b, err := LoadWinkCached(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	va, _ := a.Embed(bg, []string{"the cat dog"})
	vb, _ := b.Embed(bg, []string{"the cat dog"})
	if va[0][0] != vb[0][0] || va[0][1] != vb[0][1] {
		t.Errorf("cache differs: %v %v", va, vb)
	}
	// a changed source invalidates the cache
	os.WriteFile(p, []byte(strings.Replace(winkSample, `"dog":[0.5`, `"dog":[0.7`, 1)), 0o644)
	os.Chtimes(p, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	c, _ := LoadWinkCached(p, 0)
	vc, _ := c.Embed(bg, []string{"dog"})
	if vc[0][0] != float32(0.7) {
		t.Errorf("stale cache used: %v", vc)
	}
}

// TestRealWink uses the vectors installed by scripts/setup.sh.
func TestRealWink(t *testing.T) {
	p := DefaultWinkPath()
	if _, err := os.Stat(p); err != nil {
		t.Skip("wink vectors not installed (scripts/setup.sh test):", err)
	}
	wv, err := LoadWinkCached(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wv.Len() != 341479 || wv.Dim() != 100 {
		t.Fatalf("%d words × %d", wv.Len(), wv.Dim())
	}
	v, _ := wv.Embed(bg, []string{
		"The Eiffel Tower opened in Paris in 1889.",
		"The tower in Paris was opened in 1889 for the world's fair.",
		"Photosynthesis converts light energy into chemical energy in plants.",
	})
	same, diff := Cosine(v[0], v[1]), Cosine(v[0], v[2])
	if !(same > 0.8 && same > diff+0.2) {
		t.Errorf("related %.3f, unrelated %.3f", same, diff)
	}
}

func TestOpenAI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "bad", 400)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		for _, in := range req.Input {
			if in == "" {
				http.Error(w, "empty input", 400)
				return
			}
		}
		if req.Model == "broken" {
			w.Write([]byte(`{"data":[{"index":0,"embedding":[1]}]}`))
			return
		}
		// answer out of order; second vector base64 (1.0, 2.0 little-endian f32)
		var data []map[string]any
		for i := len(req.Input) - 1; i >= 0; i-- {
			var emb any = []float32{float32(i), float32(len(req.Input[i]))}
			if i == 1 {
				emb = "AACAPwAAAEA="
			}
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": emb})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	}))
	defer srv.Close()
	o := NewOpenAI(srv.URL+"/v1", "m", "k")
	v, err := o.Embed(bg, []string{"a", "bb", "ccc"})
	if err != nil {
		t.Fatal(err)
	}
	if v[0][1] != 1 || v[1][0] != 1 || v[1][1] != 2 || v[2][0] != 2 || v[2][1] != 3 {
		t.Errorf("%v", v)
	}
	texts := []string{"a", "", "ccc"}
	if _, err := o.Embed(bg, texts); err != nil || texts[1] != "" {
		t.Errorf("empty input: %v (caller's slice %q)", err, texts)
	}
	o.Model = "broken"
	if _, err := o.Embed(bg, []string{"a", "b"}); err == nil {
		t.Error("short response accepted")
	}
	b := Batched{Embedder: NewOpenAI(srv.URL+"/v1", "m", "k"), Size: 2}
	v, err = b.Embed(bg, []string{"a", "bb", "ccc"})
	if err != nil || len(v) != 3 || v[2][1] != 3 || v[2][0] != 0 {
		t.Errorf("batched %v %v", v, err)
	}
}

func FuzzReadWink(f *testing.F) {
	f.Add([]byte(winkSample))
	f.Add([]byte(`{"dimensions":1,"words":["a"],"vectors":{"a":[1e400]}}`))
	f.Add([]byte(`{"vectors":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		wv, err := ReadWink(bytes.NewReader(data), 0)
		if err == nil && (wv.Len() == 0 || wv.Dim() == 0) {
			t.Fatal("empty embedder without error")
		}
	})
}

func TestWordVectorsConcurrent(t *testing.T) {
	wv := smallVectors(t)
	want, _ := wv.Embed(bg, []string{"the cat dog mat"})
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				v, _ := wv.Embed(bg, []string{"the cat dog mat"})
				if v[0][0] != want[0][0] || v[0][1] != want[0][1] {
					t.Error("concurrent embedding differs")
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}
