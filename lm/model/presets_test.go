package model

import "testing"

func TestPresets(t *testing.T) {
	for _, a := range []Arch{GPT2, Llama, BERT} {
		for _, s := range PresetSizes(a) {
			c, err := Preset(a, s)
			if err != nil {
				t.Fatalf("%s %s: %v", a, s, err)
			}
			if c.NumParams() < 50e6 {
				if m, err := New(c); err != nil || int64(m.NumParams()) != c.NumParams() {
					t.Fatalf("%s %s: closed-form count %d, model holds %v (%v)", a, s, c.NumParams(), m.NumParams(), err)
				}
			}
			b, _ := c.JSON()
			if _, err := ParseConfig(b); err != nil {
				t.Fatalf("%s %s: config does not parse back: %v", a, s, err)
			}
		}
	}
	c, _ := Preset(GPT2, "124m")
	if n := c.NumParams(); n != 124439808 { // Hugging Face gpt2
		t.Errorf("gpt2 124m has %d parameters, want 124439808", n)
	}
	c, _ = Preset(GPT2, "15m")
	if n := c.NumParams(); n < 15e6 || n > 17e6 {
		t.Errorf("gpt2 15m has %d parameters", n)
	}
	c, _ = Preset(Llama, "15m")
	if n := c.NumParams(); n < 15e6 || n > 17e6 {
		t.Errorf("llama 15m has %d parameters", n)
	}
	if _, err := Preset(GPT2, "huge"); err == nil {
		t.Error("unknown size accepted")
	}
	if _, err := Preset("t5", "tiny"); err == nil {
		t.Error("unknown arch accepted")
	}
}

func TestNumParamsClosedForm(t *testing.T) {
	for _, a := range []Arch{GPT2, Llama, BERT} {
		for _, tie := range []bool{false, true} {
			c := tinyConfig(a)
			if a == Llama {
				c.TieEmbeddings = tie
				c.HeadDim = 6 // head_dim × heads ≠ hidden is allowed for Llama
			}
			m, err := New(c)
			if err != nil {
				t.Fatal(err)
			}
			if int64(m.NumParams()) != c.NumParams() {
				t.Errorf("%s tie=%v: closed form %d, model %d", a, tie, c.NumParams(), m.NumParams())
			}
		}
	}
}
