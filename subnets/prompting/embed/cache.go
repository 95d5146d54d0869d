package embed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// cacheMagic starts a binary vector cache (version 1).
const cacheMagic = "TAONET-WV1\n"

// LoadWinkCached is LoadWink with a binary cache: the first load writes
// "<path>.<maxWords>.bin" (atomically, best effort: an unwritable directory
// only costs speed); later loads read it when its recorded source size and
// modification time still match the JSON file.
func LoadWinkCached(path string, maxWords int) (*WordVectors, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("embed: %w (install with scripts/setup.sh)", err)
	}
	cache := fmt.Sprintf("%s.%d.bin", path, maxWords)
	if wv, err := readCache(cache, st); err == nil {
		return wv, nil
	}
	wv, err := LoadWink(path, maxWords)
	if err != nil {
		return nil, err
	}
	_ = writeCache(cache, st, wv)
	return wv, nil
}

func writeCache(path string, src os.FileInfo, wv *WordVectors) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wvcache-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	words := make([]string, len(wv.weights))
	for word, i := range wv.index {
		words[i] = word
	}
	w.WriteString(cacheMagic)
	hdr := []uint64{uint64(src.Size()), uint64(src.ModTime().UnixNano()), uint64(wv.dim), uint64(len(words))}
	binary.Write(w, binary.LittleEndian, hdr)
	for _, word := range words {
		binary.Write(w, binary.LittleEndian, uint16(len(word)))
		w.WriteString(word)
	}
	buf := make([]byte, 4*len(wv.vecs))
	for i, x := range wv.vecs {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
	}
	w.Write(buf)
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func readCache(path string, src os.FileInfo) (*WordVectors, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	magic := make([]byte, len(cacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != cacheMagic {
		return nil, errors.New("embed: not a vector cache")
	}
	hdr := make([]uint64, 4)
	if err := binary.Read(r, binary.LittleEndian, hdr); err != nil {
		return nil, err
	}
	if hdr[0] != uint64(src.Size()) || hdr[1] != uint64(src.ModTime().UnixNano()) {
		return nil, errors.New("embed: stale vector cache")
	}
	dim, n := int(hdr[2]), int(hdr[3])
	if dim <= 0 || dim > 4096 || n <= 0 || n > 10_000_000 {
		return nil, errors.New("embed: corrupt vector cache")
	}
	wv := &WordVectors{dim: dim, index: make(map[string]int32, n), weights: make([]float32, n)}
	for i := 0; i < n; i++ {
		var l uint16
		if err := binary.Read(r, binary.LittleEndian, &l); err != nil {
			return nil, err
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		wv.index[string(b)] = int32(i)
	}
	buf := make([]byte, 4*dim*n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	wv.vecs = make([]float32, dim*n)
	for i := range wv.vecs {
		wv.vecs[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	if len(wv.index) != n {
		return nil, errors.New("embed: corrupt vector cache (duplicate words)")
	}
	wv.setWeights()
	return wv, nil
}
