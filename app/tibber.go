package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/ingest/tibber"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

const (
	// nullHorizon is how long hours Tibber has no data for are asked for
	// again; the grid operator's data arrives within a day or two.
	nullHorizon = 30 * 24 * time.Hour
	// pollJitter spreads the hourly polls of many installations.
	pollJitter = 2 * time.Minute
)

// TibberResult is what one sync did.
type TibberResult struct {
	Home      string `json:"home_id"`
	New       int    `json:"new"`
	Updated   int    `json:"updated"`
	StillNull int    `json:"still_null"`
	Prices    int    `json:"prices_changed"`
	Backfill  string `json:"backfill,omitempty"`
}

// tibberMeter is the meter Tibber's hours belong to, if any.
func (a *App) tibberMeter() (Meter, bool) {
	for _, m := range a.cfg.Meters {
		if m.Source == SourceTibber {
			return m, true
		}
	}
	return Meter{}, false
}

// settingTibberPause keeps the end of a 429 pause across restarts: Tibber's
// ban is renewed by every request during it, a restart included.
const settingTibberPause = "tibber.paused_until"

func (a *App) newTibberClient(ctx context.Context, adjust func(*tibber.Options)) *tibber.Client {
	o := tibber.Options{
		URL: a.cfg.Tibber.URL, Token: a.cfg.Secrets.TibberToken.Value(), RequestsPer5Min: a.cfg.Tibber.RequestsPer5Min, Now: a.now,
		OnRequest: func(kind string) { a.metrics.TibberRequests.WithLabelValues(kind).Inc() },
		OnPause: func(until time.Time) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := a.db.SetSetting(ctx, settingTibberPause, until.UTC().Format(time.RFC3339)); err != nil {
				a.log.Error("cannot keep the Tibber pause", "error", err)
			}
		},
		OnWait: func(until time.Time) {
			a.health.Set("tibber", api.StatusOK, msg.New("health.tibber_budget", until.In(a.cfg.Location).Format("15:04:05")))
		},
	}
	if v, ok, err := a.db.Setting(ctx, settingTibberPause); err == nil && ok {
		if until, err := time.Parse(time.RFC3339, v); err == nil && until.After(a.now()) {
			o.PausedUntil = until
		}
	}
	if adjust != nil {
		adjust(&o)
	}
	return tibber.New(o)
}

// tibberPollJob is the scheduled poll: a random pause first, so that homes
// do not all ask at minute 5 sharp.
func (a *App) tibberPollJob(ctx context.Context) (any, bool, error) {
	d := time.Duration(rand.Int64N(int64(pollJitter)))
	t := time.NewTimer(d)
	select {
	case <-ctx.Done():
		t.Stop()
		return nil, false, nil
	case <-t.C:
	}
	return a.TibberPoll(ctx)
}

// TibberPoll is one regular sync: prices, then the overlap window and any
// hours still missing.
func (a *App) TibberPoll(ctx context.Context) (any, bool, error) {
	res, err := a.TibberSync(ctx, time.Time{})
	return res, true, err
}

// TibberSync fetches prices and consumption. With since set it backfills
// back to that instant first (resuming an interrupted backfill of the
// same date); the first sync of a home backfills the last 13 months.
func (a *App) TibberSync(ctx context.Context, since time.Time) (TibberResult, error) {
	var res TibberResult
	if a.tibber == nil {
		return res, errors.New("no Tibber token: set METERD_TIBBER_TOKEN")
	}
	meter, hasMeter := a.tibberMeter()
	err := a.tibberSync(ctx, since, meter, hasMeter, &res)
	a.tibberHealth(ctx, meter, err, res)
	return res, err
}

func (a *App) tibberSync(ctx context.Context, since time.Time, meter Meter, hasMeter bool, res *TibberResult) error {
	now := a.now()
	outbox := a.cfg.Influx.Enabled()
	home, prices, err := a.tibber.Prices(ctx, a.cfg.Tibber.HomeID)
	if err != nil {
		return err
	}
	res.Home = home
	sp := make([]store.TibberPrice, len(prices))
	for i, p := range prices {
		sp[i] = store.TibberPrice{StartsAt: p.StartsAt, Total: p.Total, Energy: p.Energy, Tax: p.Tax, Level: p.Level, Currency: p.Currency}
	}
	if res.Prices, err = a.db.WriteTibberPrices(ctx, home, sp, outbox); err != nil {
		return err
	}
	if !hasMeter {
		return nil
	}
	state, err := a.db.TibberState(ctx, home)
	if err != nil {
		return err
	}
	if since.IsZero() && state.LastPoll.IsZero() && state.BackfillSince.IsZero() {
		since = now.AddDate(0, -13, 0)
	}
	if !since.IsZero() || (!state.BackfillDone && !state.BackfillSince.IsZero()) {
		if since.IsZero() {
			since = state.BackfillSince // an interrupted backfill resumes
		}
		if err := a.tibberBackfill(ctx, meter, home, since, &state, res, outbox); err != nil {
			return err
		}
	}
	// The poll window: the overlap, and back to where the last poll left
	// off or the oldest hour still missing.
	from := now.Add(-a.cfg.Tibber.Overlap)
	if !state.PollFrom.IsZero() && state.PollFrom.Before(from) {
		from = state.PollFrom
	}
	nextFrom := now.Add(-a.cfg.Tibber.Overlap)
	cursor := ""
	for {
		n := int(now.Sub(from)/time.Hour) + 2
		page, err := a.tibber.Consumption(ctx, home, n, cursor)
		if err != nil {
			return err
		}
		oldestNull, err := a.storeTibberPage(ctx, meter, home, page, from, res, outbox)
		if err != nil {
			return err
		}
		if !oldestNull.IsZero() && oldestNull.Before(nextFrom) && now.Sub(oldestNull) < nullHorizon {
			nextFrom = oldestNull
		}
		if len(page.Nodes) == 0 || !page.HasPreviousPage || !page.Nodes[0].From.After(from) {
			break
		}
		cursor = page.StartCursor
	}
	state.PollFrom, state.LastPoll = nextFrom, now
	return a.db.SaveTibberState(ctx, state)
}

