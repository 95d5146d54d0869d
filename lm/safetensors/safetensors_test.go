package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

type goldenTensor struct {
	DType   DType    `json:"dtype"`
	Shape   []int    `json:"shape"`
	Hex     string   `json:"hex"`
	F32Bits []uint32 `json:"f32bits"`
}

type golden struct {
	Metadata map[string]string       `json:"metadata"`
	Tensors  map[string]goldenTensor `json:"tensors"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGoldenNumpy reads a file written by numpy and checks every byte and value.
func TestGoldenNumpy(t *testing.T) {
	g := loadGolden(t)
	f, err := Open("testdata/golden.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !reflect.DeepEqual(f.Metadata(), g.Metadata) {
		t.Fatalf("metadata %v, want %v", f.Metadata(), g.Metadata)
	}
	if len(f.Names()) != len(g.Tensors) {
		t.Fatalf("names %v", f.Names())
	}
	var tensors []Tensor
	for name, want := range g.Tensors {
		info, ok := f.Info(name)
		if !ok {
			t.Fatalf("missing %q", name)
		}
		if info.DType != want.DType || !reflect.DeepEqual(info.Shape, want.Shape) && !(len(info.Shape) == 0 && len(want.Shape) == 0) {
			t.Fatalf("%s: info %+v, want %+v", name, info, want)
		}
		raw, _, err := f.Bytes(name)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(raw) != want.Hex {
			t.Fatalf("%s: bytes %x, want %s", name, raw, want.Hex)
		}
		tensors = append(tensors, Tensor{Name: name, DType: info.DType, Shape: info.Shape, Data: append([]byte(nil), raw...)})
		if want.F32Bits == nil {
			if _, _, err := f.Float32(name); err == nil {
				t.Fatalf("%s: Float32 of %s should fail", name, info.DType)
			}
			continue
		}
		vals, shape, err := f.Float32(name)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(shape, info.Shape) || len(vals) != len(want.F32Bits) {
			t.Fatalf("%s: shape %v len %d", name, shape, len(vals))
		}
		for i, v := range vals {
			if math.Float32bits(v) != want.F32Bits[i] {
				t.Fatalf("%s[%d] = %v (%08x), want %08x", name, i, v, math.Float32bits(v), want.F32Bits[i])
			}
		}
	}
	// Our encoder reproduces numpy's file byte for byte.
	enc, err := Encode(tensors, g.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile("testdata/golden.safetensors")
	if !bytes.Equal(enc, file) {
		t.Fatalf("Encode differs from the numpy file:\n%q\n%q", enc, file)
	}
	// Our BF16 and F16 rounding agree with the generator's on the same inputs.
	src, _, _ := f.Float32("bf_src")
	bf, err := FromFloat32("bf", BF16, []int{3, 2}, src)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(bf.Data) != g.Tensors["bf"].Hex {
		t.Fatalf("BF16 rounding %x, want %s", bf.Data, g.Tensors["bf"].Hex)
	}
	halfVals := []float32{0.1, -2.5, 65504.0, 1e-5, 3.14159, 0.0}
	h, _ := FromFloat32("half", F16, []int{6}, halfVals)
	if hex.EncodeToString(h.Data) != g.Tensors["half"].Hex {
		t.Fatalf("F16 rounding %x, want %s", h.Data, g.Tensors["half"].Hex)
	}
}

func TestWriteOpenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	a, _ := FromFloat32("a", F32, []int{2, 2}, []float32{1, 2, 3, float32(math.Inf(-1))})
	b, _ := FromFloat32("b", BF16, []int{3}, []float32{1.5, -0.25, 1e30})
	c, _ := FromFloat32("c", F16, []int{1, 1}, []float32{-7})
	if err := WriteFile(path, []Tensor{a, b, c}, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("names %v", got)
	}
	va, sa, _ := f.Float32("a")
	if !reflect.DeepEqual(sa, []int{2, 2}) || va[1] != 2 || !math.IsInf(float64(va[3]), -1) {
		t.Fatalf("a = %v %v", va, sa)
	}
	if err := CheckFinite("a", va); err == nil || !strings.Contains(err.Error(), "index 3") {
		t.Fatalf("CheckFinite: %v", err)
	}
	vb, _, _ := f.Float32("b")
	if vb[0] != 1.5 || vb[1] != -0.25 {
		t.Fatalf("b = %v", vb)
	}
	vc, _, _ := f.Float32("c")
	if vc[0] != -7 {
		t.Fatalf("c = %v", vc)
	}
	if f.Metadata()["k"] != "v" {
		t.Fatal("metadata")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Float32("a"); err == nil {
		t.Fatal("read after close should fail")
	}
	// Overwrite atomically; no temp files remain.
	if err := WriteFile(path, []Tensor{c}, nil); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("leftover files: %v", ents)
	}
	// A failed write leaves the old file untouched.
	bad := Tensor{Name: "x", DType: F32, Shape: []int{3}, Data: make([]byte, 4)}
	if err := WriteFile(path, []Tensor{bad}, nil); err == nil {
		t.Fatal("bad tensor accepted")
	}
	f2, err := Open(path)
	if err != nil || !reflect.DeepEqual(f2.Names(), []string{"c"}) {
		t.Fatalf("after failed write: %v %v", err, f2)
	}
	f2.Close()
}

func TestOpenEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "empty")
	os.WriteFile(p, nil, 0o644)
	if _, err := Open(p); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("missing file opened")
	}
}

func mkfile(header string, data []byte) []byte {
	out := make([]byte, 8)
	binary.LittleEndian.PutUint64(out, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

func TestParseErrors(t *testing.T) {
	huge := make([]byte, 8)
	binary.LittleEndian.PutUint64(huge, MaxHeaderSize+1)
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"short", "shorter than the 8-byte", []byte{1, 2, 3}},
		{"header limit", "exceeds the limit", huge},
		{"truncated header", "truncated", mkfile(`{"a":1}`, nil)[:10]},
		{"not object", "does not start with '{'", mkfile(`[1,2]`, nil)},
		{"bad json", "header JSON", mkfile(`{"a":`, nil)},
		{"trailing", "after the object", mkfile(`{} x`, nil)},
		{"dup", `duplicate key "a"`, mkfile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2})},
		{"unknown dtype", `tensor "w": unknown dtype "F7"`, mkfile(`{"w":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}}`, []byte{0})},
		{"shape mismatch", `tensor "w": shape [2 2] of F32 needs 16 bytes`, mkfile(`{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`, make([]byte, 12))},
		{"negative dim", `tensor "w": negative dimension`, mkfile(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4))},
		{"offsets reversed", `tensor "w": bad data_offsets`, mkfile(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}`, nil)},
		{"offsets count", `tensor "w": data_offsets has 3`, mkfile(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0,0]}}`, nil)},
		{"missing field", `tensor "w": header entry needs`, mkfile(`{"w":{"dtype":"U8","shape":[0]}}`, nil)},
		{"unknown field", `tensor "w": bad header entry`, mkfile(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0],"x":1}}`, nil)},
		{"overlap", `tensor "b": data_offsets [2, 4] overlap`, mkfile(`{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, make([]byte, 4))},
		{"gap", `tensor "b": data_offsets [4, 5] leave a gap`, mkfile(`{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"U8","shape":[1],"data_offsets":[4,5]}}`, make([]byte, 5))},
		{"out of bounds", "need 8 data bytes but the data section has 4", mkfile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 4))},
		{"extra data", "data section has 6 bytes but tensors cover only 4", mkfile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 6))},
		{"metadata not strings", `__metadata__ value of "n" is not a string`, mkfile(`{"__metadata__":{"n":1}}`, nil)},
		{"metadata not object", `__metadata__ must be an object`, mkfile(`{"__metadata__":[1]}`, nil)},
		{"float shape", `tensor "w": bad header entry`, mkfile(`{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}`, []byte{0})},
		{"overflow shape", `overflows`, mkfile(`{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,1]}}`, []byte{0})},
		{"bad utf8", "not valid UTF-8", mkfile("{\"\xff\":1}", nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.data)
			if err == nil {
				t.Fatalf("accepted")
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestParseAcceptsPaddingAndEmpty(t *testing.T) {
	f, err := Parse(mkfile(`{}      `, nil))
	if err != nil || len(f.Names()) != 0 {
		t.Fatalf("%v %v", f, err)
	}
	f, err = Parse(mkfile(`{"__metadata__":null,"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, []byte{0, 0, 128, 63}))
	if err != nil {
		t.Fatal(err)
	}
	v, shape, err := f.Float32("s")
	if err != nil || len(shape) != 0 || v[0] != 1 {
		t.Fatalf("%v %v %v", v, shape, err)
	}
	if _, _, err := f.Float32("nope"); err == nil {
		t.Fatal("missing tensor")
	}
}

