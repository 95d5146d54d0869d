package synapse

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/taonet/taonet/synapse/h1"
)

// FuzzRequestFieldsMatchHeaderMap: the axon reads a request's synapse headers from
// h1's field slice (parseFields) as it read them from the header map net/http's
// server builds of the same fields (ParseHeaders, canonical keys, the first value
// of a repeated field): the same request, or both refuse. The one difference is
// deliberate: a malformed repeat of a field is refused, where the map hid it
// behind the first value.
func FuzzRequestFieldsMatchHeaderMap(f *testing.F) {
	f.Add("name: StreamPromptingSynapse\ntimeout: 12.0\nbt_header_dendrite_nonce: 1733472000123456789\nbt_header_dendrite_hotkey: 5Grw\nbt_header_input_obj_messages: W10=\ncomputed_body_hash: abc\nContent-Type: application/json")
	f.Add("Timeout: 5\ntimeout: 7\nTIMEOUT: x")
	f.Add("bt_header_axon_port: 1\nBt_Header_Axon_Port: 70000")
	f.Add("bt_header_dendrite_version: 7002000\nheader_size: 1e3\ntotal_size:  7 ")
	f.Fuzz(func(t *testing.T, s string) {
		var fields h1.Header
		m := http.Header{}
		for line := range strings.SplitSeq(s, "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok || k == "" || strings.ContainsFunc(k, func(r rune) bool { return !isToken(r) }) {
				continue
			}
			v = strings.Trim(v, " \t")
			fields = append(fields, h1.Field{Name: k, Value: v})
			ck := http.CanonicalHeaderKey(k)
			m[ck] = append(m[ck], v)
		}
		want, werr := ParseHeaders(m)
		var got Request
		gerr := got.parseFields(fields)
		switch {
		case werr != nil && gerr == nil:
			t.Fatalf("%q: the map path refuses (%v), the field path accepts", s, werr)
		case werr == nil && gerr != nil:
			if !malformedRepeat(m) {
				t.Fatalf("%q: the field path refuses (%v) without a malformed repeat", s, gerr)
			}
		case werr == nil && !reflect.DeepEqual(&got, want):
			t.Fatalf("%q: fields %+v, map %+v", s, got, *want)
		}
	})
}

// isToken reports an RFC 9110 tchar, the only bytes h1 lets into a field name.
func isToken(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
}

// malformedRepeat reports a repeated field one of whose later values the synapse
// header parser refuses.
func malformedRepeat(m http.Header) bool {
	for k, vs := range m {
		for _, v := range vs[1:] {
			if (&Request{}).setHeader(k, v) != nil {
				return true
			}
		}
	}
	return false
}
