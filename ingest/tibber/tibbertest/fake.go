// Package tibbertest is a fake Tibber GraphQL API for tests, following
// what is known of the real one: local timestamps with
// milliseconds and offset, 23- and 25-hour DST days, null hours, a
// 744-node page cap, base64 cursors, late corrections, and its bad days
// (UNAUTHENTICATED in a 200, 400, 429 with or without Retry-After, HTML
// 502).
package tibbertest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Response is a canned answer.
type Response struct {
	Status int
	Body   string
	Header map[string]string
}

// Common bad answers.
var (
	Unauthenticated = Response{Status: 200, Body: `{"data":null,"errors":[{"message":"invalid token","path":["viewer"],"extensions":{"code":"UNAUTHENTICATED"}}]}`}
	BadRequest      = Response{Status: 400, Body: `{"errors":[{"message":"Syntax Error: Unexpected Name","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]}`}
	// OldBadToken is how Tibber answered a bad token before 2025.
	OldBadToken = Response{Status: 400, Body: `{"errors":[{"message":"invalid token","extensions":{"code":"BAD_REQUEST"}}]}`}
	// TokenFieldError is a 400 that mentions a token and says nothing of
	// the token meterd sent.
	TokenFieldError = Response{Status: 400, Body: `{"errors":[{"message":"Cannot query field \"token\" on type \"Viewer\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`}
	TooMany         = Response{Status: 429, Body: "Too Many Requests"}
	TooManyAfter    = func(s int) Response {
		return Response{Status: 429, Body: "Too Many Requests", Header: map[string]string{"Retry-After": strconv.Itoa(s)}}
	}
	HTML502  = Response{Status: 502, Body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", Header: map[string]string{"Content-Type": "text/html"}}
	Internal = Response{Status: 200, Body: `{"data":null,"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`}
)

// Hour is one hour's data; nil consumption is an hour Tibber has not got.
type Hour struct {
	Consumption *float64
	UnitPrice   float64
}

// Fake is the server. Set its fields before use; change data with Set.
type Fake struct {
	Token  string
	HomeID string
	Loc    *time.Location
	// Now bounds the hours Tibber knows (those that started before it).
	Now func() time.Time

	mu       sync.Mutex
	hours    map[int64]Hour
	script   []Response
	always   *Response
	failFrom int
	failWith Response
	requests []string
	server   *httptest.Server
}

// New starts a fake with the given token and home.
func New(t testing.TB, token, homeID string, now func() time.Time) *Fake {
	loc, _ := time.LoadLocation("Europe/Berlin")
	f := &Fake{Token: token, HomeID: homeID, Loc: loc, Now: now, hours: map[int64]Hour{}}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

// URL is the fake's endpoint.
func (f *Fake) URL() string { return f.server.URL }

// Set stores an hour's consumption (nil: not arrived) at its start.
func (f *Fake) Set(hour time.Time, consumption *float64, unitPrice float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hours[hour.Unix()] = Hour{Consumption: consumption, UnitPrice: unitPrice}
}

// Then queues answers for the next requests, before normal service.
func (f *Fake) Then(rs ...Response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, rs...)
}

// Always answers every request with r (nil: normal service again).
func (f *Fake) Always(r *Response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.always = r
}

// FailFrom answers every request after the first n with r, as a network
// that breaks down in the middle of a backfill (n < 0: never).
func (f *Fake) FailFrom(n int, r Response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failFrom, f.failWith = n, r
}

// Requests is how many requests arrived.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

var (
	lastRe   = regexp.MustCompile(`last:\s*(\d+)`)
	firstRe  = regexp.MustCompile(`first:\s*(\d+)`)
	beforeRe = regexp.MustCompile(`before:\s*"([^"]*)"`)
	afterRe  = regexp.MustCompile(`after:\s*"([^"]*)"`)
)

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, string(body))
	var canned *Response
	switch {
	case len(f.script) > 0:
		canned = &f.script[0]
		f.script = f.script[1:]
	case f.always != nil:
		canned = f.always
	case f.failFrom > 0 && len(f.requests) > f.failFrom:
		canned = &f.failWith
	}
	f.mu.Unlock()
	if canned != nil {
		for k, v := range canned.Header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(canned.Status)
		io.WriteString(w, canned.Body)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+f.Token {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, Unauthenticated.Body)
		return
	}
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil || !strings.Contains(req.Query, "viewer") {
		w.WriteHeader(400)
		io.WriteString(w, BadRequest.Body)
		return
	}
	var home map[string]any
	if strings.Contains(req.Query, "priceInfo") {
		home = f.prices()
	} else {
		home = f.consumption(req.Query, req.Variables)
	}
	home["id"] = f.HomeID
	var viewer map[string]any
	if strings.Contains(req.Query, "home(id:") {
		if id, _ := req.Variables["homeId"].(string); id != f.HomeID {
			viewer = map[string]any{"home": nil}
		} else {
			viewer = map[string]any{"home": home}
		}
	} else {
		viewer = map[string]any{"homes": []any{home}}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"viewer": viewer}})
}

