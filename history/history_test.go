package history

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"jmcheck/model"
)

func message(to string) model.Request {
	return model.Request{Method: "POST", Path: "/v1/messages", Body: []byte(`{"version":1,"target_type":"single","target_id":"` + to + `","from_type":"user","from_id":"alice","msg_type":"text","msg_body":{"text":"hi"},"create_time":1500000000}`)}
}

func msgID(id string) model.Answer {
	return model.Answer{Status: 200, Body: []byte(`{"msg_id":` + id + `}`)}
}

func initState() *model.State { return model.New(model.Config{}).WithUsers("alice", "bobby") }

var (
	putNick = model.Request{Method: "PUT", Path: "/v1/users/alice", Body: []byte(`{"nickname":"x"}`)}
	getUser = model.Request{Method: "GET", Path: "/v1/users/alice"}
	sawNick = model.Answer{Status: 200, Body: []byte(`{"username":"alice","nickname":"x","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`)}
)

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		ops   []Op
		legal bool
	}{
		// Two messages at once may take their msg_ids in either order.
		"OverlappingMessages": {ops: []Op{
			{Key: "m", Client: 0, Req: message("bobby"), Ans: msgID("6"), Call: 0, Return: 10},
			{Key: "m", Client: 1, Req: message("bobby"), Ans: msgID("5"), Call: 1, Return: 9},
		}, legal: true},
		// One after the other, the later must have the larger msg_id.
		"MsgIDGoesBack": {ops: []Op{
			{Key: "m", Client: 0, Req: message("bobby"), Ans: msgID("6"), Call: 0, Return: 1},
			{Key: "m", Client: 0, Req: message("bobby"), Ans: msgID("5"), Call: 2, Return: 3},
		}},
		// A read sees a write that is still in flight: fine.
		"ReadSeesWriteInFlight": {ops: []Op{
			{Key: "u", Client: 0, Req: putNick, Ans: model.Answer{Status: 204}, Call: 0, Return: 10},
			{Key: "u", Client: 1, Req: getUser, Ans: sawNick, Call: 2, Return: 3},
		}, legal: true},
		// A read sees a write sent after it returned.
		"ReadSeesTheFuture": {ops: []Op{
			{Key: "u", Client: 1, Req: getUser, Ans: sawNick, Call: 0, Return: 1},
			{Key: "u", Client: 0, Req: putNick, Ans: model.Answer{Status: 204}, Call: 2, Return: 3},
		}},
		// A write without an answer may have taken effect.
		"WriteWithoutAnswer": {ops: []Op{
			{Key: "u", Client: 0, Req: putNick, Ans: model.Answer{None: true}, Call: 0, Return: 100},
			{Key: "u", Client: 1, Req: getUser, Ans: sawNick, Call: 2, Return: 3},
		}, legal: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := Check(From(initState()), c.ops, 10*time.Second)
			if res.Unknown {
				t.Fatal("no verdict")
			}
			if got := res.Violation == nil; got != c.legal {
				t.Fatalf("linearizable = %v, want %v", got, c.legal)
			}
			if !c.legal && (!strings.Contains(res.Violation.Text, "not linearizable") || res.Violation.HTML == nil || res.Violation.Summary == "") {
				t.Errorf("the violation is not said in words and drawn:\n%+v", res.Violation)
			}
		})
	}
}

func TestViolationTextSaysWhy(t *testing.T) {
	t.Parallel()
	res := Check(From(initState()), []Op{
		{Key: "the messages", Client: 0, Req: message("bobby"), Ans: msgID("6"), Call: 0, Return: 1},
		{Key: "the messages", Client: 0, Req: message("bobby"), Ans: msgID("5"), Call: 2, Return: 3},
	}, 10*time.Second)
	if res.Violation == nil {
		t.Fatal("no violation")
	}
	for _, want := range []string{"2 requests on the messages", `{"msg_id":6}`, "larger than every earlier one (> 6), got 5", "§5"} {
		if !strings.Contains(res.Violation.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, res.Violation.Text)
		}
	}
}

