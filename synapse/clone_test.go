package synapse

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type cloneInner struct {
	A      []int               `json:"a"`
	M      map[string][]string `json:"m"`
	P      *float64            `json:"p"`
	hidden []int
}

type CloneEmbedded struct {
	E []string `json:"e"`
}

type cloneRich struct {
	CloneEmbedded
	S       string                 `json:"s"`
	N       int64                  `json:"n"`
	F       float32                `json:"f"`
	B       bool                   `json:"b"`
	Bytes   []byte                 `json:"bytes"`
	Arr     [3][]string            `json:"arr"`
	Ptr     *cloneInner            `json:"ptr"`
	Inner   cloneInner             `json:"inner"`
	List    []cloneInner           `json:"list"`
	Map     map[string]*cloneInner `json:"map"`
	IntKeys map[int]string         `json:"int_keys"`
	Nil     []string               `json:"nil"`
	Empty   []string               `json:"empty"`
	Skip    []string               `json:"-"`
	Rec     *cloneRich             `json:"rec"`
}

func cloneRichValues() []*cloneRich {
	f := 2.5
	inner := cloneInner{A: []int{1, 2}, M: map[string][]string{"k": {"v", "w"}, "nil": nil}, P: &f, hidden: []int{9}}
	return []*cloneRich{
		{},
		{CloneEmbedded: CloneEmbedded{E: []string{"e"}}, S: "s", N: -7, F: 1.5, B: true, Bytes: []byte{0, 1, 255},
			Arr: [3][]string{{"a"}, nil, {}}, Ptr: &inner, Inner: inner, List: []cloneInner{inner, {}},
			Map: map[string]*cloneInner{"x": &inner, "nil": nil}, IntKeys: map[int]string{3: "three"}, Empty: []string{},
			Skip: []string{"dropped"}, Rec: &cloneRich{S: "nested", List: []cloneInner{inner}}},
	}
}

// scramble changes every scalar reachable from v, so any memory a copy shares with
// its original shows up in the original.
func scramble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			scramble(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			scramble(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			scramble(e) // reaches through pointers into shared memory, if any
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scramble(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8:
		v.SetInt(v.Int() + 1)
	case reflect.Uint8, reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	}
}

// cloneCase: the cloner's copy equals a fresh JSON decode of the payload, and
// changing everything in the copy leaves the prototype as decoded.
func cloneCase[T any](t *testing.T, v *T, wantDeep bool) {
	t.Helper()
	payload, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCloner[T](payload)
	if err != nil {
		t.Fatal(err)
	}
	if (c.proto != nil) != wantDeep {
		t.Fatalf("%T: deep copy %v, want %v", v, c.proto != nil, wantDeep)
	}
	want, err := clonePayload[T](payload)
	if err != nil {
		t.Fatal(err)
	}
	got := c.clone()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%T clone:\n got %+v\nwant %+v", v, got, want)
	}
	scramble(reflect.ValueOf(got))
	if again := c.clone(); !reflect.DeepEqual(again, want) {
		t.Fatalf("%T: changing a copy changed the prototype:\n got %+v\nwant %+v", v, again, want)
	}
}

type withInterface struct {
	X any `json:"x"`
}

type withTime struct {
	T time.Time `json:"t"`
}

type embeddedHidden struct{ V []int }

type withEmbeddedUnexported struct {
	embeddedHidden
}

// TestCloneMatchesJSON: the per-call copy of the request synapse made by reflection
// is what decoding the payload again gives, shares nothing with the prototype, and
// types reflection cannot copy faithfully keep the JSON decode.
func TestCloneMatchesJSON(t *testing.T) {
	for _, v := range cloneRichValues() {
		cloneCase(t, v, true)
	}
	cloneCase(t, &Prompt{Roles: []string{"user"}, Messages: []string{"a", "b"}}, true)
	cloneCase(t, &emptySynapse{}, true)
	cloneCase(t, &withInterface{X: map[string]any{"a": []any{1.0, "b"}}}, false)
	cloneCase(t, &withTime{T: time.Unix(1733472000, 5).UTC()}, false)
	cloneCase(t, &withEmbeddedUnexported{embeddedHidden{V: []int{1}}}, false)
}

// BenchmarkClone compares the per-call copy of a prompt synapse by reflection and by
// JSON decoding.
func BenchmarkClone(b *testing.B) {
	payload, _ := json.Marshal(&Prompt{Roles: []string{"system", "user"}, Messages: []string{"You are helpful.", "Summarize the plot of Hamlet."}})
	c, err := newCloner[Prompt](payload)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = c.clone()
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = clonePayload[Prompt](payload)
		}
	})
}
