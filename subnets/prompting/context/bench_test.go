package context

import (
	"bytes"
	"os"
	"testing"
)

func BenchmarkReadDump(b *testing.B) {
	data, _ := os.ReadFile("testdata/dump.xml")
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := ReadDump(bytes.NewReader(data), DumpOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
