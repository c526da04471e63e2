package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// message builds a message body from a valid text message to bob1 from
// alice, with set overriding keys and del removing them.
func message(t testing.TB, set map[string]any, del ...string) string {
	t.Helper()
	m := map[string]any{
		"version": 1, "target_type": "single", "target_id": "bob1", "target_name": "Bob",
		"from_type": "user", "from_id": "alice", "from_name": "Alice", "from_platform": "a",
		"create_time": 135431243278, "msg_type": "text",
		"msg_body": map[string]any{"extras": map[string]any{}, "text": "Hello, JMessage!"},
	}
	for k, v := range set {
		m[k] = v
	}
	for _, k := range del {
		delete(m, k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("marshal message: %v", err)
	}
	return string(b)
}

// raw marks a value to splice into a message as literal JSON.
type raw string

func (r raw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func TestSendMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1", "carol")
	gid := f.mustGroup("alice", "bob1")
	maxText := strings.Repeat("x", maxMsgBody-len(`{"text":""}`))
	tests := []struct {
		name   string
		set    map[string]any
		del    []string
		status int
		code   int
	}{
		{"OKText", nil, nil, 200, 0},
		{"OKMinimal", nil, []string{"target_name", "from_name", "from_platform"}, 200, 0},
		{"OKGroup", map[string]any{"target_type": "group", "target_id": fmt.Sprint(gid)}, nil, 200, 0},
		{"OKGroupNotAMember", map[string]any{"target_type": "group", "target_id": fmt.Sprint(gid), "from_id": "carol"}, nil, 200, 0},
		{"OKAdminAnyID", map[string]any{"from_type": "admin", "from_id": "ops-console"}, nil, 200, 0},
		{"OKRobot", map[string]any{"from_type": "robot", "from_id": "bot"}, nil, 200, 0},
		{"OKPlatforms", map[string]any{"from_platform": "web"}, nil, 200, 0},
		{"OKCreateTimeZero", map[string]any{"create_time": 0}, nil, 200, 0},
		{"OKVoice", map[string]any{"msg_type": "voice", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "duration": 2.5, "format": "amr"}}, nil, 200, 0},
		{"OKImage", map[string]any{"msg_type": "image", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "width": 3, "height": 4, "format": "png", "img_link": "http://x"}}, nil, 200, 0},
		{"OKImageMinimal", map[string]any{"msg_type": "image", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "width": 3, "height": 4}}, nil, 200, 0},
		{"OKCustom", map[string]any{"msg_type": "custom", "msg_body": map[string]any{"anything": []int{1}}}, nil, 200, 0},
		{"OKBodyMax", map[string]any{"msg_body": map[string]any{"text": maxText}}, nil, 200, 0},
		{"OKBodyMaxSpacesDoNotCount", map[string]any{"msg_body": raw(`{ "text" : "` + maxText + `" }`)}, nil, 200, 0},
		{"ErrBodyOverMax", map[string]any{"msg_body": map[string]any{"text": maxText + "x"}}, nil, 400, 899003},
		{"ErrVersion2", map[string]any{"version": 2}, nil, 400, 899003},
		{"ErrVersionString", map[string]any{"version": "1"}, nil, 400, 899003},
		{"ErrVersionFloat", map[string]any{"version": raw("1.0")}, nil, 400, 899003},
		{"ErrVersionMissing", nil, []string{"version"}, 400, 899003},
		{"ErrTargetType", map[string]any{"target_type": "room"}, nil, 400, 899003},
		{"ErrTargetIDNumber", map[string]any{"target_id": 5}, nil, 400, 899003},
		{"ErrTargetIDMissing", nil, []string{"target_id"}, 400, 899003},
		{"ErrGroupTargetNotGID", map[string]any{"target_type": "group", "target_id": "abc"}, nil, 400, 899003},
		{"ErrGroupTargetZero", map[string]any{"target_type": "group", "target_id": "0"}, nil, 400, 899003},
		{"ErrFromType", map[string]any{"from_type": "system"}, nil, 400, 899003},
		{"ErrFromIDEmpty", map[string]any{"from_id": ""}, nil, 400, 899003},
		{"ErrFromIDMissing", nil, []string{"from_id"}, 400, 899003},
		{"ErrCreateTimeNegative", map[string]any{"create_time": -1}, nil, 400, 899003},
		{"ErrCreateTimeString", map[string]any{"create_time": "1"}, nil, 400, 899003},
		{"ErrMsgType", map[string]any{"msg_type": "video"}, nil, 400, 899003},
		{"ErrMsgBodyMissing", nil, []string{"msg_body"}, 400, 899003},
		{"ErrMsgBodyString", map[string]any{"msg_body": "hi"}, nil, 400, 899003},
		{"ErrTextMissing", map[string]any{"msg_body": map[string]any{}}, nil, 400, 899003},
		{"ErrTextNumber", map[string]any{"msg_body": map[string]any{"text": 1}}, nil, 400, 899003},
		{"ErrExtrasNotObject", map[string]any{"msg_body": map[string]any{"text": "x", "extras": []int{}}}, nil, 400, 899003},
		{"ErrVoiceNoDuration", map[string]any{"msg_type": "voice", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "format": "amr"}}, nil, 400, 899003},
		{"ErrVoiceCRCString", map[string]any{"msg_type": "voice", "msg_body": map[string]any{"media_id": "m", "media_crc": "1", "duration": 2, "format": "amr"}}, nil, 400, 899003},
		{"ErrImageNoWidth", map[string]any{"msg_type": "image", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "height": 4}}, nil, 400, 899003},
		{"ErrImageFormatNumber", map[string]any{"msg_type": "image", "msg_body": map[string]any{"media_id": "m", "media_crc": 1, "width": 3, "height": 4, "format": 1}}, nil, 400, 899003},
		{"ErrCustomNotObject", map[string]any{"msg_type": "custom", "msg_body": []int{1}}, nil, 400, 899003},
		{"ErrPlatform", map[string]any{"from_platform": "x"}, nil, 400, 899003},
		{"ErrTargetNameNumber", map[string]any{"target_name": 1}, nil, 400, 899003},
		{"ErrUnknownSender", map[string]any{"from_id": "nobody"}, nil, 403, 899005},
		{"ErrUnknownTarget", map[string]any{"target_id": "nobody"}, nil, 403, 899005},
		{"ErrUnknownGroup", map[string]any{"target_type": "group", "target_id": "424242"}, nil, 403, 899006},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do("POST", "/v1/messages", message(t, tt.set, tt.del...))
			wantStatusCode(t, r, tt.status, tt.code)
			if tt.code == 0 {
				if id := r.get("msg_id"); id.Int() < 1 || len(r.get("@this").Map()) != 1 {
					t.Errorf("body: got %s, want {\"msg_id\":positive}", r.body)
				}
			}
		})
	}
	t.Run("ErrNotObject", func(t *testing.T) {
		wantStatusCode(t, f.do("POST", "/v1/messages/", `[1]`), 400, 899003)
	})
}

func TestMessageIDsIncrease(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.mustRegister("alice", "bob1")
	var last int64
	for i := range 20 {
		r := f.do("POST", "/v1/messages", message(t, nil))
		id := r.get("msg_id").Int()
		if r.status != 200 || id <= last {
			t.Fatalf("message %d: got %s, want a msg_id above %d", i, r, last)
		}
		last = id
	}
	// Another app's ids are its own.
	f.do("POST", "/v1/users/", registerBody([]string{"alice", "bob1"}), as2()...)
	if r := f.do("POST", "/v1/messages", message(t, nil), as2()...); r.status != 200 || r.get("msg_id").Int() < 1 {
		t.Errorf("app 2 message: got %s, want 200", r)
	}
}
