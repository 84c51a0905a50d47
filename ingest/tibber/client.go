// Package tibber is a small client for Tibber's GraphQL API: hourly
// consumption and prices, with the politeness the API needs (docs/import.md#tibber):
// a request budget, exponential backoff with jitter, Retry-After, a long
// pause after a 429, and no retries of what cannot succeed.
package tibber

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultURL is Tibber's API endpoint.
const DefaultURL = "https://api.tibber.com/v1-beta/gql"

// MaxPage is the most hourly nodes Tibber returns per request (since
// October 2024); asking for more is silently capped.
const MaxPage = 744

// Kinds of failure; each is also the status label of the request metric.
const (
	KindOK          = "ok"
	KindAuth        = "auth_error"       // token rejected: never retried
	KindBadRequest  = "bad_request"      // query refused: never retried
	KindRateLimited = "rate_limited"     // 429: pause at least 10 minutes
	KindServer      = "server_error"     // 5xx: retried
	KindInvalid     = "invalid_response" // HTML or not JSON: retried
	KindGraphQL     = "graphql_error"    // 200 with errors: retried
	KindNetwork     = "network_error"    // retried
	KindBackoff     = "backoff"          // not sent: still pausing after a 429
)

// Kinds lists every request outcome, for metrics.
var Kinds = []string{KindOK, KindAuth, KindBadRequest, KindRateLimited, KindServer, KindInvalid, KindGraphQL, KindNetwork, KindBackoff}

// Error is a failed request. Retryable errors are tried again later;
// the others need a person (a new token) or a fix.
type Error struct {
	Kind      string
	Msg       string
	Retryable bool
	// Until is, for KindRateLimited and KindBackoff, when requests may
	// resume.
	Until time.Time
}

func (e *Error) Error() string { return "Tibber: " + e.Msg }

// IsAuth reports whether err means the token was rejected.
func IsAuth(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindAuth
}

// Options configure a Client. Zero values get defaults; tests replace the
// clock and the sleep.
type Options struct {
	URL             string
	Token           string
	HTTP            *http.Client
	RequestsPer5Min int
	MaxAttempts     int           // per call, for retryable failures (default 4)
	BaseDelay       time.Duration // first backoff (default 2s), doubling to MaxDelay
	MaxDelay        time.Duration // default 2m
	RateLimitPause  time.Duration // after a 429 (default and minimum 10m)
	Now             func() time.Time
	Sleep           func(ctx context.Context, d time.Duration) error
	// OnRequest is told the outcome of every request sent, and of every
	// one not sent because of a pause (KindBackoff).
	OnRequest func(kind string)
	// PausedUntil continues a pause after a 429 that began before this
	// client (a restart must not end Tibber's ban early).
	PausedUntil time.Time
	// OnPause is told when a 429 starts a pause, so that it can be kept.
	OnPause func(until time.Time)
	// OnWait is told when a request waits for the budget, and until when.
	OnWait func(until time.Time)
}

// Client talks to Tibber. It is safe for concurrent use; requests are
// serialised by the budget.
type Client struct {
	o         Options
	mu        sync.Mutex
	sent      []time.Time
	notBefore time.Time
}

// New makes a client.
func New(o Options) *Client {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 60 * time.Second}
	}
	if o.RequestsPer5Min <= 0 {
		o.RequestsPer5Min = 20
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 2 * time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 2 * time.Minute
	}
	if o.RateLimitPause < 10*time.Minute {
		o.RateLimitPause = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	if o.OnRequest == nil {
		o.OnRequest = func(string) {}
	}
	if o.OnPause == nil {
		o.OnPause = func(time.Time) {}
	}
	if o.OnWait == nil {
		o.OnWait = func(time.Time) {}
	}
	return &Client{o: o, notBefore: o.PausedUntil}
}

// PausedUntil is the end of the current pause after a 429 (zero: none).
func (c *Client) PausedUntil() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.o.Now().Before(c.notBefore) {
		return c.notBefore
	}
	return time.Time{}
}

// Node is one hour of consumption. Consumption and Cost are nil for hours
// whose data has not arrived yet: missing, never zero.
type Node struct {
	From         time.Time // the hour's start, as an instant
	Consumption  *float64
	Cost         *float64
	UnitPrice    *float64 // including VAT
	UnitPriceVAT *float64 // the VAT part
	Currency     string
}

