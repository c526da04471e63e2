package conform

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
)

// Path selects one feature file, or the one scenario, outline or example
// row of it at Line (as jmcheck prints them: "users_register.feature:42").
type Path struct {
	File string // inside the features folder
	Line int    // 0: the whole file
}

func (p Path) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// ParsePaths reads FEATURE[:LINE] arguments against the features (nil:
// the embedded ones). A path may start with "features/", as the repository
// spells it. A file that is not there is an error that lists the files; a
// line that is no Scenario, Scenario Outline or Examples row is an error
// that lists the scenarios' lines. Both are usage errors of the caller's,
// found before any target is asked.
func ParsePaths(args []string, fsys fs.FS) ([]Path, error) {
	if fsys == nil {
		fsys = EmbeddedFeatures()
	}
	var out []Path
	for _, a := range args {
		p := Path{File: a}
		if i := strings.LastIndexByte(a, ':'); i >= 0 {
			n, err := strconv.Atoi(a[i+1:])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q: want FEATURE or FEATURE:LINE, such as users_register.feature:42", a)
			}
			p = Path{File: a[:i], Line: n}
		}
		p.File = path.Clean(strings.TrimPrefix(strings.ReplaceAll(p.File, `\`, "/"), "./"))
		if _, err := fs.Stat(fsys, p.File); err != nil {
			if trimmed := strings.TrimPrefix(p.File, "features/"); trimmed != p.File {
				if _, err2 := fs.Stat(fsys, trimmed); err2 == nil {
					p.File = trimmed
				}
			}
		}
		if st, err := fs.Stat(fsys, p.File); err != nil || st.IsDir() || !strings.HasSuffix(p.File, ".feature") {
			names, _ := fs.Glob(fsys, "*.feature")
			return nil, fmt.Errorf("%q: no such feature file; the features are: %s", a, strings.Join(names, " "))
		}
		out = append(out, p)
	}
	if _, err := selectPaths(fsys, out); err != nil {
		return nil, err
	}
	return out, nil
}

// selectPaths returns a view of fsys in which only what paths select is
// left: the files they name, and in a file given with a line, only that
// scenario, outline or example row. Everything else of those files is
// commented out line for line, so every line number, and every scenario's
// ID, stays what it is in the real file. No paths: fsys itself.
func selectPaths(fsys fs.FS, paths []Path) (fs.FS, error) {
	if len(paths) == 0 {
		return fsys, nil
	}
	byFile := map[string][]int{}
	var order []string
	for _, p := range paths {
		if _, ok := byFile[p.File]; !ok {
			order = append(order, p.File)
		}
		byFile[p.File] = append(byFile[p.File], p.Line)
	}
	view := fstest.MapFS{}
	for _, file := range order {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		lines := byFile[file]
		whole := false
		for _, l := range lines {
			whole = whole || l == 0
		}
		if !whole {
			if data, err = keepLines(file, data, lines); err != nil {
				return nil, err
			}
		}
		view[file] = &fstest.MapFile{Data: data}
	}
	return view, nil
}

// keepLines comments out every scenario and example row of a feature file
// that none of the lines selects.
func keepLines(file string, data []byte, want []int) ([]byte, error) {
	doc, err := parseGherkin(file, data)
	if err != nil {
		return nil, err
	}
	text := strings.Split(string(data), "\n")
	hide := func(from, to int) { // 1-based, inclusive
		for i := from; i <= to && i <= len(text); i++ {
			if strings.TrimSpace(text[i-1]) != "" {
				text[i-1] = "#" + text[i-1]
			}
		}
	}
	type block struct {
		sc       *messages.Scenario
		from, to int
	}
	var blocks []block
	var children []*messages.FeatureChild
	children = append(children, doc.Feature.Children...)
	for _, c := range doc.Feature.Children {
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				children = append(children, &messages.FeatureChild{Scenario: rc.Scenario})
			}
		}
	}
	for _, c := range children {
		if c.Scenario == nil {
			continue
		}
		from := int(c.Scenario.Location.Line)
		for _, t := range c.Scenario.Tags {
			from = min(from, int(t.Location.Line))
		}
		blocks = append(blocks, block{sc: c.Scenario, from: from})
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].from < blocks[j].from })
	for i := range blocks {
		blocks[i].to = len(text)
		if i+1 < len(blocks) {
			blocks[i].to = blocks[i+1].from - 1
		}
	}
	var scenarioLines []string
	matched := map[int]bool{}
	for _, b := range blocks {
		scenarioLines = append(scenarioLines, strconv.Itoa(int(b.sc.Location.Line)))
		keepAll, rows := false, map[int]bool{}
		for _, l := range want {
			if l == int(b.sc.Location.Line) || (l >= b.from && l < int(b.sc.Location.Line)) {
				keepAll, matched[l] = true, true
			}
			for _, ex := range b.sc.Examples {
				for _, r := range ex.TableBody {
					if int(r.Location.Line) == l {
						rows[l], matched[l] = true, true
					}
				}
			}
		}
		switch {
		case keepAll:
		case len(rows) > 0:
			for _, ex := range b.sc.Examples {
				for _, r := range ex.TableBody {
					if !rows[int(r.Location.Line)] {
						hide(int(r.Location.Line), int(r.Location.Line))
					}
				}
			}
		default:
			hide(b.from, b.to)
		}
	}
	for _, l := range want {
		if !matched[l] {
			return nil, fmt.Errorf("%s:%d is no Scenario, Scenario Outline or Examples row line: give the line of one; the scenarios start at lines %s, and each Examples row's own line selects that row", file, l, strings.Join(scenarioLines, ", "))
		}
	}
	return []byte(strings.Join(text, "\n")), nil
}

// parseGherkin parses one feature file with godog's own parser.
func parseGherkin(file string, data []byte) (*messages.GherkinDocument, error) {
	suite := godog.TestSuite{Options: &godog.Options{FS: fstest.MapFS{file: {Data: data}}, Paths: []string{file}, Strict: true}}
	feats, err := suite.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if len(feats) == 0 || feats[0].GherkinDocument == nil || feats[0].GherkinDocument.Feature == nil {
		return nil, fmt.Errorf("%s holds no feature", file)
	}
	return feats[0].GherkinDocument, nil
}
