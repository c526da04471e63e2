// Package exitcode owns jmcheck's process exit codes and the error type that
// carries one from a command to main. The codes follow grafana/k6's errext:
// a CI job reads the code, not the text.
package exitcode

import (
	"errors"
	"fmt"
)

// The exit codes of every jmcheck command.
const (
	OK             = 0 // everything passed
	Failed         = 1 // scenarios failed, thresholds crossed, mutants survived
	Usage          = 2 // bad flags, bad config, a tag filter that selects nothing
	TargetUnusable = 3 // the target is unreachable or rejects the credentials
)

// Error is an error that names the exit code the process should end with.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New wraps err so that the process exits with code. A nil err stays nil.
func New(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Newf formats an error that exits with code.
func Newf(code int, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Of returns the exit code for err: OK for nil, the code of the first *Error
// in its chain, and Failed for any other error.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failed
}
