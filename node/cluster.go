package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// ClusterOptions configure StartCluster.
type ClusterOptions struct {
	// Dir holds the node homes (Dir/node0 ...) and cluster.json.
	Dir string
	// Nodes is the number of validators (used when Dir is new).
	Nodes int
	// Binary is the taonet executable run as `Binary chain start --home H`
	// (default: this process's executable).
	Binary string
	// ChainID, AppState, BlockTime and BasePort are used when Dir is new.
	ChainID   string
	AppState  []byte
	BlockTime time.Duration
	BasePort  int
	// ReadyTimeout bounds the wait for every API to answer (default 60 s).
	ReadyTimeout time.Duration
}

// Cluster is a local multi-validator network of node processes, each
// logging to <home>/node.log. Restartable: a second StartCluster on the same
// Dir resumes the existing chain.
type Cluster struct {
	Nodes  []TestnetNode
	binary string

	mu    sync.Mutex
	procs []*clusterProc
}

type clusterProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

const clusterFile = "cluster.json"

// StartCluster generates the cluster on first use (GenerateTestnet), starts
// every node process and waits until each JSON API answers.
func StartCluster(ctx context.Context, o ClusterOptions) (*Cluster, error) {
	if o.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		o.Binary = exe
	}
	var nodes []TestnetNode
	meta := filepath.Join(o.Dir, clusterFile)
	if b, err := os.ReadFile(meta); err == nil {
		if err := json.Unmarshal(b, &nodes); err != nil {
			return nil, fmt.Errorf("%s: %w", meta, err)
		}
	} else if errors.Is(err, os.ErrNotExist) {
		ns, err := GenerateTestnet(TestnetOptions{Out: o.Dir, Nodes: o.Nodes, ChainID: o.ChainID, AppState: o.AppState,
			BasePort: o.BasePort, BlockTime: o.BlockTime})
		if err != nil {
			return nil, err
		}
		b, _ := json.MarshalIndent(ns, "", "  ")
		if err := os.WriteFile(meta, b, 0o600); err != nil {
			return nil, err
		}
		nodes = ns
	} else {
		return nil, err
	}
	c := &Cluster{Nodes: nodes, binary: o.Binary, procs: make([]*clusterProc, len(nodes))}
	for i := range nodes {
		if err := c.Start(i); err != nil {
			c.Stop()
			return nil, err
		}
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	rctx, cancel := context.WithTimeout(ctx, o.ReadyTimeout)
	defer cancel()
	for _, n := range nodes {
		if err := waitHealthy(rctx, "http://"+n.APIAddr); err != nil {
			c.Stop()
			return nil, fmt.Errorf("node %s: %w (see %s)", n.Home, err, filepath.Join(n.Home, "node.log"))
		}
	}
	return c, nil
}

func waitHealthy(ctx context.Context, url string) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("API %s not ready: %w", url, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// URLs returns the JSON API base URLs of all nodes.
func (c *Cluster) URLs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = "http://" + n.APIAddr
	}
	return out
}

// Start (re)starts node i's process if it is not running.
func (c *Cluster) Start(i int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[i]; p != nil {
		select {
		case <-p.done:
		default:
			return nil
		}
	}
	n := c.Nodes[i]
	logf, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.binary, "chain", "start", "--home", n.Home)
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", n.Home, err)
	}
	p := &clusterProc{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(p.done) }()
	c.procs[i] = p
	return nil
}

// Kill sends SIGKILL to node i and waits for it to exit (a crash).
func (c *Cluster) Kill(i int) {
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop ends every node: SIGTERM, then SIGKILL after 10 s.
func (c *Cluster) Stop() {
	c.mu.Lock()
	procs := append([]*clusterProc(nil), c.procs...)
	c.mu.Unlock()
	for _, p := range procs {
		if p != nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range procs {
		if p == nil {
			continue
		}
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.done
		}
	}
}