func TestFromFloat32Errors(t *testing.T) {
	if _, err := FromFloat32("x", F32, []int{2}, []float32{1}); err == nil {
		t.Fatal("length mismatch accepted")
	}
	if _, err := FromFloat32("x", I32, []int{1}, []float32{1}); err == nil {
		t.Fatal("I32 accepted")
	}
	if _, err := Encode([]Tensor{{Name: "__metadata__", DType: U8, Shape: []int{0}}}, nil); err == nil {
		t.Fatal("reserved name accepted")
	}
}

func TestBF16Rounding(t *testing.T) {
	cases := []struct {
		in   uint32
		want uint16
	}{
		{0x3f800000, 0x3f80}, // 1.0 exact
		{0x3f808000, 0x3f80}, // tie, even stays
		{0x3f818000, 0x3f82}, // tie, odd rounds up
		{0x3f808001, 0x3f81}, // above tie
		{0x7f7fffff, 0x7f80}, // max float rounds to +Inf
		{0x7fc00000, 0x7fc0}, // NaN
		{0x7f800001, 0x7fc0}, // signalling NaN stays NaN
		{0xff800000, 0xff80}, // -Inf
	}
	for _, c := range cases {
		if got := BF16FromFloat32(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("BF16(%08x) = %04x, want %04x", c.in, got, c.want)
		}
	}
}

