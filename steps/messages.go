package steps

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"jmcheck/spec"
)

// sendMessages sends n text messages, one after another, and keeps each
// msg_id for msgIDsIncrease.
func (st *scenario) sendMessages(ctx context.Context, n int, from, to string) error {
	if n < 2 || n > 200 {
		return fmt.Errorf("%d messages: use 2..200", n)
	}
	fromName, err := st.user(from)
	if err != nil {
		return err
	}
	toName, err := st.user(to)
	if err != nil {
		return err
	}
	st.msgIDs = st.msgIDs[:0]
	for i := range n {
		body := fmt.Sprintf(`{"version":1,"target_type":"single","target_id":%s,"from_type":"user","from_id":%s,"create_time":%d,"msg_type":"text","msg_body":{"text":"message %d"}}`,
			jsonString(toName), jsonString(fromName), time.Now().Unix(), i+1)
		ex, err := st.do(ctx, request{method: http.MethodPost, path: "/v1/messages", body: []byte(body), hasBody: true})
		if err != nil {
			return err
		}
		if ex.Status != http.StatusOK {
			return st.failf("message %d of %d: want HTTP 200, got %d", i+1, n, ex.Status)
		}
		st.msgIDs = append(st.msgIDs, ex.Get("msg_id").Int())
	}
	return nil
}

// msgIDsIncrease judges the msg_ids of sendMessages: every one larger than
// the one before. Over n messages a server that draws ids at random passes
// with a chance of 1/n!: 20 messages make that one in 2·10¹⁸.
func (st *scenario) msgIDsIncrease() error {
	if len(st.msgIDs) < 2 {
		return fmt.Errorf("no messages sent: use: I send N messages from \"A\" to \"B\"")
	}
	for i := 1; i < len(st.msgIDs); i++ {
		if st.msgIDs[i] <= st.msgIDs[i-1] {
			return st.failf("message %d got msg_id %d after %d: msg_ids are unique within the app and increase (%s); all: %v", i+1, st.msgIDs[i], st.msgIDs[i-1], spec.Cite("5"), st.msgIDs)
		}
	}
	return nil
}
