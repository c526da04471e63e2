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
// row of it at Line (as jmcheck prints them: "users_register.feature:42";
// a step's line selects its scenario).
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
// spells it. A line selects the scenario it falls in (an Examples row's
// line that row alone, see selectLine). A file that is not there is an
// error that lists the files; a line in no scenario is an error that lists
// the scenarios' lines. Both are usage errors of the caller's, found before
// any target is asked.
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
	blocks := scenarioBlocks(doc, len(text))
	picked := make([]selection, len(blocks))
	for _, l := range want {
		i, sel, ok := selectLine(blocks, l)
		if !ok {
			return nil, noScenarioAt(file, l, blocks)
		}
		picked[i].whole = picked[i].whole || sel.whole
		for r := range sel.rows {
			if picked[i].rows == nil {
				picked[i].rows = map[int]bool{}
			}
			picked[i].rows[r] = true
		}
	}
	for i, b := range blocks {
		switch p := picked[i]; {
		case p.whole:
		case len(p.rows) > 0:
			for _, ex := range b.sc.Examples {
				for _, r := range ex.TableBody {
					if !p.rows[int(r.Location.Line)] {
						hide(int(r.Location.Line), int(r.Location.Line))
					}
				}
			}
		default:
			hide(b.from, b.to)
		}
	}
	return []byte(strings.Join(text, "\n")), nil
}

// block is the span of one scenario or outline in its file: from its first
// tag to the line before the next one's first tag (or the file's end).
type block struct {
	sc       *messages.Scenario
	from, to int // 1-based, inclusive
}

// selection is what one line selects of a block: all of it, or some of an
// outline's example rows (by line).
type selection struct {
	whole bool
	rows  map[int]bool
}

// scenarioBlocks returns the scenarios and outlines of a document (those
// of its rules too) in file order, with their spans.
func scenarioBlocks(doc *messages.GherkinDocument, lines int) []block {
	children := append([]*messages.FeatureChild(nil), doc.Feature.Children...)
	for _, c := range doc.Feature.Children {
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				children = append(children, &messages.FeatureChild{Scenario: rc.Scenario})
			}
		}
	}
	var blocks []block
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
		blocks[i].to = lines
		if i+1 < len(blocks) {
			blocks[i].to = blocks[i+1].from - 1
		}
	}
	return blocks
}

// selectLine says which block a line falls in and what it selects there:
// an Examples row's line that row alone; a line of an Examples table (its
// tags, keyword, header) every row of that table; any other line of the
// block (its tags, its Scenario line, its steps) the whole scenario or
// outline, so that the step lines godog prints select their scenario too.
func selectLine(blocks []block, l int) (int, selection, bool) {
	for i, b := range blocks {
		if l < b.from || l > b.to {
			continue
		}
		for _, ex := range b.sc.Examples {
			from, to := int(ex.Location.Line), int(ex.Location.Line)
			for _, t := range ex.Tags {
				from = min(from, int(t.Location.Line))
			}
			if ex.TableHeader != nil {
				to = max(to, int(ex.TableHeader.Location.Line))
			}
			rows := map[int]bool{}
			for _, r := range ex.TableBody {
				to = max(to, int(r.Location.Line))
				rows[int(r.Location.Line)] = true
			}
			if rows[l] {
				return i, selection{rows: map[int]bool{l: true}}, true
			}
			if l >= from && l <= to && len(rows) > 0 {
				return i, selection{rows: rows}, true
			}
		}
		return i, selection{whole: true}, true
	}
	return 0, selection{}, false
}

// noScenarioAt is the error for a line before the first scenario (the
// Feature's header, a Background) or past the file's end.
func noScenarioAt(file string, l int, blocks []block) error {
	var starts []string
	for _, b := range blocks {
		starts = append(starts, strconv.Itoa(int(b.sc.Location.Line)))
	}
	if len(starts) == 0 {
		return fmt.Errorf("%s:%d: %s holds no scenario", file, l, file)
	}
	return fmt.Errorf("%s:%d is in no scenario (it is the Feature's header, a Background, or past the end): give a line of a Scenario, a Scenario Outline or an Examples row; the scenarios start at lines %s, and an Examples row's own line selects that row alone", file, l, strings.Join(starts, ", "))
}

// ScenarioLine returns the line of the Scenario or Scenario Outline keyword
// of the scenario that p selects in (p.Line 0: 0), and whether p selects an
// outline's example rows rather than the whole outline. It is what the
// godog CLI needs, which selects by that line only.
func ScenarioLine(fsys fs.FS, p Path) (line int, rows bool, err error) {
	if fsys == nil {
		fsys = EmbeddedFeatures()
	}
	if p.Line == 0 {
		return 0, false, nil
	}
	data, err := fs.ReadFile(fsys, p.File)
	if err != nil {
		return 0, false, err
	}
	doc, err := parseGherkin(p.File, data)
	if err != nil {
		return 0, false, err
	}
	blocks := scenarioBlocks(doc, strings.Count(string(data), "\n")+1)
	i, sel, ok := selectLine(blocks, p.Line)
	if !ok {
		return 0, false, noScenarioAt(p.File, p.Line, blocks)
	}
	return int(blocks[i].sc.Location.Line), !sel.whole, nil
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
