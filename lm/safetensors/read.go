package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"
)

// MaxHeaderSize is the largest JSON header accepted (the upstream limit).
const MaxHeaderSize = 100_000_000

// ErrInvalid is wrapped by every validation error, for errors.Is.
var ErrInvalid = errors.New("invalid safetensors file")

// TensorInfo describes one tensor of a file. Begin and End are byte offsets
// into the data section (End exclusive).
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	Begin int64
	End   int64
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a parsed safetensors file. Its tensor data stays in the mapped (or
// read) buffer; accessors copy out of it, so results stay valid after Close.
type File struct {
	buf      []byte // the whole file
	data     []byte // the data section, a slice of buf
	infos    map[string]TensorInfo
	names    []string
	metadata map[string]string
	release  func() error
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("safetensors: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// Parse validates a complete safetensors file held in memory. The returned
// File references data; the caller must not modify it afterwards.
func Parse(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, invalid("file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data[:8])
	if n > MaxHeaderSize {
		return nil, invalid("header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	if n > uint64(len(data)-8) {
		return nil, invalid("header length %d exceeds the %d bytes after the length prefix (truncated file?)", n, len(data)-8)
	}
	header := data[8 : 8+n]
	infos, meta, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	f := &File{buf: data, data: data[8+n:], infos: make(map[string]TensorInfo, len(infos)), metadata: meta}
	// Upstream rule: sorted by offset, tensors tile the data section exactly.
	sorted := append([]TensorInfo(nil), infos...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Begin != sorted[j].Begin {
			return sorted[i].Begin < sorted[j].Begin
		}
		return sorted[i].End < sorted[j].End
	})
	var pos int64
	for _, t := range sorted {
		switch {
		case t.Begin < pos:
			return nil, invalid("tensor %q: data_offsets [%d, %d] overlap the previous tensor ending at %d", t.Name, t.Begin, t.End, pos)
		case t.Begin > pos:
			return nil, invalid("tensor %q: data_offsets [%d, %d] leave a gap after offset %d", t.Name, t.Begin, t.End, pos)
		}
		pos = t.End
	}
	if pos != int64(len(f.data)) {
		if pos > int64(len(f.data)) {
			return nil, invalid("tensors need %d data bytes but the data section has %d (truncated file?)", pos, len(f.data))
		}
		return nil, invalid("data section has %d bytes but tensors cover only %d", len(f.data), pos)
	}
	for _, t := range infos {
		f.infos[t.Name] = t
		f.names = append(f.names, t.Name)
	}
	sort.Strings(f.names)
	return f, nil
}

// rawInfo is the JSON shape of one header entry.
type rawInfo struct {
	DType       *string  `json:"dtype"`
	Shape       *[]int64 `json:"shape"`
	DataOffsets *[]int64 `json:"data_offsets"`
}

func parseHeader(header []byte) ([]TensorInfo, map[string]string, error) {
	if !utf8.Valid(header) {
		return nil, nil, invalid("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, invalid("header does not start with '{'")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, nil, invalid("header JSON: %v", err)
	}
	var infos []TensorInfo
	var meta map[string]string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, invalid("header JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, invalid("header JSON: expected a key, got %v", tok)
		}
		if seen[name] {
			return nil, nil, invalid("header JSON: duplicate key %q", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, invalid("header JSON at key %q: %v", name, err)
		}
		if name == "__metadata__" {
			m, err := parseMetadata(raw)
			if err != nil {
				return nil, nil, err
			}
			meta = m
			continue
		}
		t, err := parseInfo(name, raw)
		if err != nil {
			return nil, nil, err
		}
		infos = append(infos, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, invalid("header JSON: %v", err)
	}
	// Only whitespace padding may follow the object.
	tail := header[dec.InputOffset():]
	if len(bytes.TrimRight(tail, " \t\r\n")) != 0 {
		return nil, nil, invalid("header JSON: unexpected data after the object")
	}
	if meta == nil {
		meta = map[string]string{}
	}
	return infos, meta, nil
}

func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return map[string]string{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, invalid("__metadata__ must be an object of strings")
	}
	m := map[string]string{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, invalid("__metadata__: %v", err)
		}
		k := kt.(string) // keys of a JSON object are always strings
		vt, err := dec.Token()
		if err != nil {
			return nil, invalid("__metadata__: %v", err)
		}
		v, ok := vt.(string)
		if !ok {
			return nil, invalid("__metadata__ value of %q is not a string", k)
		}
		if _, dup := m[k]; dup {
			return nil, invalid("__metadata__: duplicate key %q", k)
		}
		m[k] = v
	}
	return m, nil
}

func parseInfo(name string, raw json.RawMessage) (TensorInfo, error) {
	var r rawInfo
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return TensorInfo{}, invalid("tensor %q: bad header entry: %v", name, err)
	}
	if r.DType == nil || r.Shape == nil || r.DataOffsets == nil {
		return TensorInfo{}, invalid("tensor %q: header entry needs dtype, shape and data_offsets", name)
	}
	dt := DType(*r.DType)
	if !dt.Valid() {
		return TensorInfo{}, invalid("tensor %q: unknown dtype %q", name, *r.DType)
	}
	if len(*r.DataOffsets) != 2 {
		return TensorInfo{}, invalid("tensor %q: data_offsets has %d entries, want 2", name, len(*r.DataOffsets))
	}
	begin, end := (*r.DataOffsets)[0], (*r.DataOffsets)[1]
	if begin < 0 || end < begin {
		return TensorInfo{}, invalid("tensor %q: bad data_offsets [%d, %d]", name, begin, end)
	}
	shape := make([]int, len(*r.Shape))
	elems := int64(1)
	for i, d := range *r.Shape {
		if d < 0 {
			return TensorInfo{}, invalid("tensor %q: negative dimension %d in shape %v", name, d, *r.Shape)
		}
		if d > 0 && elems > math.MaxInt64/8/d {
			return TensorInfo{}, invalid("tensor %q: shape %v overflows", name, *r.Shape)
		}
		elems *= d
		shape[i] = int(d)
	}
	if want := elems * int64(dt.Size()); want != end-begin {
		return TensorInfo{}, invalid("tensor %q: shape %v of %s needs %d bytes but data_offsets [%d, %d] span %d", name, shape, dt, want, begin, end, end-begin)
	}
	return TensorInfo{Name: name, DType: dt, Shape: shape, Begin: begin, End: end}, nil
}

// Close releases the memory mapping, if any. Slices returned by Bytes become
// invalid; everything else stays usable.
func (f *File) Close() error {
	if f.release == nil {
		return nil
	}
	err := f.release()
	f.release = nil
	f.buf, f.data = nil, nil
	return err
}

// Names returns the tensor names in sorted order.
func (f *File) Names() []string { return append([]string(nil), f.names...) }

// Info returns the description of a tensor.
func (f *File) Info(name string) (TensorInfo, bool) {
	t, ok := f.infos[name]
	if ok {
		t.Shape = append([]int(nil), t.Shape...)
	}
	return t, ok
}

// Metadata returns a copy of the "__metadata__" map (empty if absent).
func (f *File) Metadata() map[string]string {
	m := make(map[string]string, len(f.metadata))
	for k, v := range f.metadata {
		m[k] = v
	}
	return m
}

// Bytes returns the raw little-endian bytes of a tensor without copying. The
// slice aliases the file mapping: read only, and not after Close.
func (f *File) Bytes(name string) ([]byte, TensorInfo, error) {
	t, ok := f.Info(name)
	if !ok {
		return nil, TensorInfo{}, fmt.Errorf("safetensors: no tensor %q", name)
	}
	if f.data == nil && t.End > 0 {
		return nil, t, fmt.Errorf("safetensors: tensor %q: file is closed", name)
	}
	return f.data[t.Begin:t.End:t.End], t, nil
}

// Float32 returns a tensor converted to float32 (from F32, F16, BF16 or F64)
// together with its shape.
func (f *File) Float32(name string) ([]float32, []int, error) {
	raw, t, err := f.Bytes(name)
	if err != nil {
		return nil, nil, err
	}
	out := make([]float32, t.NumElements())
	if err := decodeFloat32(t.DType, raw, out); err != nil {
		return nil, nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
	}
	return out, t.Shape, nil
}

// Tensor returns a copy of a tensor's raw data and description.
func (f *File) Tensor(name string) (Tensor, error) {
	raw, t, err := f.Bytes(name)
	if err != nil {
		return Tensor{}, err
	}
	return Tensor{Name: name, DType: t.DType, Shape: t.Shape, Data: append([]byte(nil), raw...)}, nil
}
