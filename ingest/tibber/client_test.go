package tibber

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/meterd/meterd/ingest/tibber/tibbertest"
)

// fakeClock advances only when the client sleeps.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t *testing.T) (*tibbertest.Fake, *Client, *fakeClock, map[string]int) {
	clock := &fakeClock{t: time.Date(2025, 11, 4, 12, 0, 0, 0, time.UTC)}
	fake := tibbertest.New(t, "tok", "home-1", clock.now)
	for h := 0; h < 48; h++ {
		fake.Set(clock.t.Add(-time.Duration(48-h)*time.Hour), tibbertest.F(0.5), 0.30)
	}
	kinds := map[string]int{}
	var mu sync.Mutex
	c := New(Options{URL: fake.URL(), Token: "tok", Now: clock.now, Sleep: clock.sleep, RequestsPer5Min: 20,
		OnRequest: func(k string) { mu.Lock(); kinds[k]++; mu.Unlock() }})
	return fake, c, clock, kinds
}

func TestConsumptionPage(t *testing.T) {
	_, c, clock, _ := setup(t)
	p, err := c.Consumption(context.Background(), "", 24, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.HomeID != "home-1" || len(p.Nodes) != 24 || !p.HasPreviousPage || p.StartCursor == "" {
		t.Fatalf("page %+v", p)
	}
	// Local timestamps with offset become UTC instants: the last hour
	// started an hour before now.
	if last := p.Nodes[23].From; !last.Equal(clock.t.Add(-time.Hour)) || *p.Nodes[23].Consumption != 0.5 {
		t.Errorf("last node %+v", p.Nodes[23])
	}
	prev, err := c.Consumption(context.Background(), "home-1", 24, p.StartCursor)
	if err != nil || len(prev.Nodes) != 24 || !prev.Nodes[23].From.Equal(p.Nodes[0].From.Add(-time.Hour)) || prev.HasPreviousPage {
		t.Fatalf("previous page %+v, %v", prev, err)
	}
	if _, err := c.Consumption(context.Background(), "other-home", 24, ""); err == nil {
		t.Error("an unknown home id was accepted")
	}
}

func TestAuthErrorsAreNotRetried(t *testing.T) {
	for name, r := range map[string]tibbertest.Response{"200 UNAUTHENTICATED": tibbertest.Unauthenticated, "400": tibbertest.BadRequest} {
		fake, c, _, _ := setup(t)
		fake.Always(&r)
		_, err := c.Consumption(context.Background(), "", 24, "")
		var te *Error
		if !errors.As(err, &te) || te.Retryable || fake.Requests() != 1 {
			t.Errorf("%s: %v after %d requests; want one request and a final error", name, err, fake.Requests())
		}
	}
	fake, c, _, _ := setup(t)
	fake.Always(&tibbertest.Unauthenticated)
	if _, err := c.Consumption(context.Background(), "", 24, ""); !IsAuth(err) {
		t.Errorf("UNAUTHENTICATED: %v; want an auth error", err)
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	fake, c, clock, kinds := setup(t)
	fake.Then(tibbertest.HTML502, tibbertest.Internal, tibbertest.Response{Status: 503, Body: "x", Header: map[string]string{"Retry-After": "30"}})
	p, err := c.Consumption(context.Background(), "", 24, "")
	if err != nil || len(p.Nodes) != 24 {
		t.Fatalf("after three failures: %v", err)
	}
	if fake.Requests() != 4 || kinds[KindServer] != 2 || kinds[KindGraphQL] != 1 || kinds[KindOK] != 1 {
		t.Errorf("requests %d, kinds %v", fake.Requests(), kinds)
	}
	// Backoff with jitter: 1–2 s, then 2–4 s; the 503's Retry-After of
	// 30 s is longer than the third backoff (2–4 s... 4–8 s) and wins.
	if len(clock.sleeps) != 3 || clock.sleeps[0] < time.Second || clock.sleeps[0] > 2*time.Second ||
		clock.sleeps[1] < 2*time.Second || clock.sleeps[1] > 4*time.Second || clock.sleeps[2] != 30*time.Second {
		t.Errorf("sleeps %v", clock.sleeps)
	}
	// Four failures in a row end the call; the next poll tries again.
	fake.Always(&tibbertest.HTML502)
	_, err = c.Consumption(context.Background(), "", 24, "")
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindServer || !te.Retryable {
		t.Errorf("persistent 502: %v", err)
	}
}

// A 429 storm: after each 429 the client sends nothing for at least 10
// minutes (or Retry-After, if longer), however often it is asked.
func TestRateLimitStorm(t *testing.T) {
	fake, c, clock, _ := setup(t)
	fake.Always(&tibbertest.TooMany)
	// Asked every minute for two hours.
	for i := 0; i < 120; i++ {
		_, err := c.Consumption(context.Background(), "", 24, "")
		var te *Error
		if !errors.As(err, &te) || (te.Kind != KindRateLimited && te.Kind != KindBackoff) {
			t.Fatalf("minute %d: %v", i, err)
		}
		clock.advance(time.Minute)
	}
	// One request per 10 minutes at most: 12 in two hours.
	if n := fake.Requests(); n > 12 || n < 11 {
		t.Errorf("%d requests in two hours of 429s; want 12 at most (one per 10 minutes)", n)
	}
	before := fake.Requests()
	fake.Always(&[]tibbertest.Response{tibbertest.TooManyAfter(3600)}[0])
	clock.advance(10 * time.Minute)
	c.Consumption(context.Background(), "", 24, "")
	for i := 0; i < 59; i++ {
		clock.advance(time.Minute)
		c.Consumption(context.Background(), "", 24, "")
	}
	if n := fake.Requests() - before; n != 1 {
		t.Errorf("with Retry-After: 3600, %d requests in the following hour; want 1", n)
	}
}

func TestRequestBudget(t *testing.T) {
	fake, c, clock, _ := setup(t)
	c.o.RequestsPer5Min = 5
	start := clock.now()
	for i := 0; i < 12; i++ {
		if _, err := c.Consumption(context.Background(), "", 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	// 12 requests at 5 per 5 minutes: the 11th waits until 10 minutes in.
	if fake.Requests() != 12 || clock.now().Sub(start) < 10*time.Minute {
		t.Errorf("%d requests in %s", fake.Requests(), clock.now().Sub(start))
	}
}

func TestPrices(t *testing.T) {
	_, c, _, _ := setup(t)
	home, prices, err := c.Prices(context.Background(), "")
	// 12:00 UTC is 13:00 in Berlin: tomorrow's prices are out.
	if err != nil || home != "home-1" || len(prices) != 48 {
		t.Fatalf("%s, %d prices, %v", home, len(prices), err)
	}
	p := prices[0]
	if p.Level != "NORMAL" || p.Total != p.Energy+p.Tax || p.StartsAt.Format(time.RFC3339) != "2025-11-03T23:00:00Z" {
		t.Errorf("first price %+v", p)
	}
}

// TestA400AboutATokenFieldIsNoRejectedToken: only a 400 that says the token
// is bad (as Tibber did before 2025) is a rejected token.
func TestA400AboutATokenFieldIsNoRejectedToken(t *testing.T) {
	fake, c, _, _ := setup(t)
	fake.Always(&tibbertest.TokenFieldError)
	_, err := c.Consumption(context.Background(), "", 24, "")
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindBadRequest || IsAuth(err) {
		t.Errorf("a 400 about a field named token: %v; want a refused query, not a rejected token", err)
	}
	fake.Always(&tibbertest.OldBadToken)
	if _, err := c.Consumption(context.Background(), "", 24, ""); !IsAuth(err) {
		t.Errorf("a 400 saying invalid token: %v; want a rejected token", err)
	}
}

// TestPauseIsKeptAndCounted: a 429 pause is handed out to be kept, a new
// client that is given it sends nothing until it ends, and every request
// not sent meanwhile counts as backoff.
func TestPauseIsKeptAndCounted(t *testing.T) {
	fake, c, clock, kinds := setup(t)
	var kept time.Time
	c.o.OnPause = func(until time.Time) { kept = until }
	fake.Always(&tibbertest.TooMany)
	c.Consumption(context.Background(), "", 24, "")
	if want := clock.now().Add(10 * time.Minute); !kept.Equal(want) {
		t.Fatalf("pause handed out: %v; want %v", kept, want)
	}
	fake.Always(nil)
	// A restart: a new client, given the kept pause.
	restarted := New(Options{URL: fake.URL(), Token: "tok", Now: clock.now, Sleep: clock.sleep, PausedUntil: kept,
		OnRequest: func(k string) { kinds[k]++ }})
	before := fake.Requests()
	for range 3 {
		clock.advance(2 * time.Minute)
		if _, err := restarted.Consumption(context.Background(), "", 24, ""); err == nil {
			t.Fatal("a request went out during the pause")
		}
	}
	if fake.Requests() != before || kinds[KindBackoff] != 3 {
		t.Errorf("%d requests sent, %d counted as backoff during the pause; want 0 and 3", fake.Requests()-before, kinds[KindBackoff])
	}
	clock.advance(5 * time.Minute)
	if _, err := restarted.Consumption(context.Background(), "", 24, ""); err != nil {
		t.Errorf("after the pause: %v", err)
	}
}

// TestWaitingForTheBudgetIsTold: a request that must wait for the budget
// says until when, before it sleeps.
func TestWaitingForTheBudgetIsTold(t *testing.T) {
	_, c, clock, _ := setup(t)
	c.o.RequestsPer5Min = 1
	var told []time.Time
	c.o.OnWait = func(until time.Time) { told = append(told, until) }
	start := clock.now()
	c.Consumption(context.Background(), "", 1, "")
	c.Consumption(context.Background(), "", 1, "")
	if len(told) != 1 || !told[0].Equal(start.Add(5*time.Minute)) {
		t.Errorf("told %v; want one wait until %v", told, start.Add(5*time.Minute))
	}
}