// TestRecorderCutKeepsWritesInFlight: a key cut at its limit keeps, of
// the requests still in flight, the writes, as requests without an
// answer. Leaving them out would make a correct history illegal: here a
// read that returned first saw a write that returned after the cut.
func TestRecorderCutKeepsWritesInFlight(t *testing.T) {
	t.Parallel()
	start := time.Now().Add(-time.Second)
	r := NewRecorder(start, Limits{PerKey: 1, Bytes: 1 << 20})
	r.Add("u", getUser, sawNick, start.Add(10*time.Millisecond))                      // kept; the key is cut
	r.Add("u", putNick, model.Answer{Status: 204}, start.Add(5*time.Millisecond))     // in flight at the cut: kept, no answer
	r.Add("u", getUser, sawNick, start.Add(6*time.Millisecond))                       // a read in flight: left out
	r.Add("u", putNick, model.Answer{Status: 204}, time.Now().Add(time.Millisecond))  // sent after the cut: left out
	r.Add("other", putNick, model.Answer{Status: 204}, start.Add(7*time.Millisecond)) // another key: kept
	ops := r.Ops()
	if st := r.Stats(); st.Kept != 3 || st.Dropped != 2 || st.CutKeys != 2 || st.Keys != 2 {
		t.Errorf("stats %+v, want 3 kept, 2 dropped, both keys cut (one request each)", st)
	}
	var none int
	for _, op := range ops {
		if op.Key == "u" && op.Req.Method == "PUT" {
			none++
			if !op.Ans.None {
				t.Errorf("the write in flight at the cut kept its answer: %+v", op)
			}
		}
	}
	if none != 1 {
		t.Fatalf("%d writes of key u kept, want 1", none)
	}
	var u []Op
	for _, op := range ops {
		if op.Key == "u" {
			u = append(u, op)
		}
	}
	if res := Check(From(initState()), u, 10*time.Second); res.Violation != nil {
		t.Errorf("the cut history is not linearizable:\n%s", res.Violation.Text)
	}
	if res := Check(From(initState()), u[1:], 10*time.Second); res.Violation == nil {
		t.Errorf("without the write the read is explained: the test shows nothing")
	}
}

// TestRecorderMemoryBound: past Limits.Bytes every key is cut, so what
// is kept stays near the bound however long the run.
func TestRecorderMemoryBound(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := NewRecorder(start, Limits{PerKey: 1 << 20, Bytes: 64 << 10})
	for i := range 10000 {
		r.Add([]string{"a", "b"}[i%2], message("bobby"), msgID("1"), time.Now())
	}
	st := r.Stats()
	// Over the bound by at most the writes in flight at the cut (here one).
	if !st.Full || st.Bytes > 65<<10 || st.Kept == 0 || st.Dropped == 0 || st.Kept+st.Dropped != 10000 {
		t.Errorf("stats %+v: want full, about 64 KiB, the rest left out", st)
	}
}

func TestRecorderClientsAreOneAtATime(t *testing.T) {
	t.Parallel()
	start := time.Now().Add(-time.Second)
	r := NewRecorder(start, Limits{PerKey: 10, Bytes: 1 << 20})
	r.Add("m", message("bobby"), msgID("1"), start)
	r.Add("m", message("bobby"), msgID("2"), start.Add(time.Millisecond))
	time.Sleep(time.Millisecond)
	r.Add("m", message("bobby"), msgID("3"), time.Now())
	ops := r.Ops()
	if ops[0].Client == ops[1].Client {
		t.Errorf("two requests in flight at once share client %d", ops[0].Client)
	}
	if ops[2].Client != 0 {
		t.Errorf("a request sent when every client was free got client %d, want 0", ops[2].Client)
	}
	for _, op := range ops {
		if op.Call > op.Return {
			t.Errorf("called after it returned: %+v", op)
		}
	}
}