// tibberBackfill walks back page by page to since, saving its cursor after
// each page so that an interrupted backfill resumes without gap.
func (a *App) tibberBackfill(ctx context.Context, meter Meter, home string, since time.Time, state *store.TibberState, res *TibberResult, outbox bool) error {
	if !state.BackfillSince.Equal(since) {
		*state = store.TibberState{HomeID: home, BackfillSince: since, PollFrom: state.PollFrom, LastPoll: state.LastPoll}
	}
	if state.BackfillDone {
		return nil
	}
	pages := 0
	for {
		page, err := a.tibber.Consumption(ctx, home, tibber.MaxPage, state.BackfillCursor)
		if err != nil {
			res.Backfill = fmt.Sprintf("interrupted after %d pages; resumes at the next sync", pages)
			return err
		}
		pages++
		if _, err := a.storeTibberPage(ctx, meter, home, page, since, res, outbox); err != nil {
			return err
		}
		done := len(page.Nodes) == 0 || !page.HasPreviousPage || !page.Nodes[0].From.After(since)
		if !done {
			state.BackfillCursor = page.StartCursor
		}
		state.BackfillDone = done
		if err := a.db.SaveTibberState(ctx, *state); err != nil {
			return err
		}
		if done {
			res.Backfill = fmt.Sprintf("complete back to %s (%d pages)", since.In(a.cfg.Location).Format("2006-01-02"), pages)
			return nil
		}
	}
}

// storeTibberPage writes a page's hours from `from` on; null hours are
// counted, never stored as zero. It returns the oldest null hour.
func (a *App) storeTibberPage(ctx context.Context, meter Meter, home string, page *tibber.Page, from time.Time, res *TibberResult, outbox bool) (time.Time, error) {
	var hours []store.TibberHour
	var oldestNull time.Time
	domain := a.domain()
	for _, n := range page.Nodes {
		if n.From.Before(from.Truncate(time.Hour)) {
			continue
		}
		if n.Consumption == nil {
			res.StillNull++
			if oldestNull.IsZero() {
				oldestNull = n.From
			}
			continue
		}
		if why := domain.Check(ingest.Reading{Time: n.From, Value: *n.Consumption}); !why.IsZero() {
			a.log.Warn("Tibber hour refused", "meter", meter.ID, "hour", n.From, "reason", why)
			a.metrics.ReadingsRejected.WithLabelValues("tibber").Inc()
			continue
		}
		hours = append(hours, store.TibberHour{Time: n.From, Consumption: *n.Consumption, Cost: n.Cost, UnitPrice: n.UnitPrice, UnitPriceVAT: n.UnitPriceVAT, Currency: n.Currency})
	}
	w, u, err := a.db.WriteTibberHours(ctx, meter.ID, home, hours, outbox)
	res.New += w
	res.Updated += u
	a.metrics.ReadingsIngested.WithLabelValues("tibber").Add(float64(w + u))
	return oldestNull, err
}

// tibberHealth reports the outcome on /health and opens or resolves the
// token anomaly.
func (a *App) tibberHealth(ctx context.Context, meter Meter, err error, res TibberResult) {
	subject := meter.ID
	if subject == "" {
		subject = "tibber"
	}
	var te *tibber.Error
	changed := false
	switch {
	case err == nil:
		a.health.Set("tibber", api.StatusOK, msg.New("health.tibber_synced",
			a.now().In(a.cfg.Location).Format("2006-01-02 15:04"), res.New, res.Updated, res.StillNull))
		if ok, _ := a.resolveAnomaly(ctx, subject, analysis.RuleTibberToken); ok {
			a.log.Info("Tibber token accepted again")
			changed = true
		}
	case tibber.IsAuth(err):
		a.health.Set("tibber", api.StatusDegraded, msg.New("health.tibber_token"))
		if ok, _ := a.openAnomaly(ctx, store.Anomaly{Meter: subject, Rule: analysis.RuleTibberToken, Start: a.now(),
			Message: msg.Encode(msg.New("anomaly.tibber_token"))}); ok {
			a.log.Error("Tibber token rejected")
			changed = true
		}
	case errors.As(err, &te) && (te.Kind == tibber.KindRateLimited || te.Kind == tibber.KindBackoff):
		a.health.Set("tibber", api.StatusDegraded, msg.New("health.tibber_pause", te.Until.In(a.cfg.Location).Format("15:04")))
	default:
		a.health.Set("tibber", api.StatusDegraded, msg.New("health.tibber_failed", err))
	}
	if changed {
		// The poll does not wait for webhooks; the daemon's sender does.
		a.kickAlerts()
	}
}
