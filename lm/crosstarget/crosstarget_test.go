package crosstarget

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// childEnv names the file a child test binary writes its dump to;
// onlyDefaultEnv, when set, restricts it to the default Sgemm kernel.
const (
	childEnv       = "TAONET_CROSSTARGET_OUT"
	onlyDefaultEnv = "TAONET_CROSSTARGET_DEFAULT_KERNEL"
)

// TestChildDump is the child's entry point; in a normal run it does nothing.
func TestChildDump(t *testing.T) {
	out := os.Getenv(childEnv)
	if out == "" {
		t.Skip("runs only as the child of TestCrossTarget")
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := dumpAll(w, "../testdata", os.Getenv(onlyDefaultEnv) != ""); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// target is one build of the test binary.
type target struct {
	name string
	env  []string // GOARCH, GOAMD64
	tags string
	qemu bool // run under qemu-aarch64-static
}

// TestCrossTarget builds this package's test binary for every target, runs
// each (arm64 under qemu-aarch64-static, Debian package qemu-user-static),
// and requires every dump to equal the GOAMD64=v1 one bit for bit.
func TestCrossTarget(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child")
	}
	ci := os.Getenv("CI") == "true"
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		if ci {
			t.Fatalf("the cross-target check runs on linux/amd64 hosts, not %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		t.Skipf("the cross-target check runs on linux/amd64 hosts, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	targets := []target{
		{name: "amd64-v1", env: []string{"GOARCH=amd64", "GOAMD64=v1"}},
		{name: "amd64-v3", env: []string{"GOARCH=amd64", "GOAMD64=v3"}},
		{name: "amd64-purego", env: []string{"GOARCH=amd64", "GOAMD64=v3"}, tags: "purego"},
	}
	if hasV4() {
		targets = append(targets, target{name: "amd64-v4", env: []string{"GOARCH=amd64", "GOAMD64=v4"}})
	} else {
		t.Log("this CPU cannot run GOAMD64=v4 binaries (no AVX-512); skipping that target")
	}
	qemu, err := qemuCommand()
	switch {
	case err == nil:
		targets = append(targets, target{name: "arm64", env: []string{"GOARCH=arm64"}, qemu: true})
	case ci:
		t.Fatalf("%v (scripts/setup.sh test installs it)", err)
	default:
		t.Logf("arm64 not checked: %v", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go") // go test runs with the toolchain's go
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dumps := make([][]byte, len(targets))
	for i, tg := range targets {
		start := time.Now()
		bin := filepath.Join(dir, "crosstarget-"+tg.name)
		args := []string{"test", "-c", "-o", bin}
		if tg.tags != "" {
			args = append(args, "-tags", tg.tags)
		}
		build := exec.CommandContext(ctx, goBin, append(args, ".")...)
		build.Env = append(os.Environ(), append([]string{"CGO_ENABLED=0", "GOOS=linux"}, tg.env...)...)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("%s: go %s: %v\n%s", tg.name, strings.Join(args, " "), err, out)
		}
		built := time.Since(start)
		outFile := filepath.Join(dir, tg.name+".dump")
		cmdArgs := []string{bin, "-test.run", "^TestChildDump$", "-test.count", "1"}
		if tg.qemu {
			cmdArgs = append(qemu, cmdArgs...)
		}
		run := exec.CommandContext(ctx, cmdArgs[0], cmdArgs[1:]...)
		run.Env = append(os.Environ(), childEnv+"="+outFile)
		if tg.qemu {
			// Emulation is ~30x slower: arm64 checks its NEON kernel (what
			// arm64 validators run); the pure-Go kernel is checked by the
			// purego build.
			run.Env = append(run.Env, onlyDefaultEnv+"=1")
		}
		if out, err := run.CombinedOutput(); err != nil {
			t.Fatalf("%s: %s: %v\n%s", tg.name, strings.Join(cmdArgs, " "), err, out)
		}
		data, err := os.ReadFile(outFile)
		if err != nil {
			t.Fatal(err)
		}
		dumps[i] = data
		t.Logf("%s: built in %v, ran in %v", tg.name, built.Round(time.Millisecond), (time.Since(start) - built).Round(time.Millisecond))
	}
	// Every kernel of every target must match the reference target's first
	// kernel (math sections: the reference's math sections).
	ref := parseDump(t, dumps[0])
	refModel := ref.groups[1]
	for i, tg := range targets {
		got := parseDump(t, dumps[i])
		for _, g := range got.groups {
			t.Logf("%s kernel %s: sha256 %x", tg.name, g, got.sections[g].hash())
			want := refModel
			if g == "math" {
				want = "math"
			}
			if diff := describeDiff(ref.sections[want], got.sections[g]); diff != "" {
				t.Errorf("%s kernel %s differs from %s kernel %s:\n%s", tg.name, g, targets[0].name, want, diff)
			}
		}
	}
}

// dump is a parsed dump: per group (math, or a matrix-multiply kernel), its
// sections in order.
type dump struct {
	groups   []string
	sections map[string]*sections
}

// sections maps a section name to its values (hex bit patterns), in order.
type sections struct {
	names []string
	vals  map[string][]string
}

// hash digests the sections' names and values.
func (s *sections) hash() [32]byte {
	h := sha256.New()
	for _, name := range s.names {
		fmt.Fprintf(h, "%s %s\n", name, strings.Join(s.vals[name], " "))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func parseDump(t *testing.T, data []byte) dump {
	d := dump{sections: map[string]*sections{}}
	var cur *sections
	var name string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if rest, ok := strings.CutPrefix(line, "section "); ok {
			full, _, _ := strings.Cut(rest, " ")
			group, n, ok := strings.Cut(full, ":")
			if !ok {
				t.Fatalf("malformed section %q", full)
			}
			if cur = d.sections[group]; cur == nil {
				cur = &sections{vals: map[string][]string{}}
				d.sections[group] = cur
				d.groups = append(d.groups, group)
			}
			name = n
			cur.names = append(cur.names, name)
			continue
		}
		if cur == nil {
			t.Fatalf("malformed dump line %q", line)
		}
		cur.vals[name] = append(cur.vals[name], line)
	}
	if len(d.groups) < 2 || d.groups[0] != "math" {
		t.Fatalf("dump has groups %v, want math and at least one kernel", d.groups)
	}
	return d
}

// describeDiff names every differing section, its first differing value and
// how many values differ ("" when all are equal).
func describeDiff(ref, got *sections) string {
	var b strings.Builder
	for _, name := range ref.names {
		r, g := ref.vals[name], got.vals[name]
		if _, ok := got.vals[name]; !ok {
			fmt.Fprintf(&b, "  %s: missing\n", name)
			continue
		}
		first, n := -1, 0
		for i := range r {
			if i >= len(g) || r[i] != g[i] {
				n++
				if first < 0 {
					first = i
				}
			}
		}
		switch {
		case first >= 0:
			gv := "missing"
			if first < len(g) {
				gv = hexValue(g[first])
			}
			fmt.Fprintf(&b, "  %s: %d of %d values differ; first [%d] = %s, want %s\n", name, n, len(r), first, gv, hexValue(r[first]))
		case len(g) != len(r):
			fmt.Fprintf(&b, "  %s: %d values, want %d\n", name, len(g), len(r))
		}
	}
	for _, name := range got.names {
		if _, ok := ref.vals[name]; !ok {
			fmt.Fprintf(&b, "  %s: extra section\n", name)
		}
	}
	return b.String()
}

// hexValue renders a dumped bit pattern with its float value.
func hexValue(h string) string {
	var bits uint64
	fmt.Sscanf(h, "%x", &bits)
	if len(h) == 8 {
		return fmt.Sprintf("%s (%v)", h, math32frombits(uint32(bits)))
	}
	return fmt.Sprintf("%s (%v)", h, math64frombits(bits))
}

// hasV4 reports whether this CPU runs GOAMD64=v4 code (AVX-512 F, BW, CD,
// DQ, VL on top of v3).
func hasV4() bool {
	x := cpu.X86
	return x.HasAVX2 && x.HasFMA && x.HasBMI1 && x.HasBMI2 && x.HasAVX512F && x.HasAVX512BW && x.HasAVX512CD && x.HasAVX512DQ && x.HasAVX512VL
}

// arm64Sysroot holds the arm64 dynamic loader and libc (Debian package
// libc6-arm64-cross): taonet binaries are dynamically linked even with
// CGO_ENABLED=0, because the optional BLAS loader (ebitengine/purego) needs
// dlopen.
const arm64Sysroot = "/usr/aarch64-linux-gnu"

// qemuCommand returns the command prefix that runs an arm64 Linux binary.
func qemuCommand() ([]string, error) {
	var qemu string
	for _, name := range []string{"qemu-aarch64-static", "qemu-aarch64"} {
		if p, err := exec.LookPath(name); err == nil {
			qemu = p
			break
		}
	}
	if qemu == "" {
		return nil, fmt.Errorf("qemu-aarch64-static not found (Debian package qemu-user-static)")
	}
	if _, err := os.Stat(filepath.Join(arm64Sysroot, "lib", "ld-linux-aarch64.so.1")); err != nil {
		return nil, fmt.Errorf("arm64 dynamic loader missing (Debian package libc6-arm64-cross): %v", err)
	}
	return []string{qemu, "-L", arm64Sysroot}, nil
}
