// Command gobench turns `go test -bench` output into the BENCH lines that
// bench/tables puts into BENCHMARKS.md, so a Go benchmark can be run by
// scripts/bench.sh like the others:
//
//	go test -run '^$' -bench Epoch -benchmem ./yuma/ | go run ./bench/gobench
//
// Every input line is echoed unchanged (the raw log keeps the whole output);
// each benchmark result line ("BenchmarkX/case-2  20  13900000 ns/op ...")
// adds one BENCH row: the name without the "Benchmark" prefix and the -GOMAXPROCS
// suffix, the time per operation in ms, and every further metric it reports
// (B/op, allocs/op; custom ns/op metrics such as cpu-ns/op also in ms). A failing or empty run
// makes gobench exit non-zero, so the bench script records the failure.
package main