// Page is one request's worth of hours, oldest first.
type Page struct {
	HomeID          string
	Nodes           []Node
	StartCursor     string
	HasPreviousPage bool
}

// Price is one hour's (or quarter-hour's) price.
type Price struct {
	StartsAt time.Time
	Total    float64
	Energy   float64
	Tax      float64
	Level    string
	Currency string
}

const consumptionFields = `pageInfo { startCursor endCursor hasPreviousPage hasNextPage count }
      nodes { from to cost unitPrice unitPriceVAT consumption consumptionUnit currency }`

// Consumption asks for the last n hours before cursor (empty: up to now)
// of homeID (empty: the account's only home).
func (c *Client) Consumption(ctx context.Context, homeID string, n int, before string) (*Page, error) {
	args := fmt.Sprintf("resolution: HOURLY, last: %d", min(n, MaxPage))
	vars := map[string]any{}
	if before != "" {
		args += ", before: $before"
		vars["before"] = before
	}
	sel := fmt.Sprintf("id consumption(%s) { %s }", args, consumptionFields)
	var raw struct {
		ID          string `json:"id"`
		Consumption *struct {
			PageInfo struct {
				StartCursor     string `json:"startCursor"`
				HasPreviousPage bool   `json:"hasPreviousPage"`
			} `json:"pageInfo"`
			Nodes []struct {
				From         string   `json:"from"`
				Cost         *float64 `json:"cost"`
				UnitPrice    *float64 `json:"unitPrice"`
				UnitPriceVAT *float64 `json:"unitPriceVAT"`
				Consumption  *float64 `json:"consumption"`
				Currency     string   `json:"currency"`
			} `json:"nodes"`
		} `json:"consumption"`
	}
	if err := c.home(ctx, homeID, sel, vars, &raw); err != nil {
		return nil, err
	}
	p := &Page{HomeID: raw.ID}
	if raw.Consumption == nil {
		return p, nil // a home without metering data
	}
	p.StartCursor, p.HasPreviousPage = raw.Consumption.PageInfo.StartCursor, raw.Consumption.PageInfo.HasPreviousPage
	for _, n := range raw.Consumption.Nodes {
		t, err := time.Parse(time.RFC3339Nano, n.From)
		if err != nil {
			return nil, &Error{Kind: KindInvalid, Msg: fmt.Sprintf("node time %q: %v", n.From, err), Retryable: true}
		}
		p.Nodes = append(p.Nodes, Node{From: t.UTC().Truncate(time.Second), Consumption: n.Consumption, Cost: n.Cost,
			UnitPrice: n.UnitPrice, UnitPriceVAT: n.UnitPriceVAT, Currency: n.Currency})
	}
	return p, nil
}

// Prices returns today's and tomorrow's prices (tomorrow's once published,
// around 13:00) and the home's id.
func (c *Client) Prices(ctx context.Context, homeID string) (string, []Price, error) {
	const fields = "total energy tax startsAt level currency"
	sel := fmt.Sprintf("id currentSubscription { priceInfo { today { %s } tomorrow { %s } } }", fields, fields)
	type price struct {
		Total    float64 `json:"total"`
		Energy   float64 `json:"energy"`
		Tax      float64 `json:"tax"`
		StartsAt string  `json:"startsAt"`
		Level    string  `json:"level"`
		Currency string  `json:"currency"`
	}
	var raw struct {
		ID                  string `json:"id"`
		CurrentSubscription *struct {
			PriceInfo *struct {
				Today    []price `json:"today"`
				Tomorrow []price `json:"tomorrow"`
			} `json:"priceInfo"`
		} `json:"currentSubscription"`
	}
	if err := c.home(ctx, homeID, sel, nil, &raw); err != nil {
		return "", nil, err
	}
	var out []Price
	if raw.CurrentSubscription == nil || raw.CurrentSubscription.PriceInfo == nil {
		return raw.ID, nil, nil
	}
	for _, p := range append(raw.CurrentSubscription.PriceInfo.Today, raw.CurrentSubscription.PriceInfo.Tomorrow...) {
		t, err := time.Parse(time.RFC3339Nano, p.StartsAt)
		if err != nil {
			return "", nil, &Error{Kind: KindInvalid, Msg: fmt.Sprintf("price time %q: %v", p.StartsAt, err), Retryable: true}
		}
		out = append(out, Price{StartsAt: t.UTC().Truncate(time.Second), Total: p.Total, Energy: p.Energy, Tax: p.Tax, Level: p.Level, Currency: p.Currency})
	}
	return raw.ID, out, nil
}

