package synapse

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkAxonServe measures the axon's side of verified requests: the requests are
// signed and serialized before the timer starts, and a minimal client writes them on
// keep-alive loopback connections and skims the responses, so nearly all of the
// process CPU (cpu-ns/op) is the axon's: net/http's server, header parsing, nonce and
// signature checks, body hash, handler, response signing and writing.
func BenchmarkAxonServe(b *testing.B) {
	for _, conns := range []int{1, 8} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			_, target := echoAxon(b, AxonConfig{MaxConcurrent: 256}, Options{})
			reqs := make([][][]byte, conns)
			nonce := time.Now().UnixNano()
			for i := range b.N {
				c := i % conns
				nonce++
				hr := rawRequest{signer: key(b, "Alice"), nonce: nonce, uuid: fmt.Sprintf("bench-%d", c),
					messages: []string{"What is the capital of France?"}}.build(b, target)
				var buf bytes.Buffer
				if err := hr.Write(&buf); err != nil {
					b.Fatal(err)
				}
				reqs[c] = append(reqs[c], buf.Bytes())
			}
			addr := net.JoinHostPort(target.IP, strconv.Itoa(target.Port))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			var wg sync.WaitGroup
			for c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := replay(addr, reqs[c]); err != nil {
						b.Error(err)
					}
				}()
			}
			wg.Wait()
			reportCPU(b, cpu0)
		})
	}
}

// replay sends reqs one after another on one connection and checks each response is
// a 200 with a Content-Length body.
func replay(addr string, reqs [][]byte) error {
	if len(reqs) == 0 {
		return nil
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 16<<10)
	for _, r := range reqs {
		if _, err := conn.Write(r); err != nil {
			return err
		}
		if err := skimResponse(br); err != nil {
			return err
		}
	}
	return nil
}

// skimResponse reads one response head and its Content-Length body.
func skimResponse(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", line)
	}
	n := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(": ")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			n, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return err
			}
		}
	}
	if n < 0 {
		return fmt.Errorf("response without Content-Length")
	}
	_, err = br.Discard(n)
	return err
}
