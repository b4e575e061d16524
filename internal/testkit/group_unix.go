//go:build unix

package testkit

import (
	"os/exec"
	"syscall"
)

// inGroup makes cmd, once started, lead a process group of its own, so
// that signalGroup reaches its children too (nginx's workers, say).
func inGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// signalGroup sends sig to the process group that cmd leads.
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	syscall.Kill(-cmd.Process.Pid, sig)
}
