package hub

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDownloadLoopback measures a full verified download (HTTP over
// 127.0.0.1, sha256 verification, cache write, hard link into the snapshot)
// of a 64 MiB model from a fresh cache each iteration.
func BenchmarkDownloadLoopback(b *testing.B) {
	const size = 64 << 20
	st, err := OpenStore(b.TempDir(), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rev, err := st.ImportDir("ns/m", "", makeModel(b, 1, size))
	if err != nil {
		b.Fatal(err)
	}
	h := newBenchHub(b, st)
	b.SetBytes(rev.TotalSize())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := NewClient(h, b.TempDir())
		b.StartTimer()
		if _, err := c.Download(context.Background(), "ns/m", rev.ID, "", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirHash measures the model hash over a 64 MiB weights file.
func BenchmarkDirHash(b *testing.B) {
	dir := makeModel(b, 2, 64<<20)
	var total int64
	files, _ := HashedFiles(dir)
	for _, f := range files {
		st, _ := os.Stat(filepath.Join(dir, f))
		total += st.Size()
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DirHash(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUploadLoopback measures a signed upload of a 64 MiB model
// (client hashing, preupload, blob PUT with server-side verification and
// fsync, commit) into a fresh store each iteration.
func BenchmarkUploadLoopback(b *testing.B) {
	src := makeModel(b, 3, 64<<20)
	files, _ := HashedFiles(src)
	var total int64
	for _, f := range files {
		st, _ := os.Stat(filepath.Join(src, f))
		total += st.Size()
	}
	alice := mustKey(b, "//Alice")
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := OpenStore(b.TempDir(), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		c := NewClient(newBenchHub(b, st), b.TempDir())
		b.StartTimer()
		if _, err := c.Upload(context.Background(), alice, "alice/m", src); err != nil {
			b.Fatal(err)
		}
	}
}
