package main

import (
	"errors"
	"flag"

	"jmcheck/exitcode"
)

// parseFlags parses args into fs, turning every parse failure into a usage
// error (exit 2) and rejecting stray positional arguments. -h/--help comes
// back as flag.ErrHelp, which main treats as success.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return exitcode.New(exitcode.Usage, err)
	}
	if fs.NArg() > 0 {
		return exitcode.Newf(exitcode.Usage, "%s: unexpected argument %q (this command takes flags only; see --help)", fs.Name(), fs.Arg(0))
	}
	return nil
}
