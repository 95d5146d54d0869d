package feed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// FileName is the store's file inside its directory.
const FileName = "feed.jsonl"

// Store defaults.
const (
	DefaultRetention = 7200 // blocks (one day at 12 s blocks)
	MaxPage          = 1000
)

// Store is a validator's own feed: records with increasing Seq, appended to
// <dir>/feed.jsonl, pruned to a block retention window. Safe for concurrent
// use.
type Store struct {
	// Retention keeps records whose Block is within this many blocks of the
	// newest one (0: DefaultRetention). There is no count cap: the store
	// holds its own validator's records, one per step.
	Retention uint64

	mu      sync.Mutex
	path    string
	f       *os.File
	recs    []Record // ascending Seq
	nextSeq uint64
	stale   int // records dropped since the file was last rewritten
}

// OpenStore opens (creating) the store in dir and loads its records. Lines
// that do not parse (a torn last line after a crash) are skipped and
// counted in the log.
func OpenStore(dir string, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	s := &Store{path: filepath.Join(dir, FileName), nextSeq: 1}
	data, err := os.ReadFile(s.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("feed: %w", err)
	}
	bad := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil || r.Seq == 0 {
			bad++
			continue
		}
		s.recs = append(s.recs, r)
	}
	sort.SliceStable(s.recs, func(i, j int) bool { return s.recs[i].Seq < s.recs[j].Seq })
	if n := len(s.recs); n > 0 {
		s.nextSeq = s.recs[n-1].Seq + 1
	}
	if bad > 0 && log != nil {
		log.Warn("feed: skipped unreadable lines", "file", s.path, "lines", bad)
	}
	if bad > 0 {
		if err := s.rewriteLocked(); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	s.f = f
	return s, nil
}

// Close closes the store's file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// Append assigns the next Seq to a signed record, persists it (fsync) and
// prunes records that left the retention window. It returns the Seq.
func (s *Store) Append(r Record) (uint64, error) {
	if err := r.Verify(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return 0, errors.New("feed: store closed")
	}
	r.Seq = s.nextSeq
	line, err := json.Marshal(r)
	if err != nil {
		return 0, fmt.Errorf("feed: %w", err)
	}
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return 0, fmt.Errorf("feed: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return 0, fmt.Errorf("feed: %w", err)
	}
	s.nextSeq++
	s.recs = append(s.recs, r)
	s.pruneLocked(r.Block)
	return r.Seq, nil
}

func (s *Store) pruneLocked(head uint64) {
	ret := s.Retention
	if ret == 0 {
		ret = DefaultRetention
	}
	cut := 0
	for cut < len(s.recs) && s.recs[cut].Block+ret < head {
		cut++
	}
	if cut == 0 {
		return
	}
	s.recs = append([]Record(nil), s.recs[cut:]...)
	s.stale += cut
	if s.stale > len(s.recs) && s.stale > 64 {
		if err := s.rewriteLocked(); err == nil {
			s.stale = 0
		}
	}
}

// rewriteLocked replaces the file with the kept records (temp file, fsync,
// rename), then reopens it for appending.
func (s *Store) rewriteLocked() error {
	var buf bytes.Buffer
	for _, r := range s.recs {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("feed: %w", err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := writeAtomic(s.path, buf.Bytes()); err != nil {
		return err
	}
	if s.f != nil {
		s.f.Close()
		f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			s.f = nil
			return fmt.Errorf("feed: %w", err)
		}
		s.f = f
	}
	return nil
}

// Page returns up to limit records with Seq > since (limit capped at
// MaxPage), in Seq order, and the cursor to ask for next (the last Seq
// returned, or since when none).
func (s *Store) Page(since uint64, limit int) ([]Record, uint64) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.recs), func(i int) bool { return s.recs[i].Seq > since })
	end := min(len(s.recs), i+limit)
	out := append([]Record(nil), s.recs[i:end]...)
	next := since
	if len(out) > 0 {
		next = out[len(out)-1].Seq
	}
	return out, next
}

// Len returns the number of records kept.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

// writeAtomic writes data to path through a synced temp file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("feed: %w", err)
	}
	return nil
}
