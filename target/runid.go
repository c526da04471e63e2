package target

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
)

// The run id grammar, the one rule for every command: a letter, then up to
// 15 ASCII letters or digits, so that every name built on it fits the
// username rules of spec/PROFILE.md §3 with room for what follows. A UUID
// (a Kubernetes Job's uid, say) is shortened to "j" and its first 8 hex
// digits, so that every pod of one Job shares one run id.
var (
	runIDPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,15}$`)
	uuidPattern  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// ParseRunID reads a run id given by the user (name says where it came
// from, such as "--run-id" or "JMCHECK_RUN_ID"). "" stays "": the caller
// draws a fresh one with NewRunID.
func ParseRunID(name, id string) (string, error) {
	id = strings.TrimSpace(id)
	switch {
	case id == "" || runIDPattern.MatchString(id):
		return id, nil
	case uuidPattern.MatchString(id):
		return "j" + strings.ToLower(id[:8]), nil
	}
	return "", fmt.Errorf("%s %q: want a letter, then up to 15 letters or digits (or a UUID, which becomes j and its first 8 hex digits), so that the names built on it fit spec/PROFILE.md §3", name, Printable(id))
}

// ValidRunID reports whether id is a run id as ParseRunID leaves it.
func ValidRunID(id string) bool { return runIDPattern.MatchString(id) }

// NewRunID returns a short random run id that fits the grammar: parallel
// runs on one server never collide.
func NewRunID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	out := make([]byte, len(b)+1)
	out[0] = 'j'
	for i, c := range b {
		out[i+1] = alphabet[int(c)%len(alphabet)]
	}
	return string(out)
}
