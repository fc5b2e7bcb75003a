//go:build !linux

package pgserver

import "syscall"

func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}

func lockThread()   {}
func unlockThread() {}
