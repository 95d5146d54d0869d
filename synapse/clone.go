package synapse

import (
	"encoding"
	"encoding/json"
	"reflect"
	"sync"
)

// Every call of a fan-out returns its own copy of the request synapse (the response
// is merged into it). The copy used to be a JSON decode of the request payload per
// call; now the payload is decoded once per fan-out into a prototype and each call
// deep-copies it with reflection, which gives the same value (TestCloneMatchesJSON)
// for the types encoding/json decodes into without custom code. Anything else (an
// interface field, a type with its own UnmarshalJSON/UnmarshalText) keeps the JSON
// decode per call.

// cloneable reports whether deepCopy of a JSON-decoded value of t equals decoding the
// JSON again and shares no memory with the original.
func cloneable(t reflect.Type) bool {
	if v, ok := cloneableCache.Load(t); ok {
		return v.(bool)
	}
	ok := cloneableType(t, map[reflect.Type]bool{})
	cloneableCache.Store(t, ok)
	return ok
}

var cloneableCache sync.Map // reflect.Type -> bool

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// decodesItself reports whether t or *t has its own UnmarshalJSON or UnmarshalText.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) ||
		t.Implements(jsonUnmarshaler) || t.Implements(textUnmarshaler)
}

// integerKind reports whether k is a signed or unsigned integer kind.
func integerKind(k reflect.Kind) bool {
	return reflect.Int <= k && k <= reflect.Uintptr
}

// scalarKind reports whether k is a bool, number or string kind.
func scalarKind(k reflect.Kind) bool {
	return k == reflect.Bool || integerKind(k) || k == reflect.Float32 || k == reflect.Float64 || k == reflect.String
}

func cloneableType(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true // a recursive type: decided where it was first entered
	}
	seen[t] = true
	if decodesItself(t) {
		return false // its own decoding may fill unexported fields
	}
	if scalarKind(t.Kind()) {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return cloneableType(t.Elem(), seen)
	case reflect.Map:
		return cloneableType(t.Key(), seen) && cloneableType(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			// Unexported fields are never set by encoding/json, so they stay zero in
			// the prototype and in the copy; only exported ones need copyable types.
			// An embedded unexported struct is the exception (json fills its exported
			// fields; reflection cannot set it): JSON path.
			f := t.Field(i)
			if f.Anonymous && !f.IsExported() || f.IsExported() && !cloneableType(f.Type, seen) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// deepCopy sets dst (a zero value) to a copy of src that shares no slice, map or
// pointer with it; strings are immutable and shared.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			p := reflect.New(src.Type().Elem())
			deepCopy(p.Elem(), src.Elem())
			dst.Set(p)
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		n := src.Len()
		if n == 0 {
			dst.Set(reflect.MakeSlice(src.Type(), 0, 0)) // empty, not nil
			return
		}
		// Growing dst in place allocates only the array; MakeSlice and Set would
		// also box a slice header on the heap, once per slice of every call's copy.
		dst.Grow(n)
		dst.SetLen(n)
		if scalar(src.Type().Elem().Kind()) {
			reflect.Copy(dst, src)
		} else {
			for i := range n {
				deepCopy(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

func scalar(k reflect.Kind) bool {
	return k >= reflect.Bool && k <= reflect.Float64 || k == reflect.String
}

// cloner hands out copies of one decoded payload.
type cloner[T any] struct {
	proto   *T // nil: copy through JSON
	payload []byte
}

// newCloner decodes payload once, so a payload that does not decode back into a T
// fails the whole fan-out up front.
func newCloner[T any](payload []byte) (*cloner[T], error) {
	proto, err := clonePayload[T](payload)
	if err != nil {
		return nil, err
	}
	c := &cloner[T]{payload: payload}
	if cloneable(reflect.TypeFor[T]()) {
		c.proto = proto
	}
	return c, nil
}

// clone returns a fresh copy of the payload as a *T.
func (c *cloner[T]) clone() *T {
	if c.proto == nil {
		v, _ := clonePayload[T](c.payload) // cannot fail: our own encoding of a T
		return v
	}
	v := new(T)
	deepCopy(reflect.ValueOf(v).Elem(), reflect.ValueOf(c.proto).Elem())
	return v
}
