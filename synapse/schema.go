package synapse

import (
	"crypto/sha3"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Namer lets a synapse type choose its wire name (the Python class name) instead of
// the Go type name.
type Namer interface {
	SynapseName() string
}

// baseFieldNames are the Synapse base-class fields; payload fields must not reuse them.
var baseFieldNames = map[string]bool{
	"name": true, "timeout": true, "total_size": true, "header_size": true,
	"dendrite": true, "axon": true, "computed_body_hash": true, "required_hash_fields": true,
}

// EmptyBodyHash is sha3-256("") in hex: the body hash of a synapse without hash fields.
const EmptyBodyHash = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"

type fieldInfo struct {
	index    []int
	wire     string // JSON name
	hash     bool
	required bool
}

// schema is what the protocol needs to know about a synapse struct type.
type schema struct {
	typ        reflect.Type
	name       string
	fields     []fieldInfo
	hashFields []string          // wire names, in struct order (= pydantic model_dump order)
	inputObj   map[string]string // wire name -> base64(JSON of an empty value), required fields only
	// inputObjKey maps a required field's wire name to its bt_header_input_obj_ header name.
	inputObjKey map[string]string
	// plainJSON selects the one-pass body decoder (see plainJSONType), flat (if not
	// nil) the decoder for flat synapses (flatdecode.go).
	plainJSON bool
	flat      *flatPlan
}

var schemaCache sync.Map // reflect.Type -> *schema or error

// schemaOf describes T, which must be a struct type.
func schemaOf[T any]() (*schema, error) {
	t := reflect.TypeFor[T]()
	if v, ok := schemaCache.Load(t); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*schema), nil
	}
	s, err := buildSchema(t)
	if err != nil {
		schemaCache.Store(t, err)
		return nil, err
	}
	schemaCache.Store(t, s)
	return s, nil
}

func buildSchema(t reflect.Type) (*schema, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("synapse: %s is not a struct type", t)
	}
	s := &schema{typ: t, name: t.Name(), inputObj: map[string]string{}, inputObjKey: map[string]string{},
		plainJSON: plainJSONType(t, map[reflect.Type]bool{}), flat: newFlatPlan(t)}
	if n, ok := reflect.New(t).Interface().(Namer); ok {
		s.name = n.SynapseName()
	}
	if !validName(s.name) {
		return nil, fmt.Errorf("synapse: invalid synapse name %q for %s", s.name, t)
	}
	seen := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("synapse")
		if !f.IsExported() {
			if tag != "" {
				return nil, fmt.Errorf("synapse: unexported field %s.%s has a synapse tag", t, f.Name)
			}
			continue
		}
		if f.Anonymous {
			return nil, fmt.Errorf("synapse: embedded field %s.%s is not supported; name the field", t, f.Name)
		}
		wire := f.Name
		if j, ok := f.Tag.Lookup("json"); ok {
			jn, _, _ := strings.Cut(j, ",")
			if jn == "-" {
				if tag != "" {
					return nil, fmt.Errorf("synapse: field %s.%s is not serialized (json:\"-\") but tagged %q", t, f.Name, tag)
				}
				continue
			}
			if jn != "" {
				wire = jn
			}
		}
		if baseFieldNames[wire] {
			return nil, fmt.Errorf("synapse: field %s.%s uses the reserved wire name %q", t, f.Name, wire)
		}
		if seen[wire] {
			return nil, fmt.Errorf("synapse: duplicate wire name %q in %s", wire, t)
		}
		seen[wire] = true
		fi := fieldInfo{index: f.Index, wire: wire}
		if tag != "" {
			for opt := range strings.SplitSeq(tag, ",") {
				switch strings.TrimSpace(opt) {
				case "hash":
					fi.hash = true
				case "required":
					fi.required = true
				case "":
				default:
					return nil, fmt.Errorf("synapse: unknown synapse tag option %q on %s.%s", opt, t, f.Name)
				}
			}
		}
		if fi.hash {
			// Reject types without a stable Python rendering at registration time.
			if _, err := PyStr(reflect.Zero(f.Type).Interface()); err != nil {
				return nil, fmt.Errorf("synapse: hash field %s.%s: %w", t, f.Name, err)
			}
			s.hashFields = append(s.hashFields, wire)
		}
		if fi.required {
			empty, err := emptyJSON(f.Type)
			if err != nil {
				return nil, fmt.Errorf("synapse: required field %s.%s: %w", t, f.Name, err)
			}
			s.inputObj[wire] = base64.StdEncoding.EncodeToString([]byte(empty))
			s.inputObjKey[wire] = prefixInputObj + wire
		}
		s.fields = append(s.fields, fi)
	}
	return s, nil
}

