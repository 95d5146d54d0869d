package kernels

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"testing"
)

// goldenDigest is the SHA-256 of the outputs below as computed on amd64
// (AVX-512 kernels): every path on every architecture must reproduce it bit for
// bit. CI checks the host's paths; developers can check arm64 with
// `GOARCH=arm64 go test -c` and qemu-aarch64.
const goldenDigest = "25662e13e11f0e8ced506a2f7480c6d736c379db1f4d813c49f1aaed849e1afc"

func TestGoldenDigest(t *testing.T) {
	h := sha256.New()
	put := func(xs ...float32) {
		var b [4]byte
		for _, x := range xs {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
			h.Write(b[:])
		}
	}
	r := rand.New(rand.NewPCG(42, 42))
	for _, s := range [][3]int{{37, 45, 300}, {1, 70, 129}, {3, 100, 40}, {16, 33, 1000}} {
		for tr := 0; tr < 4; tr++ {
			g := newCase(r, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], 1, 2, 3, 0.7, 0.3)
			for _, kn := range hostKernels() {
				got := g.run(withKernel(kn, 2))
				if kn == hostKernels()[0] {
					put(got...)
				} else if i := bitsEqual(got, g.run(withKernel(hostKernels()[0], 1))); i >= 0 {
					t.Fatalf("%s differs from %s at %d", kn.name, hostKernels()[0].name, i)
				}
			}
		}
	}
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 30)
	}
	e := make([]float32, len(x))
	Exp(e, x)
	put(e...)
	put(Dot(x, e), Sum(x), Max(x), ExpSubSum(nil, x, Max(x)), LogSumExp(x))
	sm := append([]float32(nil), x...)
	Softmax(sm)
	put(sm...)
	gl, gb, sw, dg, du := make([]float32, len(x)), make([]float32, len(x)), make([]float32, len(x)), make([]float32, len(x)), make([]float32, len(x))
	GeluTanh(gl, x)
	GeluTanhBackward(gb, x, sm)
	SwiGLU(sw, x, sm)
	SwiGLUBackward(dg, du, x, sm, e)
	put(gl...)
	put(gb...)
	put(sw...)
	put(dg...)
	put(du...)
	got := hex.EncodeToString(h.Sum(nil))
	if got != goldenDigest {
		t.Errorf("digest %s, want %s", got, goldenDigest)
	}
}
