package jmcheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// citedSectionRE finds a comment's citation of a root README section:
// `README.md, section "Title"` (the comment markers already removed).
var citedSectionRE = regexp.MustCompile(`README\.md, section "([^"]+)"`)

// readmeSections returns the text under each heading of README.md, by
// heading title (without its #s), up to the next heading of any level.
func readmeSections(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	title, fenced := "", false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(line, "#") {
			title = strings.TrimSpace(strings.TrimLeft(line, "#"))
			out[title] = ""
			continue
		}
		if title != "" {
			out[title] += line + "\n"
		}
	}
	return out
}

// uncomment joins a file's comment lines into one line of prose, so that a
// citation broken across lines still reads as one.
func uncomment(text string) string {
	var parts []string
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "#") {
			parts = append(parts, strings.TrimSpace(strings.TrimPrefix(l, "#")))
		}
	}
	return strings.Join(parts, " ")
}

// TestDeployFilesCiteRealREADMESections: the walkthroughs live in the root
// README; every section a deploy/ file cites exists there and speaks of
// that file, and the local Prometheus configuration cites its walkthrough.
func TestDeployFilesCiteRealREADMESections(t *testing.T) {
	sections := readmeSections(t)
	files, err := filepath.Glob(filepath.Join("deploy", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("deploy/*.yaml: %v, %d files", err, len(files))
	}
	cites := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range citedSectionRE.FindAllStringSubmatch(uncomment(string(b)), -1) {
			cites[f]++
			body, ok := sections[m[1]]
			if !ok {
				t.Errorf("%s cites README.md section %q, which README.md does not have", f, m[1])
				continue
			}
			if f == filepath.Join("deploy", "prometheus-local.yml") && !strings.Contains(body, filepath.Base(f)) {
				t.Errorf("%s cites README.md section %q for its walkthrough, which never names %s", f, m[1], filepath.Base(f))
			}
		}
	}
	if cites[filepath.Join("deploy", "prometheus-local.yml")] == 0 {
		t.Errorf("deploy/prometheus-local.yml cites no README.md section for its walkthrough (want `README.md, section \"...\"`)")
	}
}

// TestGitignoreKeepsTheREADMEDatabaseOut: the README's `serve --db im.db`
// example leaves im.db and SQLite's side files in the working tree.
func TestGitignoreKeepsTheREADMEDatabaseOut(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command(git, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skip("not a git work tree")
	}
	for _, name := range []string{"im.db", "im.db-journal", "im.db-wal", "im.db-shm"} {
		// --no-index: judge the pattern even for a file git tracks.
		if out, err := exec.Command(git, "check-ignore", "--no-index", "-q", name).CombinedOutput(); err != nil {
			t.Errorf("git check-ignore %s: %v %s; want it ignored (.gitignore)", name, err, out)
		}
	}
}
