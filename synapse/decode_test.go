package synapse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/taonet/taonet/synapse/h1"
)

// The synapse types below cover what decodeInto's one-pass decoder must reproduce of
// encoding/json: escapes and invalid UTF-8 in strings, every number kind with its
// range checks, the ",string" option, pointers, nested slices, arrays, maps with
// string and integer keys (merged into existing maps), structs, embedded structs with
// conflicting names, skipped and unexported fields, and key matching (exact first,
// then case-insensitive with Unicode folding: "\u212a" is the Kelvin sign, "ſ" folds
// to "s").

type fzText struct {
	Roles      []string   `json:"roles"`
	Messages   []string   `json:"messages"`
	Completion string     `json:"completion"`
	Ptr        *string    `json:"ptr"`
	Grid       [][]string `json:"grid"`
	K          string     `json:"k"`
	S          string
	Acute      string    `json:"é"`
	Dash       string    `json:"a-b"`
	Under      string    `json:"a_b"`
	Arr        [2]string `json:"arr"`
	Skip       string    `json:"-"`
	Dashed     string    `json:"-,"`
	Exact      string    `json:"exact"`
	ExactUpper string    `json:"EXACT"`
	hidden     string
}

type fzNumbers struct {
	I     int     `json:"i"`
	I8    int8    `json:"i8"`
	I16   int16   `json:"i16"`
	I32   int32   `json:"i32"`
	I64   int64   `json:"i64"`
	U     uint    `json:"u"`
	U8    uint8   `json:"u8"`
	U16   uint16  `json:"u16"`
	U32   uint32  `json:"u32"`
	U64   uint64  `json:"u64"`
	Up    uintptr `json:"up"`
	F32   float32 `json:"f32"`
	F64   float64 `json:"f64"`
	B     bool    `json:"b"`
	PI    *int    `json:"pi"`
	PPF   **float64
	Ints  []int    `json:"ints"`
	Arr   [3]uint8 `json:"arr"`
	Bytes []byte   `json:"bytes"`
	Bools []bool   `json:"bools"`
	Omit  int      `json:"omit,omitempty"`
}

// fzStringOpt has ",string" fields: go-json-experiment's emulation accepts "+0"
// there, so the type is decoded by encoding/json itself.
type fzStringOpt struct {
	IS int     `json:"is,string"`
	FS float64 `json:"fs,string"`
	BS bool    `json:"bs,string"`
	SS string  `json:"ss,string"`
	PS *int    `json:"ps,string"`
	I  int     `json:"i"`
}

type fzKey string

// fzFlatText and fzFlatNumbers are flat synapses (flatdecode.go): every field a
// string, bool, number or a slice of these.
type fzFlatText struct {
	Roles      []string `json:"roles"`
	Messages   []string `json:"messages"`
	Completion string   `json:"completion"`
	K          string   `json:"k"`
	S          string
	Ä          string
	Dash       string  `json:"a-b"`
	Under      string  `json:"a_b"`
	Dashed     string  `json:"-,"`
	Exact      string  `json:"exact"`
	ExactUpper string  `json:"EXACT"`
	Skip       string  `json:"-"`
	Omit       string  `json:"omit,omitempty"`
	Named      fzKey   `json:"named"`
	NamedList  []fzKey `json:"named_list"`
	hidden     string
}

type fzFlatNumbers struct {
	I     int       `json:"i"`
	I8    int8      `json:"i8"`
	I16   int16     `json:"i16"`
	I32   int32     `json:"i32"`
	I64   int64     `json:"i64"`
	U     uint      `json:"u"`
	U8    uint8     `json:"u8"`
	U16   uint16    `json:"u16"`
	U32   uint32    `json:"u32"`
	U64   uint64    `json:"u64"`
	Up    uintptr   `json:"up"`
	F32   float32   `json:"f32"`
	F64   float64   `json:"f64"`
	B     bool      `json:"b"`
	Ints  []int     `json:"ints"`
	I8s   []int8    `json:"i8s"`
	U16s  []uint16  `json:"u16s"`
	Ups   []uintptr `json:"ups"`
	F32s  []float32 `json:"f32s"`
	F64s  []float64 `json:"f64s"`
	Bools []bool    `json:"bools"`
}