// home runs a selection on one home: home(id) when homeID is set, else the
// account's only home.
func (c *Client) home(ctx context.Context, homeID, selection string, vars map[string]any, out any) error {
	all := map[string]any{}
	var decls []string
	for k, v := range vars {
		all[k] = v
		decls = append(decls, "$"+k+": String")
	}
	if homeID != "" {
		all["homeId"] = homeID
		decls = append(decls, "$homeId: ID!")
	}
	head := "query"
	if len(decls) > 0 {
		sort.Strings(decls)
		head = "query(" + strings.Join(decls, ", ") + ")"
	}
	if homeID != "" {
		q := fmt.Sprintf("%s { viewer { home(id: $homeId) { %s } } }", head, selection)
		var resp struct {
			Viewer *struct {
				Home json.RawMessage `json:"home"`
			} `json:"viewer"`
		}
		if err := c.do(ctx, q, all, &resp); err != nil {
			return err
		}
		if resp.Viewer == nil || len(resp.Viewer.Home) == 0 || string(resp.Viewer.Home) == "null" {
			return &Error{Kind: KindBadRequest, Msg: fmt.Sprintf("no home %q on this account: check tibber.home_id", homeID)}
		}
		return json.Unmarshal(resp.Viewer.Home, out)
	}
	q := fmt.Sprintf("%s { viewer { homes { %s } } }", head, selection)
	var resp struct {
		Viewer *struct {
			Homes []json.RawMessage `json:"homes"`
		} `json:"viewer"`
	}
	if err := c.do(ctx, q, all, &resp); err != nil {
		return err
	}
	if resp.Viewer == nil || len(resp.Viewer.Homes) == 0 {
		return &Error{Kind: KindBadRequest, Msg: "the account has no home"}
	}
	if len(resp.Viewer.Homes) > 1 {
		var ids []string
		for _, h := range resp.Viewer.Homes {
			var x struct {
				ID string `json:"id"`
			}
			json.Unmarshal(h, &x)
			ids = append(ids, x.ID)
		}
		return &Error{Kind: KindBadRequest, Msg: fmt.Sprintf("the account has %d homes (%s): set tibber.home_id", len(ids), strings.Join(ids, ", "))}
	}
	return json.Unmarshal(resp.Viewer.Homes[0], out)
}

// do sends a query, retrying what may succeed later with exponential
// backoff and jitter, and honouring Retry-After.
func (c *Client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx); err != nil {
			var te *Error
			if errors.As(err, &te) && te.Kind == KindBackoff {
				c.o.OnRequest(KindBackoff)
			}
			return err
		}
		retryAfter, err := c.once(ctx, body, out)
		if err == nil {
			c.o.OnRequest(KindOK)
			return nil
		}
		var te *Error
		if !errors.As(err, &te) {
			return err
		}
		c.o.OnRequest(te.Kind)
		if te.Kind == KindRateLimited {
			pause := max(c.o.RateLimitPause, retryAfter)
			c.mu.Lock()
			c.notBefore = c.o.Now().Add(pause)
			te.Until = c.notBefore
			c.mu.Unlock()
			c.o.OnPause(te.Until)
			return te
		}
		if !te.Retryable || attempt >= c.o.MaxAttempts {
			return te
		}
		delay := c.o.BaseDelay << (attempt - 1)
		delay = min(delay, c.o.MaxDelay)
		// Full jitter on the upper half: many clients restarting together
		// must not retry in step.
		delay = delay/2 + time.Duration(rand.Float64()*float64(delay/2))
		delay = max(delay, retryAfter)
		if err := c.o.Sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// wait refuses to send while pausing after a 429, and otherwise keeps to