// TestRoundTripProperty: any valid tensor set survives Encode → Parse exactly.
func TestRoundTripProperty(t *testing.T) {
	dtypes := []DType{F32, F16, BF16, F64, U8, I32, I64, BOOL}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 5).Draw(t, "n")
		names := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-z.0-9_]{1,8}`), n, n, rapid.ID[string]).Draw(t, "names")
		var ts []Tensor
		for _, name := range names {
			dt := rapid.SampledFrom(dtypes).Draw(t, "dtype")
			shape := rapid.SliceOfN(rapid.IntRange(0, 4), 0, 3).Draw(t, "shape")
			ne, _ := numElements(shape)
			data := rapid.SliceOfN(rapid.Byte(), ne*dt.Size(), ne*dt.Size()).Draw(t, "data")
			ts = append(ts, Tensor{Name: name, DType: dt, Shape: shape, Data: data})
		}
		meta := rapid.MapOfN(rapid.String(), rapid.String(), 0, 3).Draw(t, "meta")
		enc, err := Encode(ts, meta)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(enc)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range ts {
			got, err := f.Tensor(want.Name)
			if err != nil || got.DType != want.DType || len(got.Shape) != len(want.Shape) || !bytes.Equal(got.Data, want.Data) {
				t.Fatalf("%s: got %+v err %v, want %+v", want.Name, got, err, want)
			}
		}
		if len(meta) > 0 && !reflect.DeepEqual(f.Metadata(), meta) {
			t.Fatalf("metadata %v want %v", f.Metadata(), meta)
		}
	})
}

func FuzzParse(f *testing.F) {
	golden, _ := os.ReadFile("testdata/golden.safetensors")
	f.Add(golden)
	f.Add(mkfile(`{}`, nil))
	f.Add(mkfile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, make([]byte, 8)))
	f.Add(mkfile(`{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]},"__metadata__":{"x":"y"}}`, make([]byte, 2)))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		// Every accepted file is fully readable and re-encodes to a valid file.
		var ts []Tensor
		for _, name := range file.Names() {
			tt, err := file.Tensor(name)
			if err != nil {
				t.Fatal(err)
			}
			file.Float32(name)
			ts = append(ts, tt)
		}
		enc, err := Encode(ts, file.Metadata())
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := Parse(enc); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func BenchmarkFloat32BF16(b *testing.B) {
	vals := make([]float32, 1<<20)
	for i := range vals {
		vals[i] = float32(i) * 0.001
	}
	tn, _ := FromFloat32("w", BF16, []int{len(vals)}, vals)
	enc, _ := Encode([]Tensor{tn}, nil)
	f, _ := Parse(enc)
	b.SetBytes(int64(len(tn.Data)))
	for b.Loop() {
		f.Float32("w")
	}
}

func BenchmarkFloat32F32(b *testing.B) {
	vals := make([]float32, 1<<20)
	tn, _ := FromFloat32("w", F32, []int{len(vals)}, vals)
	enc, _ := Encode([]Tensor{tn}, nil)
	f, _ := Parse(enc)
	b.SetBytes(int64(len(tn.Data)))
	for b.Loop() {
		f.Float32("w")
	}
}

// TestFloat32Unaligned: F32 data at an odd address converts like aligned data.
func TestFloat32Unaligned(t *testing.T) {
	vals := []float32{1.5, -2, 3.25, float32(math.Inf(1))}
	tn, _ := FromFloat32("w", F32, []int{4}, vals)
	enc, _ := Encode([]Tensor{tn}, nil)
	for off := 0; off < 4; off++ {
		buf := make([]byte, len(enc)+off)
		copy(buf[off:], enc)
		f, err := Parse(buf[off:])
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := f.Float32("w")
		if err != nil || !reflect.DeepEqual(got, vals) {
			t.Fatalf("offset %d: %v %v", off, got, err)
		}
	}
}
