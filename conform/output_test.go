package conform

import (
	"bytes"
	"fmt"
	"testing"
)

func TestTotalsWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{name: "ReplacesTotals", writes: []string{"\n3 scenarios (3 passed)\n5 steps (5 passed)\n"}, want: "\nTOTALS\n5 steps (5 passed)\n"},
		{name: "SplitWrites", writes: []string{"3 scen", "arios (", "3 passed)\n", "12ms\n"}, want: "TOTALS\n12ms\n"},
		{name: "OneScenario", writes: []string{"1 scenario (1 passed)\n"}, want: "TOTALS\n"},
		{name: "ProgressDotsPass", writes: []string{".", ".", "F", " 3\n"}, want: "..F 3\n"},
		{name: "IndentedLineKept", writes: []string{"  3 scenarios (in a message)\n"}, want: "  3 scenarios (in a message)\n"},
		{name: "DigitLineKept", writes: []string{"12.5ms\n"}, want: "12.5ms\n"},
		{name: "PartialHeldUntilClose", writes: []string{"42"}, want: "42"},
		{name: "DropsSnippets", writes: []string{"1 scenario (1 undefined)\n", "\n", "You can implement step ", "definitions for undefined steps with these snippets:\n", "func aStep() error {\n", "}\n"}, want: "TOTALS\n\n"},
		{name: "DropsColouredSnippets", writes: []string{"..U 3\n\n", "\x1b[33mYou can implement step definitions for undefined steps with these snippets:\x1b[0m\n", "\x1b[33mfunc aStep() error {\n}\x1b[0m\n"}, want: "..U 3\n\n"},
		{name: "OtherYLineKept", writes: []string{"Y", "es, a line\n"}, want: "Yes, a line\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := &totalsWriter{w: &buf, totals: func() string { return "TOTALS" }}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTotalsWriterDropsWritesAfterClose: a run abandoned on a second
// interrupt writes its summary while godog's scenarios may still report;
// what they write after Close never reaches the output, so it can
// neither interleave with nor race the summary's writes.
func TestTotalsWriterDropsWritesAfterClose(t *testing.T) {
	var out bytes.Buffer
	tw := &totalsWriter{w: &out, totals: func() string { return "" }}
	fmt.Fprint(tw, "..")
	tw.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fmt.Fprint(tw, "late dots")
	}()
	<-done
	out.WriteString("summary")
	if got := out.String(); got != "..summary" {
		t.Errorf("output %q, want the dots before Close and the summary only", got)
	}
}