// the budget of requests per five minutes.
func (c *Client) wait(ctx context.Context) error {
	for {
		c.mu.Lock()
		now := c.o.Now()
		if now.Before(c.notBefore) {
			until := c.notBefore
			c.mu.Unlock()
			return &Error{Kind: KindBackoff, Msg: fmt.Sprintf("rate limited: no requests until %s", until.Format(time.RFC3339)), Retryable: true, Until: until}
		}
		window := now.Add(-5 * time.Minute)
		i := 0
		for i < len(c.sent) && !c.sent[i].After(window) {
			i++
		}
		c.sent = c.sent[i:]
		if len(c.sent) < c.o.RequestsPer5Min {
			c.sent = append(c.sent, now)
			c.mu.Unlock()
			return nil
		}
		next := c.sent[0].Add(5 * time.Minute).Sub(now)
		c.mu.Unlock()
		c.o.OnWait(now.Add(next))
		if err := c.o.Sleep(ctx, next); err != nil {
			return err
		}
	}
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

// once sends one request and classifies the answer.
func (c *Client) once(ctx context.Context, body []byte, out any) (retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.o.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "meterd (+https://github.com/meterd/meterd)")
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, &Error{Kind: KindNetwork, Msg: scrub(err.Error(), c.o.Token), Retryable: true}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return 0, &Error{Kind: KindNetwork, Msg: "reading the answer: " + err.Error(), Retryable: true}
	}
	retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.o.Now())
	var g gqlResponse
	jsonErr := json.Unmarshal(raw, &g)
	authErr := func() bool {
		for _, e := range g.Errors {
			if e.Extensions.Code == "UNAUTHENTICATED" {
				return true
			}
		}
		return false
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return retryAfter, &Error{Kind: KindRateLimited, Msg: "too many requests (HTTP 429)"}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || (jsonErr == nil && authErr()):
		return 0, &Error{Kind: KindAuth, Msg: "Tibber token rejected: set a valid METERD_TIBBER_TOKEN"}
	case resp.StatusCode == http.StatusBadRequest:
		msg := "HTTP 400"
		if jsonErr == nil && len(g.Errors) > 0 {
			msg += ": " + g.Errors[0].Message
		}
		// Before 2025 a bad token was a 400 too; a 400 that merely
		// mentions a token (a query error about a field) is not one.
		if jsonErr == nil && (authErr() || tokenRejected(g)) {
			return 0, &Error{Kind: KindAuth, Msg: "Tibber token rejected: set a valid METERD_TIBBER_TOKEN"}
		}
		return 0, &Error{Kind: KindBadRequest, Msg: "query refused (" + msg + ")"}
	case resp.StatusCode >= 500:
		return retryAfter, &Error{Kind: KindServer, Msg: fmt.Sprintf("HTTP %d", resp.StatusCode), Retryable: true}
	case resp.StatusCode != http.StatusOK:
		return retryAfter, &Error{Kind: KindInvalid, Msg: fmt.Sprintf("unexpected HTTP %d", resp.StatusCode), Retryable: true}
	case jsonErr != nil:
		return 0, &Error{Kind: KindInvalid, Msg: "the answer is not JSON", Retryable: true}
	case len(g.Errors) > 0:
		return 0, &Error{Kind: KindGraphQL, Msg: fmt.Sprintf("%s (%s)", g.Errors[0].Message, g.Errors[0].Extensions.Code), Retryable: true}
	case len(g.Data) == 0 || string(g.Data) == "null":
		return 0, &Error{Kind: KindInvalid, Msg: "the answer has no data", Retryable: true}
	}
	if err := json.Unmarshal(g.Data, out); err != nil {
		return 0, &Error{Kind: KindInvalid, Msg: "unexpected data: " + err.Error(), Retryable: true}
	}
	return 0, nil
}

// rejectedToken matches what Tibber said of a bad token before 2025:
// "invalid token", "token expired", "Token is invalid".
var rejectedToken = regexp.MustCompile(`(?i)\b(invalid|expired|bad|unknown)\s+(api\s+)?token\b|\btoken\b.*\b(invalid|expired|revoked)\b`)

// tokenRejected reports whether a GraphQL answer's errors say the token is
// bad.
func tokenRejected(g gqlResponse) bool {
	for _, e := range g.Errors {
		if rejectedToken.MatchString(e.Message) {
			return true
		}
	}
	return false
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}

// scrub removes the token from a message (a URL error may quote a request).
func scrub(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[redacted]")
}
