package hub

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAllowListed(t *testing.T) {
	calls := 0
	members := []string{"a"}
	var fail error
	allow := AllowListed(func(context.Context) ([]string, error) {
		calls++
		return append([]string(nil), members...), fail
	}, time.Hour)
	ctx := context.Background()
	if err := allow(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := allow(ctx, "a"); err != nil || calls != 1 {
		t.Fatalf("cached: %v, %d fetches", err, calls)
	}
	if err := allow(ctx, "b"); err == nil {
		t.Fatal("b allowed")
	}
	fail = errors.New("node down")
	bad := AllowListed(func(context.Context) ([]string, error) { return nil, fail }, time.Hour)
	if err := bad(ctx, "a"); err == nil || !errors.Is(err, fail) {
		t.Fatalf("fetch failure: %v", err)
	}
	// A newly registered hotkey is picked up by the early refresh.
	fail = nil
	members = []string{"a", "c"}
	refreshing := AllowListed(func(context.Context) ([]string, error) { return members, nil }, 0)
	if err := refreshing(ctx, "c"); err != nil {
		t.Fatal(err)
	}
}