type fzInner struct {
	A      int      `json:"a"`
	B      []string `json:"b"`
	C      *fzInner `json:"c"`
	hidden int
}

type FzBase struct {
	X int    `json:"x"`
	Y string `json:"y"`
	Z []int
}

type FzPtrBase struct {
	P string `json:"p"`
	X string `json:"x"`
}

type fzEmbeds struct {
	FzBase
	*FzPtrBase
	Y int `json:"y"`
}

type fzNested struct {
	Tags     map[string][]string           `json:"tags"`
	Counts   map[string]int                `json:"counts"`
	IntKeys  map[int]string                `json:"int_keys"`
	U8Keys   map[uint8]bool                `json:"u8_keys"`
	Deep     map[string]map[string]float64 `json:"deep"`
	Named    map[fzKey]fzKey               `json:"named"`
	Inner    fzInner                       `json:"inner"`
	InnerPtr *fzInner                      `json:"inner_ptr"`
	List     []fzInner                     `json:"list"`
	Embeds   fzEmbeds                      `json:"embeds"`
	Points   [][2]float32                  `json:"points"`
}

// decodeCase decodes data with decodeInto and with encoding/json, into fresh starting
// values, and fails the test if they disagree.
type decodeCase struct {
	name  string
	check func(t failer, data []byte)
}

// failer is what decodeCase needs of *testing.T and *rapid.T.
type failer interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func sameDecode[T any](start func() *T) decodeCase { return sameDecodePath(pathV1, start) }

// Which decoder decodeInto uses for a type.
const (
	pathFlat = "flat synapse decoder"
	pathV1   = "go-json-experiment v1"
	pathStd  = "encoding/json"
)

func decodePath(sc *schema) string {
	switch {
	case sc.flat != nil:
		return pathFlat
	case sc.plainJSON:
		return pathV1
	}
	return pathStd
}

// sameDecodePath is sameDecode for a type that takes the given decoder.
func sameDecodePath[T any](path string, start func() *T) decodeCase {
	return decodeCase{name: reflect.TypeFor[T]().Name(), check: func(t failer, data []byte) {
		t.Helper()
		sc, err := schemaOf[T]()
		if err != nil {
			t.Fatal(err)
		}
		if got := decodePath(sc); got != path {
			t.Fatalf("%s is decoded by %s, want %s", sc.name, got, path)
		}
		got, want := start(), start()
		gerr, werr := decodeInto(sc, data, got), referenceDecode(data, want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%s %q: decodeInto error %v, encoding/json error %v", sc.name, data, gerr, werr)
		}
		if gerr != nil {
			if !strings.Contains(gerr.Error(), "synapse: ") {
				t.Fatalf("error does not say where it comes from: %v", gerr)
			}
			return // encoding/json leaves a partial value on error; only the error counts
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s %q:\n got %#v\nwant %#v", sc.name, data, got, want)
		}
		// DeepEqual takes -0 for 0; the encodings tell them apart.
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(gj, wj) {
			t.Fatalf("%s %q:\n got %s\nwant %s", sc.name, data, gj, wj)
		}
	}}
}

// referenceDecode is decodeInto as it was: encoding/json behind the object check.
func referenceDecode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return fmt.Errorf("synapse: body is not a JSON object")
	}
	return json.Unmarshal(body, v)
}

func strp(s string) *string { return &s }

