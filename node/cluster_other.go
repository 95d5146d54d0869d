//go:build !linux

package node

import "os/exec"

// dieWithParent has no portable equivalent outside Linux; Stop still ends the nodes.
func dieWithParent(*exec.Cmd) {}
