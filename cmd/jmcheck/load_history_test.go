package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jmcheck/exitcode"
	"jmcheck/internal/embedded"
	"jmcheck/load"
)

// TestLoadCheckHistory: load mixed --check-history passes the reference
// server, whose answers under load are linearizable, and fails a mutant
// whose concurrent messages answer the same msg_id, which every
// per-request check passes (each answer alone is a 200 with a msg_id),
// writing the violation into --history-dir.
func TestLoadCheckHistory(t *testing.T) {
	t.Run("Conformant", func(t *testing.T) {
		code, stdout, stderr := runLoadArgs(t, "load", "mixed", "--check-history", "--rate", "200/1s", "--duration", "3s", "--min-sent", "0", "--quiet")
		if code != exitcode.OK {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "are linearizable under the model") {
			t.Errorf("the summary does not say the history was checked:\n%s", stdout)
		}
	})
	t.Run("RaceMsgID", func(t *testing.T) {
		tgt, stop, err := embedded.Start(embedded.Options{Mutant: "race-msg-id"})
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		dir := filepath.Join(t.TempDir(), "history")
		base := []string{"load", "mixed", "--target", tgt.BaseURL, "--appkey", tgt.AppKey, "--secret", tgt.Secret,
			// A slow rate and a long timeout: on a busy box under -race
			// the answers still come (the test judges them, not speed),
			// and messages still overlap.
			"--mix", "message=1", "--rate", "100/1s", "--duration", "5s", "--timeout", "60s", "--min-sent", "0", "--quiet"}
		code, stdout, stderr := runLoadArgs(t, base...)
		if code != exitcode.OK {
			t.Fatalf("without --check-history: exit %d, want 0 (each answer alone passes its check)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		code, stdout, stderr = runLoadArgs(t, append(base, "--check-history", "--history-dir", dir)...)
		if code != exitcode.Failed {
			t.Fatalf("with --check-history: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "history: not linearizable") || !strings.Contains(stderr, "msg_id") {
			t.Errorf("the run does not say which history broke, and why:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
		text, err := os.ReadFile(filepath.Join(dir, load.HistoryText))
		if err != nil || !strings.Contains(string(text), "the messages") {
			t.Errorf("%s: %v\n%s", load.HistoryText, err, text)
		}
		t.Logf("%s:\n%s", load.HistoryText, text)
		if html, err := os.ReadFile(filepath.Join(dir, load.HistoryHTML)); err != nil || !strings.Contains(string(html), "<html") {
			t.Errorf("%s: %v", load.HistoryHTML, err)
		}
		if strings.Contains(stdout+stderr+string(text), tgt.Secret) {
			t.Errorf("the secret was written")
		}
	})
}
