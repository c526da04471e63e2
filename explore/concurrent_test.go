package explore

import (
	"errors"
	"net/http"
	"testing"

	"jmcheck/client"
)

// TestRecord: of a round's answers, one cut off while its body was read
// may have taken effect (unanswered); one whole but malformed is a wrong
// answer (status 0, which no state explains); a whole one is kept.
func TestRecord(t *testing.T) {
	cut := &client.TransportError{Err: errors.New("unexpected EOF"), Answered: true}
	for _, c := range []struct {
		name       string
		ex         *client.Exchange
		err        error
		none       bool
		wantStatus int
	}{
		{"no exchange", nil, errors.New("refused"), true, 0},
		{"no status", &client.Exchange{}, &client.TransportError{Err: errors.New("reset")}, true, 0},
		{"body cut off", &client.Exchange{Status: http.StatusOK, Body: []byte(`{"username":"a`)}, cut, true, 0},
		{"resent", &client.Exchange{Status: http.StatusNoContent, Attempts: 2}, nil, true, 0},
		{"malformed", &client.Exchange{Status: http.StatusOK, Body: []byte(`{"a":1,"a":2}`), Header: http.Header{"Content-Type": {"application/json"}}}, nil, false, 0},
		{"whole", &client.Exchange{Status: http.StatusNoContent}, nil, false, http.StatusNoContent},
	} {
		var op roundOp
		op.record(c.ex, c.err)
		if op.Ans.None != c.none || (!c.none && op.Ans.Status != c.wantStatus) {
			t.Errorf("%s: recorded none=%v status %d, want none=%v status %d", c.name, op.Ans.None, op.Ans.Status, c.none, c.wantStatus)
		}
	}
}
