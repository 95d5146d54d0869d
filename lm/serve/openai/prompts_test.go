package openai

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestPrompts(t *testing.T) {
	ok := []struct {
		raw  string
		want []Prompt
	}{
		{`"hi"`, []Prompt{{Text: "hi"}}},
		{`["a", "b"]`, []Prompt{{Text: "a"}, {Text: "b"}}},
		{`[1, 2, 3]`, []Prompt{{IDs: []int{1, 2, 3}}}},
		{`[[1], [0, 5]]`, []Prompt{{IDs: []int{1}}, {IDs: []int{0, 5}}}},
		{` [ 7 ] `, []Prompt{{IDs: []int{7}}}},
	}
	for _, c := range ok {
		got, err := CompletionRequest{Prompt: json.RawMessage(c.raw)}.Prompts()
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, %v", c.raw, got, err)
		}
	}
	bad := []struct{ raw, msg string }{
		{``, "required"},
		{`null`, "required"},
		{`[]`, "empty array"},
		{`[[]]`, "must not be empty"},
		{`[1, -2]`, "-2 at 1"},
		{`[1.5]`, "1.5 at 0"},
		{`[4294967296]`, "32-bit"},
		{`["a", 1]`, "only strings"},
		{`[1, "a"]`, "array of integers"},
		{`[[1], 2]`, "prompt[1]"},
		{`{"a":1}`, "must be a string"},
		{`[` + strings.Repeat(`"x",`, MaxPrompts) + `"x"]`, "at most"},
	}
	for _, c := range bad {
		_, err := CompletionRequest{Prompt: json.RawMessage(c.raw)}.Prompts()
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err %v, want %q", c.raw, err, c.msg)
		}
	}
}

// FuzzPrompts: any JSON prompt either parses into non-empty prompts with
// non-negative ids, or fails with an error; never a panic.
func FuzzPrompts(f *testing.F) {
	for _, s := range []string{`"x"`, `["a","b"]`, `[1,2]`, `[[1],[2,3]]`, `[[]]`, `[1,"a"]`, `[-1]`, `[1e3]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return
		}
		ps, err := CompletionRequest{Prompt: json.RawMessage(raw)}.Prompts()
		if err != nil {
			return
		}
		if len(ps) == 0 || len(ps) > MaxPrompts {
			t.Fatalf("%s: %d prompts", raw, len(ps))
		}
		for _, p := range ps {
			if p.IDs != nil && len(p.IDs) == 0 {
				t.Fatalf("%s: empty id prompt", raw)
			}
			for _, id := range p.IDs {
				if id < 0 {
					t.Fatalf("%s: id %d", raw, id)
				}
			}
		}
	})
}
