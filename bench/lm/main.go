// Command lm benchmarks the taonet LM engine side by side with PyTorch on the
// same architecture and batch: forward + loss tokens/s, training-step
// (forward, backward, clipping, AdamW) tokens/s, and the peak resident memory
// of evaluation. It prints Go/PyTorch ratios.
//
//	go run ./bench/lm -arch gpt2 -size 124m -B 4 -T 256 -iters 3
//	go run ./bench/lm -arch gpt2 -size 15m -B 8 -T 128 -torch=false
//
// PyTorch runs through Debian's /usr/bin/python3 (python3-torch with
// libopenblas0-pthread) with the same thread count: by default the standard
// torch.nn GPT-2 module of bench/lm/torch_nn_gpt2.py (nn.Embedding,
// nn.LayerNorm, nn.Linear, masked-softmax attention, tanh GELU, tied head),
// or with -ref functional bench/lm/torch_lm.py, the plain-function models of
// scripts/golden_lm.py (GPT-2 and Llama; slower than the module).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/taonet/taonet/lm/kernels"
	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/train"
)

func main() {
	arch := flag.String("arch", "gpt2", "gpt2 or llama")
	size := flag.String("size", "124m", "preset size (tiny, 15m, 124m)")
	B := flag.Int("B", 4, "batch size")
	T := flag.Int("T", 256, "sequence length")
	iters := flag.Int("iters", 3, "timed iterations per mode (after one warmup)")
	mode := flag.String("mode", "both", "eval, train or both")
	threads := flag.Int("threads", 2, "threads for both engines")
	torch := flag.Bool("torch", true, "also run the PyTorch reference")
	python := flag.String("python", "/usr/bin/python3", "Debian python3 with python3-torch")
	ref := flag.String("ref", "nn", "PyTorch reference: nn (standard torch.nn GPT-2 module, torch_nn_gpt2.py; gpt2 only) or functional (torch_lm.py, the golden_lm.py functions; gpt2 and llama)")
	cpuprofile := flag.String("cpuprofile", "", "write a Go CPU profile of the timed Go runs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	runtime.GOMAXPROCS(*threads)
	kernels.SetThreads(*threads)

	cfg, err := model.Preset(model.Arch(*arch), *size)
	check(err)
	m, err := model.New(cfg)
	check(err)
	m.InitRandom(1)
	N := *B * *T
	tokens, targets := make([]int, N), make([]int, N)
	for i := range tokens {
		tokens[i] = (i*7919 + 13) % cfg.VocabSize
	}
	for i := range targets {
		targets[i] = tokens[(i+1)%N]
	}
	fmt.Printf("model %s %s: %d parameters, B=%d T=%d, %d threads, sgemm %s\n", *arch, *size, m.NumParams(), *B, *T, *threads, kernels.Impl())

	res := map[string]float64{}
	if *mode == "eval" || *mode == "both" {
		step := func() {
			_, err := m.TokenNLL(tokens, targets, *B, *T)
			check(err)
		}
		res["eval_tok_s"], res["eval_tok_cpus"] = timeIt(step, *iters, N)
		res["eval_peak_mb"] = peakRSSMB()
		fmt.Printf("go   eval  (forward+loss):  %8.0f tokens/s  %8.0f tokens/CPU-s   peak RSS %.0f MB\n", res["eval_tok_s"], res["eval_tok_cpus"], res["eval_peak_mb"])
		m.ReleaseBuffers()
	}
	if *mode == "train" || *mode == "both" {
		opt := train.NewAdamW(0.1)
		m.AllocGrads()
		step := func() {
			m.ZeroGrads()
			_, _, err := m.ForwardBackward(tokens, targets, *B, *T, 1)
			check(err)
			train.ClipGradNorm(m, 1)
			opt.Step(m, 1e-4)
		}
		res["train_tok_s"], res["train_tok_cpus"] = timeIt(step, *iters, N)
		fmt.Printf("go   train (fwd+bwd+AdamW): %8.0f tokens/s  %8.0f tokens/CPU-s\n", res["train_tok_s"], res["train_tok_cpus"])
	}
	if !*torch {
		return
	}
	_, self, _, _ := runtime.Caller(0)
	args := []string{filepath.Join(filepath.Dir(self), "torch_lm.py"), "--arch", *arch}
	if *ref == "nn" {
		if *arch != "gpt2" {
			fmt.Fprintln(os.Stderr, "-ref nn has GPT-2 only; use -ref functional for llama")
			os.Exit(2)
		}
		args = []string{filepath.Join(filepath.Dir(self), "torch_nn_gpt2.py")}
	}
	args = append(args, "--size", *size, "--B", fmt.Sprint(*B), "--T", fmt.Sprint(*T),
		"--iters", fmt.Sprint(*iters), "--mode", *mode, "--threads", fmt.Sprint(*threads))
	cmd := exec.Command(*python, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pytorch reference failed: %v\n", err)
		os.Exit(1)
	}
	var refRes map[string]float64
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	check(json.Unmarshal([]byte(lines[len(lines)-1]), &refRes))
	for _, k := range []string{"eval", "train"} {
		w, c := k+"_tok_s", k+"_tok_cpus"
		if res[w] > 0 && refRes[w] > 0 {
			fmt.Printf("torch-%s %-5s: %8.0f tokens/s  %8.0f tokens/CPU-s   go/torch = %.2fx wall, %.2fx CPU\n",
				*ref, k, refRes[w], refRes[c], res[w]/refRes[w], res[c]/refRes[c])
			// The line bench/tables turns into BENCHMARKS.md rows.
			fmt.Printf("BENCH\t%s %s, B=%d T=%d, %s\tGo tokens/s=%.0f\tPyTorch (%s) tokens/s=%.0f\tGo/PyTorch=%.2fx\tGo tokens/CPU-s=%.0f\tPyTorch tokens/CPU-s=%.0f\tGo/PyTorch per CPU-s=%.2fx\n",
				*arch, *size, *B, *T, map[string]string{"eval": "forward + loss", "train": "train step"}[k],
				res[w], *ref, refRes[w], res[w]/refRes[w], res[c], refRes[c], res[c]/refRes[c])
		}
	}
	if refRes["eval_peak_mb"] > 0 {
		fmt.Printf("torch eval peak RSS %.0f MB\n", refRes["eval_peak_mb"])
	}
}

// timeIt runs f once to warm up, then iters times, and returns tokens per
// wall-clock second and tokens per CPU second (user+system time of the
// process, less sensitive to other load on a shared machine).
func timeIt(f func(), iters, tokens int) (float64, float64) {
	f()
	start, cpu0 := time.Now(), cpuSeconds()
	for i := 0; i < iters; i++ {
		f()
	}
	n := float64(tokens * iters)
	return n / time.Since(start).Seconds(), n / (cpuSeconds() - cpu0)
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// peakRSSMB reads the process's high-water resident set size (Linux).
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb float64
		if _, err := fmt.Sscanf(sc.Text(), "VmHWM: %f kB", &kb); err == nil {
			return kb / 1024
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