// TestCheckSharesTheTime: a partition too hard for the time given (40
// writes at once and a read no order explains) neither hides a violation
// in a small partition nor leaves the small ones unchecked: they go first,
// and the hard one is named as the one without a verdict.
func TestCheckSharesTheTime(t *testing.T) {
	t.Parallel()
	var hard []Op
	for i := range 40 {
		put := model.Request{Method: "PUT", Path: "/v1/users/alice", Body: []byte(`{"nickname":"n` + strconv.Itoa(i) + `"}`)}
		hard = append(hard, Op{Key: "the profile of alice", Client: i, Req: put, Ans: model.Answer{Status: 204}, Call: 0, Return: 1000})
	}
	nobody := model.Answer{Status: 200, Body: []byte(`{"username":"alice","nickname":"nobody","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`)}
	hard = append(hard, Op{Key: "the profile of alice", Client: 40, Req: getUser, Ans: nobody, Call: 0, Return: 1000})
	fine := []Op{{Key: "bobby", Client: 41, Req: message("bobby"), Ans: msgID("5"), Call: 0, Return: 1}}

	res := Check(From(initState()), append(slices.Clone(hard), fine...), time.Second)
	if res.Violation != nil || !res.Unknown || !slices.Equal(res.Unchecked, []string{"the profile of alice"}) || res.Partitions != 2 {
		t.Errorf("got violation=%v unknown=%v unchecked=%q of %d; want only the hard partition without a verdict", res.Violation, res.Unknown, res.Unchecked, res.Partitions)
	}
	illegal := []Op{
		{Key: "the messages", Client: 42, Req: message("bobby"), Ans: msgID("6"), Call: 0, Return: 1},
		{Key: "the messages", Client: 42, Req: message("bobby"), Ans: msgID("5"), Call: 2, Return: 3},
	}
	res = Check(From(initState()), append(slices.Clone(hard), illegal...), time.Second)
	if res.Violation == nil || !strings.Contains(res.Violation.Summary, "the messages") {
		t.Errorf("the small partition's violation was not found beside the hard one: %+v", res)
	}
}

// TestCheckSends: a partition of message sends is decided by msg_id order
// however many are in flight at once: 3,000 overlapping sends answered in
// any order are linearizable; a send called after another returned with a
// smaller msg_id, or two with one msg_id, are a violation of those two.
func TestCheckSends(t *testing.T) {
	t.Parallel()
	const n = 3000
	var ops []Op
	for i := range n {
		id := (i*7919)%n + 10 // every id of 10..n+9 once, in no order
		ops = append(ops, Op{Key: "the messages", Client: i, Req: message("bobby"), Ans: msgID(strconv.Itoa(id)), Call: int64(i), Return: int64(n + i)})
	}
	ops = append(ops, Op{Key: "the messages", Client: n, Req: message("bobby"), Ans: model.Answer{None: true}, Call: 5, Return: 3 * n})
	res := Check(From(initState()), ops, 10*time.Second)
	if res.Violation != nil || res.Unknown {
		t.Fatalf("overlapping sends: violation %v, unknown %v; want linearizable", res.Violation, res.Unknown)
	}
	for name, extra := range map[string]Op{
		"LaterSmaller": {Key: "the messages", Client: n + 1, Req: message("bobby"), Ans: msgID("5"), Call: 3 * n, Return: 3*n + 1},
		"Duplicate":    {Key: "the messages", Client: n + 1, Req: message("bobby"), Ans: msgID("17"), Call: 3 * n, Return: 3*n + 1},
		"EarlierBig":   {Key: "the messages", Client: n + 1, Req: message("bobby"), Ans: msgID(strconv.Itoa(n + 100)), Call: -2, Return: -1},
	} {
		res := Check(From(initState()), append(slices.Clone(ops), extra), 10*time.Second)
		if res.Violation == nil {
			t.Errorf("%s: no violation", name)
			continue
		}
		t.Logf("%s: %s\n%s", name, res.Violation.Summary, res.Violation.Text)
		if !strings.Contains(res.Violation.Summary, "2 of them alone have no order") || res.Violation.HTML == nil {
			t.Errorf("%s: the violation is not the few requests that break it, drawn: %s", name, res.Violation.Summary)
		}
	}
}
