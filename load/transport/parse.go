package transport

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"

	"jmcheck/load/check"
)

// readResponse reads one HTTP/1.1 answer from br into x: the status, the
// headers the checks need, and the body into a pooled buffer (returned
// for putBuf). keep says whether the connection may carry another request;
// started whether any byte of an answer arrived. It is strict: anything
// net/http would refuse to read is errMalformed here, so that the checks
// never judge a message the target did not really send. A body larger than
// check.MaxBody is not read: x.TooLarge is set and the connection closed.
func readResponse(br *bufio.Reader, method string, x *check.Exchange) (body *[]byte, keep, started bool, err error) {
	var (
		status    int
		line      []byte
		bodyLen   = -1
		chunked   bool
		closing   bool
		sawLength bool
	)
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			if len(line) == 0 && !started {
				return nil, false, false, err
			}
			return nil, false, true, badRead(err)
		}
		started = true
		status, closing, err = parseStatusLine(line)
		if err != nil {
			return nil, false, true, err
		}
		// Headers.
		for {
			h, err := br.ReadSlice('\n')
			if err != nil {
				return nil, false, true, badRead(err)
			}
			h = trimEOL(h)
			if len(h) == 0 {
				break
			}
			colon := bytes.IndexByte(h, ':')
			if colon <= 0 || !isToken(h[:colon]) || !isFieldValue(h[colon+1:]) {
				return nil, false, true, errMalformed // no name, a name with spaces, an obsolete line fold, a control character
			}
			name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
			switch {
			case asciiEqualFold(name, "content-length"):
				n, ok := parseDecimal(value)
				if !ok || (sawLength && n != bodyLen) {
					return nil, false, true, errMalformed
				}
				bodyLen, sawLength = n, true
			case asciiEqualFold(name, "transfer-encoding"):
				if line[7] == '0' {
					break // HTTP/1.0 has no transfer codings: ignored, as net/http does
				}
				if !asciiEqualFold(value, "chunked") || chunked {
					return nil, false, true, errMalformed // net/http reads chunked alone
				}
				chunked = true
			case asciiEqualFold(name, "connection"):
				if asciiEqualFold(value, "close") {
					closing = true
				} else if asciiEqualFold(value, "keep-alive") && line[7] == '0' {
					closing = false
				}
			case asciiEqualFold(name, "content-type"):
				x.ContentType = internContentType(value)
			case asciiEqualFold(name, "retry-after"):
				x.RetryAfter = string(value)
			}
		}
		if status >= 100 && status < 200 && status != 101 {
			x.ContentType, x.RetryAfter = "", ""
			bodyLen, chunked, sawLength = -1, false, false
			continue // an interim answer: the real one follows
		}
		break
	}
	x.Status = status
	if chunked {
		bodyLen = -1 // Transfer-Encoding wins over Content-Length (RFC 9112)
	}
	if method == http.MethodHead || status == 204 || status == 304 || status < 200 {
		return nil, !closing, true, nil
	}
	if bodyLen > check.MaxBody {
		x.TooLarge = true
		return nil, false, true, nil
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	switch {
	case chunked:
		b, err = readChunked(br, b)
	case bodyLen >= 0:
		if cap(b) < bodyLen {
			b = make([]byte, bodyLen)
		}
		b = b[:bodyLen]
		_, err = io.ReadFull(br, b)
	default:
		closing = true
		b, err = readAll(br, b)
	}
	*bp = b
	if errors.Is(err, errTooLarge) {
		x.TooLarge, x.Body = true, b
		return bp, false, true, nil
	}
	if err != nil {
		return bp, false, true, badRead(err)
	}
	x.Body = b
	return bp, !closing, true, nil
}

// parseStatusLine reads "HTTP/1.x NNN reason": the status, and whether the
// version alone closes the connection (HTTP/1.0).
func parseStatusLine(line []byte) (status int, closing bool, err error) {
	line = trimEOL(line)
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || (line[7] != '0' && line[7] != '1') || line[8] != ' ' {
		return 0, false, errMalformed
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, false, errMalformed
		}
		status = status*10 + int(c-'0')
	}
	if status < 100 || (len(line) > 12 && line[12] != ' ') {
		return 0, false, errMalformed
	}
	return status, line[7] == '0', nil
}

// trimEOL drops a line's CRLF (or bare LF, as net/http allows).
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// isToken reports whether b is a header field name (RFC 9110 token).
func isToken(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return len(b) > 0
}

// isFieldValue reports whether b may be a header field's value: no
// control character but the horizontal tab (RFC 9110 field-value).
func isFieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

var errTooLarge = errors.New("response too large")

func badRead(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("server closed the connection before a complete answer: EOF")
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		return errors.New("response header too long")
	}
	if errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("connection reset by peer: %w", err)
	}
	return err
}

func readChunked(br *bufio.Reader, b []byte) ([]byte, error) {
	malformed := errors.New("malformed chunked encoding")
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return b, err
		}
		if !bytes.HasSuffix(line, []byte("\r\n")) {
			return b, malformed // net/http wants CRLF here: so do we
		}
		line = line[:len(line)-2]
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, ok := parseHex(bytes.TrimRight(line, " \t"))
		if !ok {
			return b, malformed
		}
		if n == 0 {
			// Trailers, then the final empty line.
			for {
				t, err := br.ReadSlice('\n')
				if err != nil {
					return b, err
				}
				if len(trimEOL(t)) == 0 {
					return b, nil
				}
				if colon := bytes.IndexByte(t, ':'); colon <= 0 || !isToken(t[:colon]) || !isFieldValue(trimEOL(t[colon+1:])) {
					return b, malformed
				}
			}
		}
		if len(b)+n > check.MaxBody {
			return b, errTooLarge
		}
		start := len(b)
		b = grow(b, n)
		if _, err := io.ReadFull(br, b[start:start+n]); err != nil {
			return b, err
		}
		cr, err := br.ReadByte()
		if err != nil {
			return b, err
		}
		lf, err := br.ReadByte()
		if err != nil {
			return b, err
		}
		if cr != '\r' || lf != '\n' {
			return b, malformed
		}
	}
}

func readAll(br *bufio.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) > check.MaxBody {
			return b[:check.MaxBody], errTooLarge
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := br.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*cap(b)+n)
	copy(nb, b)
	return nb
}

func parseDecimal(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func parseHex(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		n = n*16 + d
	}
	return n, true
}

func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func internContentType(v []byte) string {
	switch string(v) { // no allocation: the compiler compares in place
	case "application/json":
		return "application/json"
	case "application/json; charset=utf-8":
		return "application/json; charset=utf-8"
	case "application/json;charset=utf-8":
		return "application/json;charset=utf-8"
	}
	return string(v)
}
