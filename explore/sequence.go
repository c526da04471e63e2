package explore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Sequence is one generated case, as templates: the users it names and the
// requests it sends, with placeholders (package placeholder) where a name
// or gid goes. It is what --replay reads and what a counterexample prints,
// so the same sequence runs the same way against any target.
type Sequence struct {
	Users []UserSlot `json:"users"`
	Steps []Step     `json:"steps"`
}

// UserSlot is an alias of the case and the shape of its name. Size > 0
// pads the name with x to Size bytes (as the suite's "a fresh username "A"
// of N bytes" does); Suffix ends it (its steps write {u1}@x.y); Template, when set, is the name written with other
// aliases ({upper:u1}: a case variant of u1).
type UserSlot struct {
	Alias    string `json:"alias"`
	Size     int    `json:"size,omitempty"`
	Suffix   string `json:"suffix,omitempty"`
	Template string `json:"template,omitempty"`
}

// Step is one request of a sequence. Batch > 0 stands for the suite's "I
// register a batch of N fresh users "P"": Batch users P1..PN, with the
// setup password. NewGroup names the group a 201 creates; a success of a
// message is remembered for the next message's msg_id check.
type Step struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Body     string `json:"body,omitempty"`
	HasBody  bool   `json:"has_body,omitempty"`
	Batch    int    `json:"batch,omitempty"`
	BatchOf  string `json:"batch_of,omitempty"`
	NewGroup string `json:"new_group,omitempty"`
	// Groups > 0 stands for the suite's "I create N groups "P" owned by
	// "A"": Groups creates owned by the alias Owner, aliases P1..PN (P is
	// NewGroup).
	Groups int    `json:"groups,omitempty"`
	Owner  string `json:"owner,omitempty"`
}

// sequenceFile is the --replay file: a sequence and where it came from.
type sequenceFile struct {
	Profile  string   `json:"profile"`
	Seed     uint64   `json:"seed"`
	Case     int      `json:"case"`
	Found    string   `json:"found,omitempty"` // the divergence, in words
	Sequence Sequence `json:"sequence"`
}

// aliasRE is the grammar of an alias (the suite's).
var aliasRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)

// maxSequenceFile bounds a --replay file.
const maxSequenceFile = 64 << 20

// ReadSequence reads a sequence saved in a report folder (counterexample.json).
func ReadSequence(path string) (Sequence, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Sequence{}, fmt.Errorf("replay: %w", err)
	}
	if st.Size() > maxSequenceFile {
		return Sequence{}, fmt.Errorf("replay: %s is %d bytes: a saved sequence is at most %d", path, st.Size(), maxSequenceFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Sequence{}, fmt.Errorf("replay: %w", err)
	}
	var f sequenceFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Sequence{}, fmt.Errorf("replay: %s is not a sequence jmcheck explore wrote (counterexample.json): %w", path, err)
	}
	if f.Profile != Profile {
		return Sequence{}, fmt.Errorf("replay: %s is for profile %q; this jmcheck tests %q", path, f.Profile, Profile)
	}
	if err := f.Sequence.validate(); err != nil {
		return Sequence{}, fmt.Errorf("replay: %s: %w", path, err)
	}
	return f.Sequence, nil
}

// validate checks what a hand-edited file could break.
func (s Sequence) validate() error {
	if len(s.Steps) == 0 {
		return errors.New("the sequence has no steps")
	}
	seen := map[string]bool{}
	for _, u := range s.Users {
		if !aliasRE.MatchString(u.Alias) || seen[u.Alias] {
			return fmt.Errorf("user alias %q: use a unique letter, then up to 39 letters, digits or _", u.Alias)
		}
		seen[u.Alias] = true
		if u.Size < 0 || u.Size > 1024 {
			return fmt.Errorf("user %s: size %d: use 0..1024", u.Alias, u.Size)
		}
	}
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	for i, st := range s.Steps {
		if !slices.Contains(methods, st.Method) || !strings.HasPrefix(st.Path, "/") {
			return fmt.Errorf("step %d: %q %q: a method of the API and a path starting with /", i+1, st.Method, st.Path)
		}
		if st.Groups < 0 || st.Groups > 1000 || (st.Groups > 0 && !aliasRE.MatchString(st.NewGroup+"1")) {
			return fmt.Errorf("step %d: %d groups %q: use 1..1000 and an alias", i+1, st.Groups, st.NewGroup)
		}
		if st.Batch < 0 || st.Batch > 10000 {
			return fmt.Errorf("step %d: a batch of %d: use 1..10000", i+1, st.Batch)
		}
	}
	return nil
}

func writeSequence(path string, f sequenceFile) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
