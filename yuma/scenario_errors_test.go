package yuma

import (
	"strings"
	"testing"
)

// TestParseScenarioErrors pins the exact message for each kind of bad input the
// issue names (wrong lengths, uid out of range, u16 overflow, malformed JSON):
// the fuzz test only checks that some field is named.
func TestParseScenarioErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{bad`, "scenario: malformed JSON at byte 2"},
		{``, "scenario: empty or truncated JSON"},
		{`{"block":1,"stake":[1,2`, "scenario: empty or truncated JSON"},
		{`[]`, "scenario: cannot use JSON array as a JSON object"},
		{`{"block":1,"stake":[1,2]} {}`, "scenario: trailing data after the JSON object"},
		{`{"stake":[1]}`, "block: required"},
		{`{"block":1}`, "stake: required"},
		{`{"block":1,"stake":[1,2],"foo":1}`, `unknown key "foo"`},
		{`{"block":1,"stake":[1,-2]}`, "stake: cannot use JSON number -2 as uint64"},
		{`{"block":1,"kappa":70000,"stake":[1,2]}`, "kappa: cannot use JSON number 70000 as uint16"},
		{`{"block":1,"stake":[1,2],"last_update":[1]}`, "last_update: 1 entries, want 2"},
		{`{"block":1,"stake":[1,2],"weights":[[[5,1]],[]]}`, "weights[0][0]: uid 5 out of range [0, 2)"},
		{`{"block":1,"stake":[1,2],"weights":[[[1,70000]],[]]}`, "weights[0][0]: value 70000 overflows u16"},
		{`{"block":1,"stake":[1,2],"weights":[[[1,1,3]],[]]}`, "weights[0][0]: want a [uid, value] pair"},
		{`{"block":1,"stake":[1,2],"weights":"x"}`, "weights: want a list of rows"},
		{`{"block":1,"stake":[1,2],"owner_uid":7}`, "owner_uid: 7 is not a uid in [0, 2)"},
	} {
		_, err := ParseScenario(strings.NewReader(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want prefix %q", tc.in, err, tc.want)
		}
	}
}