// validName accepts names that are safe as one URL path segment and as a header value.
func validName(n string) bool {
	if n == "" || len(n) > 128 {
		return false
	}
	for _, c := range n {
		if !(c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// emptyJSON is the JSON of Python's `type(value)()` for the field's type, which is what
// to_headers puts into bt_header_input_obj_* for required fields.
func emptyJSON(t reflect.Type) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "[]", nil
	case reflect.String:
		return `""`, nil
	case reflect.Bool:
		return "false", nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "0", nil
	case reflect.Float32, reflect.Float64:
		return "0.0", nil
	case reflect.Map, reflect.Struct:
		return "{}", nil
	}
	return "", fmt.Errorf("no empty JSON value for %s", t)
}

// bodyHash computes computed_body_hash of v (a *T or T of this schema):
// sha3_hex(concat of sha3_hex(str(field)) over hash fields in declaration order).
func (s *schema) bodyHash(v reflect.Value) (string, error) {
	// The renderings go into one pooled buffer (the axon hashes every request and
	// every response).
	buf := getBuf()
	defer putBuf(buf)
	in, err := s.appendHashInput((*buf)[:0], v)
	if err != nil {
		return "", err
	}
	*buf = in
	return hashOfInput(in), nil
}

// appendHashInput appends what the body hash digests: for each hash field in
// declaration order, its length (8 bytes) and its str() rendering. Two inputs are
// equal exactly when every hash field renders the same, so equal inputs have equal
// hashes.
func (s *schema) appendHashInput(b []byte, v reflect.Value) ([]byte, error) {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for _, f := range s.fields {
		if !f.hash {
			continue
		}
		at := len(b)
		b = append(b, make([]byte, 8)...)
		var err error
		if b, err = appendPy(b, v.FieldByIndex(f.index), false); err != nil {
			return b, err
		}
		binary.LittleEndian.PutUint64(b[at:], uint64(len(b)-at-8))
	}
	return b, nil
}

// hashOfInput is the body hash of an appendHashInput result.
func hashOfInput(in []byte) string {
	var h [64]byte
	hexHashOfInput(&h, in)
	return string(h[:])
}

// hexHashOfInput is hashOfInput into dst, without allocating the string.
func hexHashOfInput(dst *[64]byte, in []byte) {
	outer := sha3.New256()
	var hexbuf [64]byte
	for len(in) > 0 {
		n := binary.LittleEndian.Uint64(in)
		inner := sha3.Sum256(in[8 : 8+n])
		in = in[8+n:]
		hex.Encode(hexbuf[:], inner[:])
		outer.Write(hexbuf[:])
	}
	var sum [32]byte
	hex.Encode(dst[:], outer.Sum(sum[:0]))
}

// BodyHash computes the computed_body_hash of a synapse value exactly as the Python
// implementation does for the supported field types.
func BodyHash[T any](s *T) (string, error) {
	sc, err := schemaOf[T]()
	if err != nil {
		return "", err
	}
	return sc.bodyHash(reflect.ValueOf(s))
}

// Name returns the wire name of synapse type T.
func Name[T any]() (string, error) {
	sc, err := schemaOf[T]()
	if err != nil {
		return "", err
	}
	return sc.name, nil
}
