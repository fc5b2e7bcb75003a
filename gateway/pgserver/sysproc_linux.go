//go:build linux

package pgserver

import (
	"runtime"
	"syscall"
)

// sysProcAttr makes the child die with the thread that started it, so a test
// binary killed by a timeout or a signal cannot leave a postgres behind. The
// kernel clears the parent-death signal on a credential change, which is why
// Go applies it after setuid; we rely on that ordering.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Credential: cred,
		Pdeathsig:  syscall.SIGKILL,
		// A terminal ^C goes to the foreground process group; postgres must
		// only be stopped by Stop so the shutdown is orderly.
		Setpgid: true,
	}
}

// lockThread pins the goroutine that starts a long-lived child to its OS
// thread: Pdeathsig fires when the creating thread exits, not the process, and
// the Go runtime may otherwise retire that thread while the child runs.
func lockThread() { runtime.LockOSThread() }

func unlockThread() { runtime.UnlockOSThread() }
