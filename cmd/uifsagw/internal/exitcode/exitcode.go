// Package exitcode carries a command's exit status through an error: a
// command that ran but found its input wanting (an invalid message, a
// refused transaction) exits 1 after printing what is wrong, which is not
// the same as failing to run.
package exitcode

// Error ends the command with exit status Code, printing Msg (if any) to
// standard error.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Failed is exit status 1 with msg; msg may be empty when everything was
// already printed.
func Failed(msg string) error { return &Error{Code: 1, Msg: msg} }
