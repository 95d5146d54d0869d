package openai

import (
	"strings"
	"testing"
)

func TestReadSSE(t *testing.T) {
	var got []string
	err := readSSE(strings.NewReader(": ping\n\ndata: a\ndata: b\n\ndata:c\n\nevent: x\ndata: [DONE]\n\ndata: after\n\n"), func(b []byte) error {
		got = append(got, string(b))
		return nil
	})
	if err != nil || strings.Join(got, "|") != "a\nb|c" {
		t.Fatalf("%q %v", got, err)
	}
	if err := readSSE(strings.NewReader("data: x\n\n"), func([]byte) error { return nil }); err != errStreamNoDone {
		t.Fatalf("missing [DONE]: %v", err)
	}
}

func TestVectorBase64(t *testing.T) {
	v := Vector{1, -2.5, 3e-7}
	var back Vector
	if err := back.UnmarshalJSON([]byte(`"` + v.Base64() + `"`)); err != nil || len(back) != 3 || back[1] != -2.5 || back[2] != 3e-7 {
		t.Fatalf("%v %v", back, err)
	}
	if err := back.UnmarshalJSON([]byte(`"AAA="`)); err == nil {
		t.Fatal("bad length accepted")
	}
}

// FuzzReadSSE: arbitrary server bytes never panic the stream parser.
func FuzzReadSSE(f *testing.F) {
	f.Add("data: {\"choices\":[]}\n\ndata: [DONE]\n\n")
	f.Add("data: {\"error\":{\"message\":\"x\"}}\n\n")
	f.Add(": c\r\ndata:\r\n\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		readSSE(strings.NewReader(s), func(b []byte) error {
			inBandError(200, b)
			return nil
		})
	})
}
