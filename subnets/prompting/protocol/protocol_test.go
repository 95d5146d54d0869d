package protocol

import (
	"strings"
	"testing"

	"github.com/taonet/taonet/synapse"
)

func TestNameAndHash(t *testing.T) {
	n, err := synapse.Name[StreamPrompting]()
	if err != nil || n != "StreamPromptingSynapse" {
		t.Fatalf("name %q %v", n, err)
	}
	a, err := synapse.BodyHash(NewChallenge("hi"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := synapse.BodyHash(&StreamPrompting{Roles: []string{"user"}, Messages: []string{"hi"}, Completion: "other"})
	if a != b {
		t.Fatal("completion must not feed the body hash")
	}
	c, _ := synapse.BodyHash(NewChallenge("ho"))
	if a == c {
		t.Fatal("messages must feed the body hash")
	}
}

func TestValidate(t *testing.T) {
	ok := NewChallenge("What is 2+2?")
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []*StreamPrompting{
		{},
		{Roles: []string{"user"}, Messages: []string{"a", "b"}},
		{Roles: []string{"robot"}, Messages: []string{"a"}},
		{Roles: []string{"user", "assistant"}, Messages: []string{"a", "b"}},
		{Roles: []string{"user"}, Messages: []string{"\xff\xfe"}},
		{Roles: []string{"user"}, Messages: []string{strings.Repeat("x", MaxMessageBytes+1)}},
		{Roles: make([]string, MaxMessages+1), Messages: make([]string, MaxMessages+1)},
	}
	for i, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("case %d: accepted", i)
		}
	}
	s := &StreamPrompting{Roles: []string{"user", "assistant", "user"}, Messages: []string{"a", "b", "c"}}
	if s.LastUser() != "c" {
		t.Fatal(s.LastUser())
	}
	s.ReceiveChunk([]byte("ab"))
	s.ReceiveChunk([]byte("c"))
	if s.Completion != "abc" {
		t.Fatal(s.Completion)
	}
}

func FuzzDecodeValidate(f *testing.F) {
	f.Add([]byte(`{"roles":["user"],"messages":["hi"]}`))
	f.Add([]byte(`{"roles":["user"],"messages":["hi"],"completion":"x"}`))
	f.Add([]byte(`{"roles":[1],"messages":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := synapse.DecodeBody[StreamPrompting](b)
		if err != nil {
			return
		}
		if s.Validate() == nil && s.LastUser() == "" && len(s.Messages[len(s.Messages)-1]) > 0 {
			t.Fatal("valid request without a last user message")
		}
	})
}
