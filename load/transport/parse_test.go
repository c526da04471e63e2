package transport

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"jmcheck/load/check"
)

// FuzzReadResponse feeds raw bytes to the lean client's HTTP/1.1 reader:
// it never panics, never holds more than check.MaxBody of a body, and
// never accepts a message net/http would refuse: what it reads as an
// answer, net/http reads with the same status and body.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
		"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 200 OK\nContent-Length: 1\n\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, raw []byte, head bool) {
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		var x check.Exchange
		body, _, _, err := readResponse(bufio.NewReader(bytes.NewReader(raw)), method, &x)
		defer putBuf(body)
		if len(x.Body) > check.MaxBody {
			t.Fatalf("kept %d bytes of a body, over check.MaxBody", len(x.Body))
		}
		if err != nil || x.TooLarge {
			return
		}
		req, _ := http.NewRequest(method, "http://h/", nil)
		resp, herr := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), req)
		if herr == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			// net/http hands back interim answers; the reader skips them.
			br := bufio.NewReader(bytes.NewReader(raw))
			_, herr = skipInterim(br, req)
			if herr == nil {
				resp, herr = http.ReadResponse(br, req)
			}
		}
		if herr != nil {
			t.Fatalf("accepted a message net/http refuses (%v): %q", herr, raw)
		}
		defer resp.Body.Close()
		if resp.StatusCode != x.Status {
			t.Fatalf("status %d, net/http reads %d: %q", x.Status, resp.StatusCode, raw)
		}
		want, rerr := io.ReadAll(resp.Body)
		if rerr != nil && !strings.Contains(rerr.Error(), "EOF") {
			t.Fatalf("accepted a body net/http cannot read (%v): %q", rerr, raw)
		}
		if rerr == nil && !bytes.Equal(want, x.Body) {
			t.Fatalf("body %q, net/http reads %q: %q", x.Body, want, raw)
		}
	})
}

// skipInterim reads the 1xx answers before the real one.
func skipInterim(br *bufio.Reader, req *http.Request) (int, error) {
	n := 0
	for {
		b, err := br.Peek(12)
		if err != nil || !bytes.HasPrefix(b, []byte("HTTP/1.")) || b[9] != '1' {
			return n, nil
		}
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return n, err
		}
		resp.Body.Close()
		n++
	}
}