// decodeCases decode into zero values and into populated ones (query decodes into a
// copy of the request, so existing slices, maps and pointers must be reused, merged
// or replaced exactly as encoding/json does).
var decodeCases = []decodeCase{
	sameDecodePath(pathFlat, func() *Prompt { return new(Prompt) }),
	sameDecodePath(pathFlat, func() *Prompt {
		stale := []string{"s", "t", "u", "v"}
		return &Prompt{Roles: []string{"system", "user"}, Messages: stale[:1], Completion: "old"}
	}),
	sameDecode(func() *fzText { return new(fzText) }),
	sameDecode(func() *fzText {
		return &fzText{Roles: []string{"a"}, Ptr: strp("old"), Grid: [][]string{{"x"}}, Arr: [2]string{"p", "q"}, Skip: "kept", hidden: "h"}
	}),
	sameDecode(func() *fzNumbers { return new(fzNumbers) }),
	sameDecode(func() *fzNumbers {
		n, f := 7, 2.5
		pf := &f
		return &fzNumbers{I: -1, PI: &n, PPF: &pf, Ints: []int{1, 2, 3}, Arr: [3]uint8{9, 9, 9}, Bytes: []byte("old")}
	}),
	sameDecode(func() *fzNested { return new(fzNested) }),
	sameDecodePath(pathStd, func() *fzStringOpt { return new(fzStringOpt) }),
	sameDecodePath(pathFlat, func() *fzFlatText { return new(fzFlatText) }),
	sameDecodePath(pathFlat, func() *fzFlatText {
		stale := []string{"a", "b", "c", "d"}
		return &fzFlatText{Roles: stale[:1], Messages: []string{"m"}, Completion: "old", K: "k", Skip: "kept", hidden: "h",
			NamedList: []fzKey{"x", "y"}}
	}),
	sameDecodePath(pathFlat, func() *fzFlatNumbers { return new(fzFlatNumbers) }),
	sameDecodePath(pathFlat, func() *fzFlatNumbers {
		stale := []float32{1, 2, 3, 4}
		return &fzFlatNumbers{I: -1, U64: 7, F64: 2.5, B: true, Ints: []int{1, 2, 3}, F32s: stale[:2], Bools: make([]bool, 0, 3)}
	}),
	sameDecode(func() *fzNested {
		return &fzNested{
			Tags: map[string][]string{"a": {"1"}}, Counts: map[string]int{"x": 1}, IntKeys: map[int]string{1: "one"},
			Deep: map[string]map[string]float64{"d": {"e": 1}}, InnerPtr: &fzInner{A: 5, B: []string{"b"}},
			List:   []fzInner{{A: 1}, {A: 2}},
			Embeds: fzEmbeds{FzBase: FzBase{X: 1, Z: []int{4}}, FzPtrBase: &FzPtrBase{P: "old"}},
		}
	}),
}

