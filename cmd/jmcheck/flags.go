package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"jmcheck/exitcode"
)

// help is a command's help text: what it does, and examples a person can
// paste. The flags come between them, written --flag, as the README does.
type help struct {
	usage    string // "jmcheck conform [flags] [FEATURE[:LINE]...]"
	about    string // paragraphs
	examples string // one per line
}

// newFlags returns a command's flag set. Parse errors are not printed by
// the set itself: parse writes one line and the way to the help.
func newFlags(name string, stdout io.Writer, h help) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: %s\n\n%s\n\nFlags:\n%s", h.usage, strings.TrimSpace(h.about), fs.FlagUsagesWrapped(100))
		fmt.Fprintf(stdout, "  -h, --help%sshow this help\n", strings.Repeat(" ", 14))
		fmt.Fprintf(stdout, "\nExamples:\n%s\n", strings.TrimRight(h.examples, "\n"))
	}
	return fs
}

// parse parses args into fs: a parse failure is a usage error (exit 2) of
// one line that names the flag and says where the help is; --help comes
// back as pflag.ErrHelp, which main treats as success. maxArgs bounds the
// positional arguments (0: none).
func parse(fs *pflag.FlagSet, args []string, maxArgs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return exitcode.Newf(exitcode.Usage, "%s: %s; see 'jmcheck %s --help'", fs.Name(), flagError(err, args), fs.Name())
	}
	if maxArgs >= 0 && fs.NArg() > maxArgs {
		what := "takes flags only"
		if maxArgs > 0 {
			what = "takes at most " + strconv.Itoa(maxArgs) + " argument"
		}
		return exitcode.Newf(exitcode.Usage, "%s: unexpected argument %q (this command %s; flags start with --); see 'jmcheck %s --help'", fs.Name(), fs.Arg(maxArgs), what, fs.Name())
	}
	return nil
}

// flagError rewords pflag's errors: a single-dash long flag, a number that
// does not parse.
func flagError(err error, args []string) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown shorthand flag") {
		for _, a := range args {
			if len(a) > 2 && a[0] == '-' && a[1] != '-' {
				return fmt.Sprintf("unknown flag %q: flags take two dashes, such as -%s", a, a)
			}
		}
	}
	if i := strings.Index(msg, ": strconv."); i >= 0 {
		// invalid argument "-1" for "--max-requests" flag: strconv.ParseUint: ...
		msg = msg[:i]
		switch {
		case strings.Contains(err.Error(), "ParseUint"):
			msg += ": want a whole number ≥ 0"
		case strings.Contains(err.Error(), "ParseInt"), strings.Contains(err.Error(), "Atoi"):
			msg += ": want a whole number"
		case strings.Contains(err.Error(), "ParseFloat"):
			msg += ": want a number"
		case strings.Contains(err.Error(), "ParseBool"):
			msg += ": want true or false"
		}
	}
	if strings.Contains(msg, "time: ") {
		msg += " (a duration such as 30s, 2m or 1h)"
	}
	return msg
}

// set reports whether the flag was given on the command line.
func set(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}

// deprecatedAlias adds old as a hidden alias of the flag new: it still
// works, and says what to write instead.
func deprecatedAlias(fs *pflag.FlagSet, old, new string) {
	f := fs.Lookup(new)
	fs.Var(f.Value, old, f.Usage)
	_ = fs.MarkDeprecated(old, "use --"+new)
	fs.Lookup(old).Hidden = true
}

// createFile creates an output file once every check passed, so that a
// usage error leaves no empty file behind.
func createFile(flag, path string) (*os.File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, exitcode.Newf(exitcode.Usage, "%s %s: %v: pick a path in a folder that exists and that you may write to", flag, path, errors.Unwrap(err))
	}
	return f, nil
}

// checkWritable checks before a long run that an output path can be
// created: its folder exists and is writable. The file is not left behind.
func checkWritable(flag, path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return exitcode.Newf(exitcode.Usage, "%s %s: a folder, not a file", flag, path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return exitcode.Newf(exitcode.Usage, "%s %s: its folder %s does not exist: create it or pick another path", flag, path, dir)
		}
	}
	_, existed := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644) // no truncation: it is only a check
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "%s %s: %v: pick a path in a folder that exists and that you may write to", flag, path, errors.Unwrap(err))
	}
	f.Close()
	if existed != nil {
		os.Remove(path)
	}
	return nil
}
