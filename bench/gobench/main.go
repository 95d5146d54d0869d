package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	n, err := convert(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
	if n == 0 {
		fmt.Fprintln(os.Stderr, "gobench: no benchmark results in the input")
		os.Exit(1)
	}
}

// convert copies r to w, adding a BENCH line after each benchmark result,
// and returns how many results it saw. A "FAIL" line is an error.
func convert(r io.Reader, w io.Writer) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(w, line)
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") {
			return n, fmt.Errorf("the benchmark run failed: %s", line)
		}
		if row, ok := benchRow(line); ok {
			fmt.Fprintln(w, row)
			n++
		}
	}
	return n, sc.Err()
}

// benchRow parses one result line of the testing package's output format
// ("name iterations value unit [value unit ...]").
func benchRow(line string) (string, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", false
	}
	if _, err := strconv.ParseUint(f[1], 10, 64); err != nil {
		return "", false
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	cols := []string{"BENCH", name}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", false
		}
		unit := f[i+1]
		if prefix, ok := strings.CutSuffix(unit, "ns/op"); ok {
			// ns/op and custom CPU-time metrics such as cpu-ns/op read as ms.
			label := "time per op"
			if prefix != "" {
				label = strings.TrimSuffix(prefix, "-") + " time per op"
			}
			cols = append(cols, label+"="+fmtMs(v/1e6))
			continue
		}
		cols = append(cols, unit+"="+strconv.FormatFloat(v, 'f', -1, 64))
	}
	return strings.Join(cols, "\t"), true
}

func fmtMs(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 1:
		return fmt.Sprintf("%.2f ms", ms)
	default:
		return fmt.Sprintf("%.3f ms", ms)
	}
}