var decodeSeeds = []string{
	`{"name":"StreamPromptingSynapse","timeout":12.0,"total_size":0,"header_size":0,"dendrite":{"status_code":200,"ip":"0.0.0.0","nonce":1733472000123456789},"axon":{"process_time":0.0523},"computed_body_hash":"ab","required_hash_fields":["messages"],"roles":["user"],"messages":["what is the capital of France?"],"completion":"done"}`,
	`{"roles":null,"messages":[],"completion":null}`,
	`  {"ROLES":["a"],"Roles":["b"],"roles":["c"],"completion":"\u00e9\ud83d\ude00\ud800\udc00x\ud800","messages":["\"\\\/\b\f\n\r\t"]}  `,
	"{\"completion\":\"\xff\xfe\xc3(\xed\xa0\x80\"}",
	`{"k":"a","\u212a":"kelvin","s":"s","ſ":"long s","É":"upper","a_b":"u","A-B":"d","-":"dash","exact":"1","EXACT":"2","Exact":"3","hidden":"no","Skip":"no"}`,
	`{"grid":[["a"],[],null,["b","c"]],"arr":["x"],"ptr":null}`,
	`{"arr":["x","y","z"],"ptr":"p","grid":null}`,
	`{"i":-9223372036854775808,"i8":127,"i16":-32768,"i32":2147483647,"i64":9223372036854775807,"u":18446744073709551615,"u8":255,"u16":65535,"u32":4294967295,"u64":0,"up":1,"f32":3.4028235e38,"f64":-0,"b":true}`,
	`{"i8":128}`, `{"u":-0}`, `{"u8":-1}`, `{"i":1.0}`, `{"i":1e2}`, `{"f32":3.5e38}`, `{"f64":1e309}`, `{"f64":-0.0e-5}`,
	`{"is":"12","fs":"1.5e3","bs":"true","ss":"\"quoted\"","ps":"7"}`,
	`{"is":"+0"}`, `{"is":12}`, `{"is":"x"}`, `{"bs":"TRUE"}`, `{"ss":"plain"}`, `{"ps":null}`, `{"is":"null"}`, `{"ps":"null"}`, `{"is":" 1"}`,
	`{"pi":null,"PPF":3,"ints":[1,2],"arr":[1,2,3,4],"bytes":"aGVsbG8=","bools":[true,false,null]}`,
	`{"bytes":"not base64!"}`, `{"bytes":[1,2,3]}`, `{"bytes":null}`, `{"arr":[256]}`, `{"omit":0}`,
	`{"tags":{"a":["x"],"b":null},"counts":{"x":null,"y":2},"int_keys":{"-5":"m","7":"s"},"u8_keys":{"255":true}}`,
	`{"int_keys":{"x":"bad"}}`, `{"u8_keys":{"256":true}}`, `{"int_keys":{"01":"lead"}}`, `{"int_keys":{" 1":"sp"}}`,
	`{"deep":{"d":{"f":2},"g":null},"named":{"k":"v"},"inner":{"a":1,"b":["q"],"c":{"a":2,"c":null},"hidden":3}}`,
	`{"inner_ptr":{"b":null},"list":[{"a":3}],"points":[[1,2],[3],[4,5,6]]}`,
	`{"embeds":{"x":1,"y":2,"Y":"s","p":"pp","Z":[1],"FzBase":{"x":9},"FzPtrBase":{"p":"q"}}}`,
	`{"inner":{"c":{"c":{"c":{"a":1}}}},"list":null,"inner_ptr":null}`,
	`{"roles":["a"],"roles":["b","c"]}`, `{"counts":{"a":1},"counts":{"b":2}}`, `{"inner":{"a":1},"inner":{"b":["x"]}}`,
	`{"unknown":{"deep":[1,{"x":[true,false,null,"s",-1.5e-3]}]},"roles":["r"]}`,
	`{"roles":"notalist"}`, `{"roles":[1]}`, `{"completion":1}`, `{"completion":true}`, `{"i":"1"}`, `{"b":"true"}`, `{"inner":[]}`,
	`{"roles":["a"]} x`, `{"roles":["a"]}{}`, `{"roles":["a"],}`, `{"roles":["a"]`, `{roles:1}`, `{"a":01}`, `{"a":1.}`,
	`{"a":-}`, `{"a":.5}`, `{"a":1e}`, `{"a":tru}`, `{"a":nul}`, `{"a":"\x01"}`, `{"a":"\u12"}`, `{"a":"\q"}`, "{\"a\":\"\t\"}",
	`{"a":[1 2]}`, `{"a":{"b" 1}}`, `{"a" :1 , "b"	:	[ ] }`, `[]`, `"s"`, `null`, ``, `{`, `{}`, "\ufeff{}",
	`{"ä":"x","Ä":"y","ints":[1,null,3],"f32s":[null,null,null],"named_list":[null,"z"],"roles":[null,null,null,null,null]}`,
	`{"i8s":[-128,127],"u16s":[65535,-0],"ups":[1],"f64s":[1e308,-1e-320],"bools":[true,null,false],"ints":[]}`, `{"i8s":[128]}`, `{"u8":256}`, `{"u16":65536}`, `{"u32":4294967296}`,
	`{"i16":32768}`, `{"i32":-2147483649}`, `{"f32":-3.5e38}`, `{"u16s":[65536]}`, `{"ups":[-1]}`,
	`{"messages":["a\ud83d\ude00b","\udc00\ud800","\ud800\u0041","\ud800\\u0041","\uD83D\uDE00"]}`,
	`{"\u0072oles":["escaped key"],"compl\u0065tion":"e"}`, "{\"roles\x00\":[\"nul in key\"]}",
}

// FuzzDecodeMatchesEncodingJSON: decodeInto gives exactly encoding/json.Unmarshal's
// value for every input encoding/json accepts, and an error for every input it
// rejects, over synapse types covering the decoding rules (decodeCases).
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range decodeCases {
			c.check(t, data)
		}
	})
}