func (f *Fake) local(t time.Time) string { return t.In(f.Loc).Format("2006-01-02T15:04:05.000-07:00") }

func (f *Fake) cursor(t time.Time) string {
	return base64.StdEncoding.EncodeToString([]byte(f.local(t)))
}

func (f *Fake) fromCursor(c string) (int64, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	t, err := time.Parse("2006-01-02T15:04:05.000-07:00", string(b))
	return t.Unix(), err == nil
}

func (f *Fake) consumption(q string, vars map[string]any) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.Now().Unix()
	var starts []int64
	for t := range f.hours {
		if t+3600 <= now {
			starts = append(starts, t)
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	arg := func(re *regexp.Regexp, name string) string {
		if v, ok := vars[name].(string); ok {
			return v
		}
		if m := re.FindStringSubmatch(q); m != nil {
			return m[1]
		}
		return ""
	}
	lo, hi := 0, len(starts)
	n := MaxPage
	if m := lastRe.FindStringSubmatch(q); m != nil {
		n, _ = strconv.Atoi(m[1])
		if c := arg(beforeRe, "before"); c != "" {
			if t, ok := f.fromCursor(c); ok {
				hi = sort.Search(len(starts), func(i int) bool { return starts[i] >= t })
			}
		}
		n = min(n, MaxPage) // silently capped, as Tibber does
		lo = max(0, hi-n)
	} else if m := firstRe.FindStringSubmatch(q); m != nil {
		n, _ = strconv.Atoi(m[1])
		if c := arg(afterRe, "after"); c != "" {
			if t, ok := f.fromCursor(c); ok {
				// Tibber returns the "after" node itself first.
				lo = sort.Search(len(starts), func(i int) bool { return starts[i] >= t })
			}
		}
		n = min(n, MaxPage)
		hi = min(len(starts), lo+n)
	}
	nodes := []any{}
	for _, t := range starts[lo:hi] {
		h := f.hours[t]
		from := time.Unix(t, 0)
		node := map[string]any{
			"from": f.local(from), "to": f.local(from.Add(time.Hour)),
			"unitPrice": h.UnitPrice, "unitPriceVAT": h.UnitPrice * 0.19 / 1.19,
			"consumption": nil, "cost": nil, "consumptionUnit": "kWh", "currency": "EUR",
		}
		if h.Consumption != nil {
			node["consumption"] = *h.Consumption
			node["cost"] = *h.Consumption * h.UnitPrice
		}
		nodes = append(nodes, node)
	}
	page := map[string]any{"hasPreviousPage": lo > 0, "hasNextPage": hi < len(starts), "count": hi - lo, "startCursor": "", "endCursor": ""}
	if hi > lo {
		page["startCursor"] = f.cursor(time.Unix(starts[lo], 0))
		page["endCursor"] = f.cursor(time.Unix(starts[hi-1], 0))
	}
	return map[string]any{"consumption": map[string]any{"pageInfo": page, "nodes": nodes}}
}

// MaxPage is Tibber's cap on hourly nodes per request.
const MaxPage = 744

func (f *Fake) prices() map[string]any {
	now := f.Now().In(f.Loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, f.Loc)
	mk := func(d time.Time) []any {
		var out []any
		for t := d; t.Before(d.AddDate(0, 0, 1)); t = t.Add(time.Hour) {
			energy := 0.10 + float64(t.In(f.Loc).Hour())/100
			out = append(out, map[string]any{"total": energy + 0.2, "energy": energy, "tax": 0.2, "startsAt": f.local(t), "level": "NORMAL", "currency": "EUR"})
		}
		return out
	}
	tomorrow := []any{}
	if now.Hour() >= 13 {
		tomorrow = mk(day.AddDate(0, 0, 1))
	}
	return map[string]any{"currentSubscription": map[string]any{"priceInfo": map[string]any{"today": mk(day), "tomorrow": tomorrow}}}
}

// F is a helper for *float64 values.
func F(v float64) *float64 { return &v }
