package node

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes a cluster node exit when the process that started it dies,
// even by SIGKILL, so a killed localnet leaves no orphaned validators behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
