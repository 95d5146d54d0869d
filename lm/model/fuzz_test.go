package model

import (
	"testing"

	"github.com/taonet/taonet/lm/safetensors"
)

// FuzzParseConfig: arbitrary config.json never panics, and whatever parses
// validates and describes a model that can be built when small.
func FuzzParseConfig(f *testing.F) {
	for _, a := range []Arch{GPT2, Llama, BERT} {
		b, _ := tinyConfig(a).JSON()
		f.Add(b)
	}
	f.Add([]byte(`{"architectures":["GPT2LMHeadModel"],"n_embd":-3}`))
	f.Add([]byte(`{"model_type":"llama","num_key_value_heads":0}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config fails validation: %v", err)
		}
		if c.NumParams() < 1e5 {
			if _, err := New(c); err != nil {
				t.Fatalf("valid config cannot build: %v", err)
			}
		}
	})
}

// FuzzFromSafetensors: arbitrary weight files for a tiny config never panic.
func FuzzFromSafetensors(f *testing.F) {
	m, _ := New(tinyConfig(Llama))
	m.InitRandom(1)
	var ts []safetensors.Tensor
	for _, in := range m.Infos {
		tt, _ := safetensors.FromFloat32(in.Name, safetensors.F32, in.Shape, m.Params[in.Offset:in.Offset+in.Size])
		ts = append(ts, tt)
	}
	good, _ := safetensors.Encode(ts, nil)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := safetensors.Parse(data)
		if err != nil {
			return
		}
		defer st.Close()
		if m2, err := FromSafetensors(m.Config, st); err == nil {
			if _, err := m2.Logits([]int{1, 2}, 1, 2); err != nil {
				t.Fatal(err)
			}
		}
	})
}
