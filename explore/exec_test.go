package explore

import (
	"net/http"
	"testing"

	"jmcheck/client"
	"jmcheck/ledger"
)

// TestLedgerNotes: what a case's answers tell its cleanup. A big batch
// refused whole leaves nothing to delete; a cast name refused stays one
// that may exist (an earlier answer may have been lost); a group the case
// deleted is not deleted again.
func TestLedgerNotes(t *testing.T) {
	r := &runner{opts: Options{RunID: "t1"}}
	cr := r.newCase([]UserSlot{{Alias: "u1"}})
	send := func(st Step, status int) {
		t.Helper()
		req, err := cr.request(st)
		if err != nil {
			t.Fatal(err)
		}
		cr.noteBefore(req)
		cr.noteAfter(st, req, &client.Exchange{Status: status})
	}
	send(Step{Method: "POST", Path: "/v1/users/", Batch: 501, BatchOf: "b1x"}, http.StatusForbidden)
	send(Step{Method: "POST", Path: "/v1/users/", HasBody: true, Body: `[{"username":"{u1}","password":"p"}]`}, http.StatusBadRequest)
	left := cr.led.Users(ledger.Sent, ledger.Unanswered, ledger.Created, ledger.Deleting)
	if len(left) != 1 || left[0].Name != cr.names["u1"] {
		t.Errorf("the cleanup would delete %v; want only the cast's %s", left, cr.names["u1"])
	}
	cr.led.NoteGroup(1, 7, ledger.Created)
	send(Step{Method: "DELETE", Path: "/v1/groups/7"}, http.StatusNoContent)
	if g := cr.led.Groups(ledger.Created, ledger.Deleting); len(g) != 0 {
		t.Errorf("a group the case deleted is still to delete: %v", g)
	}
}
