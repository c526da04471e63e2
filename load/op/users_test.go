package op

import (
	"testing"

	"jmcheck/load/check"
)

func TestCheckUser(t *testing.T) {
	cases := map[string]struct {
		body string
		ok   bool
	}{
		"OK":          {body: `{"username":"alice","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:01","nickname":"a"}`, ok: true},
		"OtherName":   {body: `{"username":"bob","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`},
		"Password":    {body: `{"username":"alice","password":"x","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`},
		"NoCtime":     {body: `{"username":"alice","mtime":"2015-06-01 10:00:00"}`},
		"MtimeBefore": {body: `{"username":"alice","ctime":"2015-06-01 10:00:00","mtime":"2015-05-01 10:00:00"}`},
		"Truncated":   {body: `{"username":"alice","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"`},
		"Array":       {body: `["alice"]`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// As the attack judges it: check.Judge reads the body first.
			v := check.Judge(&check.Exchange{Path: "/v1/users/alice", Status: 200, ContentType: "application/json", Body: []byte(c.body)}, &check.Expectation{Status: 200, Body: CheckUser})
			if ok := !v.Failed(); ok != c.ok {
				t.Errorf("checkUser(%s) = %v, want %v", c.body, ok, c.ok)
			}
		})
	}
}