// TestDecodeMatchesEncodingJSONGenerated builds JSON objects from the fuzz types' field
// names in varied case, unknown names, duplicates and values of every JSON kind
// (mostly well-formed, so the comparison reaches the values rather than stopping at
// a syntax error) and checks decodeInto against encoding/json on each.
func TestDecodeMatchesEncodingJSONGenerated(t *testing.T) {
	keys := []string{"roles", "messages", "completion", "ptr", "grid", "k", "S", "s", "é", "a-b", "a_b", "arr", "-", "exact", "EXACT",
		"i", "i8", "i16", "i32", "i64", "u", "u8", "u16", "u32", "u64", "up", "f32", "f64", "b", "is", "fs", "bs", "ss", "ps", "pi", "PPF",
		"ints", "bytes", "bools", "tags", "counts", "int_keys", "u8_keys", "deep", "named", "inner", "inner_ptr", "list", "embeds",
		"points", "a", "c", "x", "y", "p", "Z", "hidden", "Skip", "name", "dendrite", "unknown", "Ä", "ä", "named_list",
		"i8s", "u16s", "ups", "f32s", "f64s", "omit", "Exact"}
	key := rapid.Custom(func(rt *rapid.T) string {
		k := rapid.SampledFrom(keys).Draw(rt, "key")
		switch rapid.IntRange(0, 5).Draw(rt, "case") {
		case 0:
			k = strings.ToUpper(k)
		case 1:
			if k != "" {
				k = strings.ToUpper(k[:1]) + k[1:]
			}
		case 2:
			k = strings.ReplaceAll(k, "k", "\u212a")
		}
		return k
	})
	var value func(depth int) *rapid.Generator[string]
	value = func(depth int) *rapid.Generator[string] {
		return rapid.Custom(func(rt *rapid.T) string {
			max := 9
			if depth > 3 {
				max = 6
			}
			switch rapid.IntRange(0, max).Draw(rt, "kind") {
			case 0:
				return "null"
			case 1:
				return strconv.FormatBool(rapid.Bool().Draw(rt, "bool"))
			case 2:
				return strconv.FormatInt(rapid.Int64().Draw(rt, "int"), 10)
			case 3:
				return rapid.SampledFrom([]string{"0", "-0", "255", "256", "-1", "1.5", "1e2", "1E-2", "-0.0", "3.4028235e38", "3.5e38", "1e309",
					"18446744073709551615", "18446744073709551616", "9223372036854775808", "-9223372036854775809", "0.1", "2147483648"}).Draw(rt, "num")
			case 4:
				return strconv.FormatFloat(rapid.Float64().Draw(rt, "float"), 'g', -1, 64)
			case 5:
				s := rapid.String().Draw(rt, "str")
				if rapid.Bool().Draw(rt, "raw") {
					return `"` + strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(strings.Map(func(r rune) rune {
						if r < 0x20 {
							return -1
						}
						return r
					}, s)) + `"`
				}
				b, _ := json.Marshal(s)
				return string(b)
			case 6:
				return rapid.SampledFrom([]string{`"1"`, `"-0"`, `"true"`, `"null"`, `"\"q\""`, `"aGk="`, `"1.5"`, `"x"`, `"7"`, `"\ud800"`, "\"\xff\""}).Draw(rt, "special")
			case 7, 8:
				n := rapid.IntRange(0, 4).Draw(rt, "len")
				parts := make([]string, n)
				for i := range parts {
					parts[i] = value(depth+1).Draw(rt, "elem")
				}
				return "[" + strings.Join(parts, ",") + "]"
			default:
				n := rapid.IntRange(0, 4).Draw(rt, "len")
				parts := make([]string, n)
				for i := range parts {
					k := key.Draw(rt, "k")
					if rapid.IntRange(0, 3).Draw(rt, "numkey") == 0 {
						k = rapid.SampledFrom([]string{"1", "-5", "255", "256", "01", "x", "1.0"}).Draw(rt, "mk")
					}
					kj, _ := json.Marshal(k)
					parts[i] = string(kj) + ":" + value(depth+1).Draw(rt, "v")
				}
				return "{" + strings.Join(parts, ",") + "}"
			}
		})
	}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 8).Draw(rt, "fields")
		parts := make([]string, n)
		for i := range parts {
			kj, _ := json.Marshal(key.Draw(rt, "key"))
			parts[i] = string(kj) + ":" + value(0).Draw(rt, "value")
		}
		doc := []byte("{" + strings.Join(parts, ",") + "}")
		for _, c := range decodeCases {
			c.check(rt, doc)
		}
	})
}

