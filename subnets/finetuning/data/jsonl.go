package data

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// MaxLineBytes bounds one JSONL line.
const MaxLineBytes = 4 << 20

// JSONL is a Source over JSONL files whose lines are
// {"prompt": string, "response": string[, "block": uint][, "id": string]}.
// Files are re-read on every call, so data appended by another process is
// picked up. Samples without a block are undated and belong to every window;
// samples without an id get ContentID. Duplicate ids keep the first sample
// in canonical order.
type JSONL struct {
	Paths []string
}

// NewJSONL returns a JSONL source over paths.
func NewJSONL(paths ...string) *JSONL { return &JSONL{Paths: paths} }

// Samples implements Source.
func (j *JSONL) Samples(ctx context.Context, sinceBlock, untilBlock uint64) ([]Sample, error) {
	if len(j.Paths) == 0 {
		return nil, errors.New("jsonl source: no files")
	}
	var all []Sample
	for _, p := range j.Paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("jsonl source: %w", err)
		}
		s, err := ReadJSONL(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("jsonl source %s: %w", p, err)
		}
		all = append(all, s...)
	}
	var out []Sample
	for _, s := range all {
		if s.Block == 0 || (s.Block >= sinceBlock && s.Block <= untilBlock) {
			out = append(out, s)
		}
	}
	return Dedup(out), nil
}

type jsonLine struct {
	Prompt   *string `json:"prompt"`
	Response *string `json:"response"`
	Block    uint64  `json:"block"`
	ID       string  `json:"id"`
}

// ReadJSONL parses sample lines. Blank lines are skipped; a malformed line
// is an error naming its line number.
func ReadJSONL(r interface{ Read([]byte) (int, error) }) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLineBytes)
	var out []Sample
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var l jsonLine
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if l.Prompt == nil || l.Response == nil {
			return nil, fmt.Errorf("line %d: want \"prompt\" and \"response\" strings", line)
		}
		if strings.TrimSpace(*l.Response) == "" {
			return nil, fmt.Errorf("line %d: empty response", line)
		}
		s := Sample{Prompt: *l.Prompt, Response: *l.Response, Block: l.Block, ID: l.ID}
		if s.ID == "" {
			s.ID = ContentID(s)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, MaxLineBytes)
		}
		return nil, err
	}
	return out, nil
}

// WriteJSONL encodes samples as JSONL lines.
func WriteJSONL(samples []Sample) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, s := range samples {
		enc.Encode(s)
	}
	return b.Bytes()
}

// ContentID is a stable id from a sample's content and block: hex of the
// first 16 bytes of sha256(block ‖ len(prompt) ‖ prompt ‖ response).
func ContentID(s Sample) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], s.Block)
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(len(s.Prompt)))
	h.Write(n[:])
	h.Write([]byte(s.Prompt))
	h.Write([]byte(s.Response))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Dedup sorts samples canonically (SortSamples) and keeps the first of each id.
func Dedup(s []Sample) []Sample {
	s = append([]Sample(nil), s...)
	SortSamples(s)
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, x := range s {
		if seen[x.ID] {
			continue
		}
		seen[x.ID] = true
		out = append(out, x)
	}
	return out
}

// Select picks n samples deterministically from a seed (e.g. a block hash):
// samples are ranked by sha256(seed ‖ len(id) ‖ id) and the n lowest are
// returned in rank order. The input order does not matter (ids must be
// unique, see Dedup), so every validator with the same window and seed picks
// the same samples in the same order. n <= 0 or n >= len returns all, ranked.
func Select(samples []Sample, seed []byte, n int) []Sample {
	type ranked struct {
		key [32]byte
		s   Sample
	}
	rs := make([]ranked, len(samples))
	for i, s := range samples {
		h := sha256.New()
		h.Write(seed)
		var l [8]byte
		binary.BigEndian.PutUint64(l[:], uint64(len(s.ID)))
		h.Write(l[:])
		h.Write([]byte(s.ID))
		copy(rs[i].key[:], h.Sum(nil))
		rs[i].s = s
	}
	sort.Slice(rs, func(a, b int) bool {
		if c := bytes.Compare(rs[a].key[:], rs[b].key[:]); c != 0 {
			return c < 0
		}
		return rs[a].s.ID < rs[b].s.ID
	})
	if n <= 0 || n > len(rs) {
		n = len(rs)
	}
	out := make([]Sample, n)
	for i := range out {
		out[i] = rs[i].s
	}
	return out
}

// Union is a Source returning the samples of all its sources, deduplicated
// by id (e.g. local JSONL files plus the prompting feed). Any source's error
// fails the call: a validator must not score on a partial window.
type Union []Source

// Samples implements Source.
func (u Union) Samples(ctx context.Context, sinceBlock, untilBlock uint64) ([]Sample, error) {
	var all []Sample
	for i, s := range u {
		got, err := s.Samples(ctx, sinceBlock, untilBlock)
		if err != nil {
			return nil, fmt.Errorf("source %d: %w", i+1, err)
		}
		all = append(all, got...)
	}
	return Dedup(all), nil
}
