package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

// main finds the status however deep the error was wrapped.
func TestFailedIsStatusOneThroughWrapping(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("validate: %w", Failed("2 error(s)"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal("the exit status is lost in wrapping")
	}
	if e.Code != 1 || e.Msg != "2 error(s)" || e.Error() != "2 error(s)" {
		t.Fatalf("got %+v", e)
	}
}