// TestDecodeEdgeCases: nesting at encoding/json's depth limit, base64 variants for
// []byte, map keys at their edges and out-of-range numbers decode (or fail) as in
// encoding/json.
func TestDecodeEdgeCases(t *testing.T) {
	var docs []string
	for _, d := range []int{9998, 9999, 10000, 10001} {
		docs = append(docs, `{"x":`+strings.Repeat("[", d)+strings.Repeat("]", d)+`}`)
		docs = append(docs, `{"grid":`+strings.Repeat("[", d)+strings.Repeat("]", d)+`}`)
		docs = append(docs, `{"inner":`+strings.Repeat(`{"c":`, d)+"null"+strings.Repeat("}", d)+`}`)
	}
	docs = append(docs, `{"bytes":"aGVs\nbG8="}`, `{"bytes":"aGVs\r\nbG8="}`, `{"bytes":"aGk"}`, `{"bytes":"aGk=="}`, `{"bytes":"aG k="}`, `{"bytes":"aGVsbG8-"}`, `{"bytes":"aGVsbG8_"}`, `{"bytes":""}`, `{"bytes":"=="}`,
		`{"u8_keys":{"-0":true}}`, `{"int_keys":{"-0":"z"}}`, `{"int_keys":{"+1":"z"}}`, `{"int_keys":{"1e2":"z"}}`, `{"int_keys":{"":"z"}}`, `{"u8_keys":{"":true}}`,
		`{"arr":[1,2,3,"x"]}`, `{"points":[[1,2,3]]}`, `{"bools":[1]}`, `{"PPF":null}`, `{"i":-0}`, `{"f32":1e-46}`, `{"f32":-1e39}`, `{"up":-1}`)
	for _, doc := range docs {
		for _, c := range decodeCases {
			c.check(t, []byte(doc))
		}
	}
}

// TestPlainJSONTypes: the one-pass decoder is chosen for types made of plain kinds
// and never for ones whose decoding it may not reproduce.
func TestPlainJSONTypes(t *testing.T) {
	type withAny struct{ A any }
	type withNumber struct{ N json.Number }
	type withRaw struct{ R json.RawMessage }
	type withTime struct{ T struct{ When time.Time } }
	type withStringOpt struct {
		N int `json:"n,string"`
	}
	type withBoolKeys struct{ M map[bool]int }
	type withFunc struct{ F func() }
	type withComplex struct{ C complex128 }
	type withHidden struct {
		A      []map[string]*[2]int
		hidden any
		Skip   any `json:"-"`
	}
	for _, c := range []struct {
		typ  reflect.Type
		want bool
	}{
		{reflect.TypeFor[Prompt](), true}, {reflect.TypeFor[fzText](), true}, {reflect.TypeFor[fzNumbers](), true},
		{reflect.TypeFor[fzNested](), true}, {reflect.TypeFor[withHidden](), false},
		{reflect.TypeFor[withAny](), false}, {reflect.TypeFor[withNumber](), false}, {reflect.TypeFor[withRaw](), false},
		{reflect.TypeFor[withTime](), false}, {reflect.TypeFor[withStringOpt](), false}, {reflect.TypeFor[fzStringOpt](), false},
		{reflect.TypeFor[withBoolKeys](), false}, {reflect.TypeFor[withFunc](), false}, {reflect.TypeFor[withComplex](), false},
	} {
		if got := plainJSONType(c.typ, map[reflect.Type]bool{}); got != c.want {
			t.Errorf("plainJSONType(%s) = %v, want %v", c.typ, got, c.want)
		}
	}
}

