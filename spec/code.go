package spec

import "strconv"

// Code is a business error code of §2, as an error body carries it. The
// constants (CodeInternal, CodeUserExists, …) are generated from api.json
// into zz_api.go; 0 means no code.
type Code int

// Known reports whether the code is one of §2.
func (c Code) Known() bool {
	_, ok := mustGet().byCode[c]
	return ok
}

// Info returns the §2 entry of the code.
func (c Code) Info() (CodeInfo, bool) {
	i, ok := mustGet().byCode[c]
	return i, ok
}

// Status returns the HTTP status that goes with the code in §2, 0 when the
// code is not one of §2.
func (c Code) Status() int { return mustGet().byCode[c].Status }

// String returns the code in decimal, "" for 0.
func (c Code) String() string {
	if c == 0 {
		return ""
	}
	return strconv.Itoa(int(c))
}

// Short returns the code's last three digits ("013" for 899013), the
// column head of a coverage matrix: every code of §2 shares its first
// three.
func (c Code) Short() string {
	s := c.String()
	if len(s) == 6 {
		return s[3:]
	}
	return s
}

// Meaning returns the code with what it means, such as "899010 (delete
// user: the user still owns a group)", for messages a person reads.
func (c Code) Meaning() string {
	if i, ok := c.Info(); ok {
		return c.String() + " (" + i.Trigger + ")"
	}
	return c.String() + " (not a code of " + Cite("2") + ")"
}
