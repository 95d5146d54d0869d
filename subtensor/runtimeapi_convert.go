package subtensor

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/taonet/taonet/keys"
	"github.com/taonet/taonet/subtensor/metadata"
)

// fromValue fills dst (a pointer) from a decoded runtime API value. Go struct
// fields name their source field with a `scale:"name|alias"` tag (aliases
// cover fields renamed between runtimes); fields the runtime's type lacks
// stay zero and fields the Go type lacks are ignored, so a newer runtime that
// appends fields still reads. Tuple values fill a struct's tagged fields in
// order. Integers are range-checked: a value that does not fit its field
// means the answer is not the type we think it is.
func fromValue(v metadata.Value, dst any) error {
	return fill(v, reflect.ValueOf(dst).Elem(), "")
}

var bigType = reflect.TypeOf((*big.Int)(nil))

func fill(v metadata.Value, dst reflect.Value, path string) error {
	// Option: None leaves the destination zero (nil), Some fills it.
	if vv, ok := v.(*metadata.VariantValue); ok && (vv.Name == "None" || vv.Name == "Some") {
		if vv.Name == "None" {
			return nil
		}
		if len(vv.Fields) != 1 {
			return fieldErr(path, fmt.Errorf("Some with %d fields", len(vv.Fields)))
		}
		v = vv.Fields[0].Value
	}
	if dst.Type() == bigType {
		n, err := metadata.AsBig(v)
		if err != nil {
			return fieldErr(path, err)
		}
		dst.Set(reflect.ValueOf(new(big.Int).Set(n)))
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := fill(v, p.Elem(), path); err != nil {
			return err
		}
		dst.Set(p)
	case reflect.Bool:
		b, err := metadata.AsBool(v)
		if err != nil {
			return fieldErr(path, err)
		}
		dst.SetBool(b)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := metadata.AsUint64(v)
		if err == nil && dst.OverflowUint(n) {
			err = fmt.Errorf("%d does not fit %s", n, dst.Type())
		}
		if err != nil {
			return fieldErr(path, err)
		}
		dst.SetUint(n)
	case reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := metadata.AsBig(v)
		if err == nil && (!n.IsInt64() || dst.OverflowInt(n.Int64())) {
			err = fmt.Errorf("%s does not fit %s", n, dst.Type())
		}
		if err != nil {
			return fieldErr(path, err)
		}
		dst.SetInt(n.Int64())
	case reflect.String: // an AccountId32, as ss58
		b, err := metadata.AsBytes(v)
		if err == nil && len(b) != 32 {
			err = fmt.Errorf("%d bytes are not an account id", len(b))
		}
		if err != nil {
			return fieldErr(path, err)
		}
		dst.SetString(keys.SS58Encode([32]byte(b)))
	case reflect.Slice:
		return fillSlice(v, dst, path)
	case reflect.Struct:
		return fillStruct(v, dst, path)
	default:
		return fieldErr(path, fmt.Errorf("no conversion to %s", dst.Type()))
	}
	return nil
}

func fillSlice(v metadata.Value, dst reflect.Value, path string) error {
	if b, ok := v.([]byte); ok && dst.Type().Elem().Kind() == reflect.Uint8 {
		dst.SetBytes(append([]byte(nil), b...))
		return nil
	}
	items, err := metadata.AsSlice(v)
	if err != nil {
		return fieldErr(path, err)
	}
	s := reflect.MakeSlice(dst.Type(), len(items), len(items))
	for i, it := range items {
		if err := fill(it, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	dst.Set(s)
	return nil
}

func fillStruct(v metadata.Value, dst reflect.Value, path string) error {
	t := dst.Type()
	if tuple, ok := v.([]metadata.Value); ok {
		k := 0
		for i := 0; i < t.NumField(); i++ {
			if _, ok := t.Field(i).Tag.Lookup("scale"); !ok {
				continue
			}
			if k >= len(tuple) {
				return fieldErr(path, fmt.Errorf("tuple of %d values for %s", len(tuple), t))
			}
			if err := fill(tuple[k], dst.Field(i), path+"."+t.Field(i).Name); err != nil {
				return err
			}
			k++
		}
		return nil
	}
	c, ok := v.(*metadata.Composite)
	if !ok {
		return fieldErr(path, fmt.Errorf("%T is not a struct (%s)", v, t))
	}
	for i := 0; i < t.NumField(); i++ {
		tag, ok := t.Field(i).Tag.Lookup("scale")
		if !ok {
			continue
		}
		for _, name := range strings.Split(tag, "|") {
			if fv, ok := c.Get(name); ok {
				if err := fill(fv, dst.Field(i), joinPath(path, name)); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func fieldErr(path string, err error) error {
	if path == "" {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
