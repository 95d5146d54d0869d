package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/taonet/taonet/node"
)

// Blocks follows the nodes' block streams (server-sent events) and delivers
// every committed block summary, reconnecting (to the next node) when a
// stream breaks. Heights are delivered in increasing order without repeats;
// the channel closes when ctx ends.
func (c *Client) Blocks(ctx context.Context) <-chan node.BlockSummary {
	out := make(chan node.BlockSummary, 16)
	go func() {
		defer close(out)
		var last uint64
		idx := int(c.cur.Load())
		backoff := c.backoff
		for ctx.Err() == nil {
			err := c.stream(ctx, c.urls[idx%len(c.urls)], func(b node.BlockSummary) bool {
				if b.Height <= last {
					return true
				}
				last = b.Height
				backoff = c.backoff
				select {
				case out <- b:
					return true
				case <-ctx.Done():
					return false
				}
			})
			if ctx.Err() != nil {
				return
			}
			_ = err
			idx++
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
		}
	}()
	return out
}

func (c *Client) stream(ctx context.Context, base string, deliver func(node.BlockSummary) bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/blocks/stream", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	hc := *c.hc
	hc.Timeout = 0
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("block stream: " + resp.Status)
	}
	return readSSE(resp.Body, func(event, data string) bool {
		if event != "block" {
			return true
		}
		var b node.BlockSummary
		if json.Unmarshal([]byte(data), &b) != nil {
			return true
		}
		return deliver(b)
	})
}

// readSSE parses a server-sent event stream, calling fn per event until fn
// returns false or the stream ends. Lines are capped at 1 MiB.
func readSSE(r io.Reader, fn func(event, data string) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var event string
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data.Len() > 0 || event != "" {
				ev := event
				if ev == "" {
					ev = "message"
				}
				if !fn(ev, strings.TrimSuffix(data.String(), "\n")) {
					return nil
				}
			}
			event = ""
			data.Reset()
		case strings.HasPrefix(line, ":"):
			// comment / heartbeat
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				event = value
			case "data":
				data.WriteString(value)
				data.WriteByte('\n')
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.EOF
}
