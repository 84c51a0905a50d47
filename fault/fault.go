// Package fault gives meterd's errors a kind: what went wrong in terms a
// caller can act on (the input is wrong, the object does not exist, it
// conflicts with what is there, it is too large, a dependency is away),
// independent of how the caller reports it. The web layer alone turns kinds
// into HTTP statuses; everything below it only says what kind of failure
// it is. An error without a kind is Internal: a bug or an unexpected
// failure, whose text goes to the log rather than to the user.
package fault

import (
	"errors"
	"fmt"
	"time"

	"github.com/meterd/meterd/msg"
)

// Kind classifies a failure by what the caller can do about it.
type Kind int

// The kinds of failure. Internal is the zero value, so an error nobody
// classified is never shown to a user as if it were their mistake.
const (
	Internal    Kind = iota // unexpected: logged, not shown
	Invalid                 // the input is wrong; the message says what to change
	NotFound                // the named meter, object or endpoint does not exist
	Conflict                // the request contradicts the current state
	TooLarge                // the input exceeds a documented limit
	Unavailable             // a dependency is away or busy; try again later
	NoSpace                 // the disk is full: nothing was written
)

var kindNames = [...]string{"internal", "invalid_input", "not_found", "conflict", "too_large", "unavailable", "disk_full"}

// String is the kind's stable machine-readable name (as in an API error's
// "code").
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error is an error with a kind. Its text is meant for the person who
// caused it: it names what is wrong and what to do.
type Error struct {
	Kind  Kind
	err   error
	retry time.Duration
}

func (e *Error) Error() string { return e.err.Error() }

// Unwrap gives the cause, so that errors.Is and errors.As see through the
// kind.
func (e *Error) Unwrap() error { return e.err }

// Errorf makes an error of kind k; %w wraps a cause as fmt.Errorf does.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, err: fmt.Errorf(format, args...)}
}

// New makes an error of kind k that is the message id with args (package
// msg): what a person reads, in the language of the page or reply that
// shows it.
func New(k Kind, id string, args ...any) error {
	return &Error{Kind: k, err: msg.Err(id, args...)}
}

// UnavailableAfter is an Unavailable error with a message that says when to
// try again (an HTTP Retry-After).
func UnavailableAfter(retry time.Duration, id string, args ...any) error {
	return &Error{Kind: Unavailable, err: msg.Err(id, args...), retry: retry}
}

// RetryAfter is when err says to try again; 0 when it does not say.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.retry
	}
	return 0
}

// KindOf returns the kind of the outermost *Error in err's chain, or
// Internal when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
