package steps

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"jmcheck/client"
	"jmcheck/spec"
)

// mtimeWait is the one sleep of the suite: §7 gives times a resolution of
// one second, so mtime can only be seen to move after more than a second.
const mtimeWait = 1100 * time.Millisecond

func docText(doc *godog.DocString) string {
	if doc == nil {
		return ""
	}
	return doc.Content
}

func (st *scenario) nextAuth(mode string) error {
	st.next.auth = mode
	return nil
}

func (st *scenario) nextHeader(name, value string) error {
	if st.next.headers == nil {
		st.next.headers = http.Header{}
	}
	st.next.headers.Add(name, value)
	return nil
}

func (st *scenario) sendStep(ctx context.Context, method, path string, app int, body *string, contentType string, chunked bool) error {
	p, err := st.expand(path)
	if err != nil {
		return err
	}
	r := request{method: method, path: p, app: app, contentType: contentType, chunked: chunked}
	if body != nil {
		b, err := st.expand(*body)
		if err != nil {
			return err
		}
		r.body, r.hasBody = []byte(b), true
	}
	_, err = st.do(ctx, r)
	return err
}

func (st *scenario) sendNoBody(ctx context.Context, method, path, second string) error {
	return st.sendStep(ctx, method, path, appArg(second), nil, "", false)
}

func (st *scenario) sendWithBody(ctx context.Context, method, path, second string, doc *godog.DocString) error {
	body := docText(doc)
	return st.sendStep(ctx, method, path, appArg(second), &body, "", false)
}

func (st *scenario) sendWithContentType(ctx context.Context, method, path, ct string, doc *godog.DocString) error {
	body := docText(doc)
	return st.sendStep(ctx, method, path, 1, &body, ct, false)
}

func (st *scenario) sendChunked(ctx context.Context, method, path string, doc *godog.DocString) error {
	body := docText(doc)
	return st.sendStep(ctx, method, path, 1, &body, "", true)
}

func (st *scenario) waitASecond(ctx context.Context) error {
	select {
	case <-time.After(mtimeWait):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (st *scenario) rememberBody(name string) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	st.bodies[name] = ex.Body
	return nil
}

func (st *scenario) rememberJSON(path, name string) error {
	v, err := st.jsonAt(path)
	if err != nil {
		return err
	}
	if v.Type == gjson.String {
		st.vars[name] = v.Str
	} else {
		st.vars[name] = v.Raw
	}
	return nil
}

// burstAnswer is what a concurrent step keeps of one answer: enough to
// judge it, and the exchange itself only for the few a failure message may
// show (cut to what the message shows: client.Exchange.Kept), so that a
// burst of thousands, or of answers of 4 MiB, holds no bodies.
type burstAnswer struct {
	status int
	code   spec.Code
	shed   bool
	item0  string           // the first item of the body, for a register burst
	err    error            // the request failed or broke the automatic checks
	ex     *client.Exchange // kept for the first keptExchanges answers and the last
}

// keptExchanges bounds the exchanges a burst keeps whole.
const keptExchanges = 16

func (st *scenario) bursts(ctx context.Context, bursts, n int, path string) error {
	if bursts < 1 || bursts > 20 || n < 2 || n > 512 {
		return fmt.Errorf("%d bursts of %d: use 1..20 bursts of 2..512", bursts, n)
	}
	p, err := st.expand(path)
	if err != nil {
		return err
	}
	var all []burstAnswer
	for range bursts {
		if err := st.concurrently(ctx, n, request{method: http.MethodGet, path: p, noRetry: true}); err != nil {
			return err
		}
		if len(all) > 0 {
			// The previous burst's last answer is no longer the scenario's
			// last: a failure message is all it may still serve.
			all[len(all)-1].ex = all[len(all)-1].ex.Kept()
		}
		all = append(all, st.burst...)
		if st.shedCount() > 0 {
			break
		}
	}
	st.burst = all
	// A burst leaves many spare connections behind; give them back.
	st.suite.client.CloseIdleConnections()
	return nil
}

// concurrently sends n copies of a request at once and keeps what the
// burst steps judge. Whether a shed copy is retried is the request's
// noRetry.
func (st *scenario) concurrently(ctx context.Context, n int, r request) error {
	out := make([]burstAnswer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ex, err := st.send(ctx, r)
			a := burstAnswer{err: err}
			if ex != nil {
				a.status, a.code, a.shed = ex.Status, ex.Code(), ex.Shed()
				if err == nil {
					a.err = ex.Check()
				}
				if r.method == http.MethodPost {
					if v := ex.Get("0"); len(v.Raw) <= 4096 {
						a.item0 = v.Raw
					}
				}
				switch {
				case i == n-1:
					a.ex = ex // whole: it is the scenario's last answer, which later steps read
				case i < keptExchanges || a.err != nil && i < 4*keptExchanges:
					a.ex = ex.Kept() // for a failure message: no large body
				}
			}
			out[i] = a
		}()
	}
	close(start)
	wg.Wait()
	for i, a := range out {
		if a.status == 0 {
			return fmt.Errorf("request %d of %d concurrent ones got no answer: %v (%s: shed load with 503, never time out or reset)", i+1, n, a.err, spec.Cite("6"))
		}
	}
	st.burst = out
	st.last = out[n-1].ex
	return nil
}

// shedCount counts the burst answers that shed load as §6 says.
func (st *scenario) shedCount() int {
	n := 0
	for _, a := range st.burst {
		if a.shed {
			n++
		}
	}
	return n
}

func (st *scenario) someShed() error {
	if st.shedCount() == 0 {
		return st.failf("none of %d concurrent requests was shed: an overloaded server answers 503 %s (%s); is the target's in-flight limit below the burst size?", len(st.burst), spec.CodeBusy, spec.Cite("6"))
	}
	return nil
}

func (st *scenario) burstAnswersOK() error {
	for i, a := range st.burst {
		if a.err != nil {
			return st.failWith(a.ex, "answer %d of the burst: %v", i+1, a.err)
		}
		busy := a.status == http.StatusServiceUnavailable && a.code == spec.CodeBusy
		if !busy && (a.status < 200 || a.status >= 300) {
			return st.failWith(a.ex, "answer %d of the burst: want a success or 503 %s (%s), got HTTP %d", i+1, spec.CodeBusy, spec.Cite("6"), a.status)
		}
	}
	return nil
}

// splitCodes parses "401 404" into numbers.
func splitCodes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no numbers in %q", s)
	}
	return out, nil
}
