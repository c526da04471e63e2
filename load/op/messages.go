package op

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tidwall/gjson"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"jmcheck/load/check"
	"jmcheck/spec"
)

// Message is POST of a text message between pool users: 200 with a
// msg_id.
func Message(e *Env, pool Pool, weight int) *Op {
	idx := e.Next()
	o := &Op{Name: "message", Route: spec.RouteSendMessage, Weight: weight}
	o.Build = func(t *vegeta.Target) bool {
		from, to := pool.Pick(), pool.Pick()
		t.Method, t.URL, t.Header = http.MethodPost, e.URL("/v1/messages"), e.Header(idx)
		t.Body = []byte(`{"version":1,"target_type":"single","target_id":` + strconv.Quote(to) +
			`,"from_type":"user","from_id":` + strconv.Quote(from) +
			`,"create_time":` + strconv.FormatInt(time.Now().Unix(), 10) +
			`,"msg_type":"text","msg_body":{"text":"jmcheck load"}}`)
		return true
	}
	o.Expect = check.Expectation{Status: 200, Body: checkMessage}
	e.Add(o)
	return o
}

func checkMessage(x *check.Exchange) (string, bool) {
	id := gjson.Get(bstr(x.Body), "msg_id")
	if !spec.IsPositiveInteger(id) {
		return "message: msg_id " + id.Raw + " is not a positive integer", false
	}
	return "", true
}
