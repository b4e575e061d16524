//go:build !unix

package testkit

import (
	"os/exec"
	"syscall"
)

// inGroup does nothing where there are no process groups.
func inGroup(*exec.Cmd) {}

// signalGroup sends sig to cmd alone, or kills it where signals cannot
// be sent.
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.Process.Signal(sig) != nil {
		cmd.Process.Kill()
	}
}