// TestParseResponseFieldsNoAlloc: reading a typical response's header fields
// allocates nothing (absorb keeps the Request on its stack).
func TestParseResponseFieldsNoAlloc(t *testing.T) {
	fields := h1.Header{
		{Name: "Content-Type", Value: "application/json"}, {Name: "Name", Value: "StreamPromptingSynapse"},
		{Name: "Timeout", Value: "12.0"}, {Name: "Bt_header_axon_status_code", Value: "200"},
		{Name: "Bt_header_axon_status_message", Value: "Success"}, {Name: "Bt_header_axon_process_time", Value: "0.0523"},
		{Name: "Bt_header_axon_nonce", Value: "1733472000123456789"}, {Name: "Bt_header_axon_port", Value: "8091"},
		{Name: "Bt_header_dendrite_version", Value: "7002000"}, {Name: "Bt_header_input_obj_roles", Value: "W10="},
		{Name: "Bt_header_input_obj_messages", Value: "W10="}, {Name: "Header_size", Value: "1234"},
		{Name: "Total_size", Value: "987"}, {Name: "Computed_body_hash", Value: EmptyBodyHash},
	}
	var r Request
	if allocs := testing.AllocsPerRun(100, func() {
		if err := r.parseFields(fields); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 && !raceEnabled {
		t.Fatalf("%v allocations per parse", allocs)
	}
	if r.Axon.StatusCode != 200 || r.Axon.Nonce != 1733472000123456789 || r.Dendrite.Version != 7002000 || r.TotalSize != 987 {
		t.Fatalf("parsed %+v", r)
	}
}

// TestPlainRun: the eight-at-a-time scan stops no later than the first byte that
// needs attention, and within the word that holds it, for every byte value at every
// position.
func TestPlainRun(t *testing.T) {
	special := func(c byte, ascii bool) bool { return c == '"' || c == '\\' || c < 0x20 || ascii && c >= 0x80 }
	for _, ascii := range []bool{false, true} {
		for n := 0; n <= 24; n++ {
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					b := []byte(strings.Repeat("a~ 0x7f", 4)[:n])
					b[pos] = byte(c)
					first := n
					for i := range b {
						if special(b[i], ascii) {
							first = i
							break
						}
					}
					got := plainRun(b, ascii)
					if got > first || got%8 != 0 || got+8 <= first && got+8 <= n {
						t.Fatalf("plainRun(%q, %v) = %d, first special byte at %d", b, ascii, got, first)
					}
				}
			}
		}
	}
}

// TestFlatTypes: the flat decoder takes exactly the structs of strings, bools,
// numbers and slices of these whose JSON names it matches as encoding/json does.
func TestFlatTypes(t *testing.T) {
	type withBytes struct{ B []byte }
	type withPointer struct{ P *string }
	type withNested struct{ N [][]string }
	type withArray struct{ A [2]int }
	type withDotName struct {
		A string `json:"a.b"`
	}
	type withClash struct {
		X string
		Y string `json:"X"`
	}
	type withEmbedded struct{ FzBase }
	type withUnicode struct {
		Ä string
		B []float32 `json:"b,omitempty"`
		c any
	}
	for _, c := range []struct {
		typ  reflect.Type
		want bool
	}{
		{reflect.TypeFor[Prompt](), true}, {reflect.TypeFor[fzFlatText](), true}, {reflect.TypeFor[fzFlatNumbers](), true},
		{reflect.TypeFor[withUnicode](), true},
		{reflect.TypeFor[fzText](), false}, {reflect.TypeFor[fzStringOpt](), false}, {reflect.TypeFor[withBytes](), false},
		{reflect.TypeFor[withPointer](), false}, {reflect.TypeFor[withNested](), false}, {reflect.TypeFor[withArray](), false},
		{reflect.TypeFor[withDotName](), false}, {reflect.TypeFor[withClash](), false}, {reflect.TypeFor[withEmbedded](), false},
	} {
		if got := newFlatPlan(c.typ) != nil; got != c.want {
			t.Errorf("newFlatPlan(%s) != nil is %v, want %v", c.typ, got, c.want)
		}
	}
}
