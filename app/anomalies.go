package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

// alertMaxAge is how long an alert a webhook keeps refusing is retried:
// after a week the news is stale and a dead webhook must not pile up rows.
const alertMaxAge = 7 * 24 * time.Hour

// alertTarget names a webhook without storing its URL (a secret): the
// alert queue in SQLite keeps this key, and a key no longer configured
// means the webhook was removed.
func alertTarget(u string) string {
	h := sha256.Sum256([]byte(u))
	return hex.EncodeToString(h[:8])
}

func (a *App) alertTargets() []string {
	out := make([]string, len(a.cfg.Secrets.AlertWebhooks))
	for i, s := range a.cfg.Secrets.AlertWebhooks {
		out[i] = alertTarget(s.Value())
	}
	return out
}

// settle applies a rule's verdict for a meter: open an anomaly (with its
// alerts and meter_anomaly point), resolve the open one, or leave things
// as they are when the data cannot tell.
func (a *App) settle(ctx context.Context, meter string, c analysis.Check, tally *anomalyTally) error {
	switch c.Verdict {
	case analysis.Fires:
		an := store.Anomaly{Meter: meter, Rule: c.Rule, Start: c.From, Observed: &c.Observed, Expected: &c.Expected, Message: msg.Encode(c.Message)}
		if !c.To.IsZero() {
			an.End = &c.To
		}
		opened, err := a.openAnomaly(ctx, an)
		if opened {
			tally.Opened++
		}
		return err
	case analysis.Clear:
		resolved, err := a.resolveAnomaly(ctx, meter, c.Rule)
		if resolved {
			tally.Resolved++
		}
		return err
	}
	return nil
}

func (a *App) openAnomaly(ctx context.Context, an store.Anomaly) (bool, error) {
	fx := store.AnomalyEffects{AlertTargets: a.alertTargets()}
	if a.influx != nil {
		fx.Lines = []string{a.anomalyLine(an)}
	}
	opened, err := a.db.OpenAnomaly(ctx, an, fx)
	if opened {
		a.log.Warn("anomaly", "meter", an.Meter, "rule", an.Rule, "message", msg.Stored(an.Message, a.lang()))
	}
	return opened, err
}

func (a *App) resolveAnomaly(ctx context.Context, meter, rule string) (bool, error) {
	resolved, err := a.db.ResolveAnomaly(ctx, meter, rule, a.now(), a.alertTargets())
	if resolved {
		a.log.Info("anomaly resolved", "meter", meter, "rule", rule)
	}
	return resolved, err
}

type anomalyTally struct {
	Opened   int `json:"opened"`
	Resolved int `json:"resolved"`
	Open     int `json:"open"`
	Alerts   int `json:"alerts_sent"`
	Waiting  int `json:"alerts_waiting,omitempty"`
}

// AnomalyCheck runs the rules of docs/anomalies.md that watch the data as it
// arrives (spike, silence, decrease, negative; year_over_year belongs to
// the monthly report) and sends the alerts of what opened or resolved.
func (a *App) AnomalyCheck(ctx context.Context) (any, bool, error) {
	var tally anomalyTally
	err := a.checkRules(ctx, &tally)
	a.finishAnomalies(ctx, &tally)
	return tally, true, err
}

func (a *App) checkRules(ctx context.Context, tally *anomalyTally) error {
	now, loc := a.now(), a.cfg.Location
	n := now.In(loc)
	today := analysis.LocalTime(n.Year(), n.Month(), n.Day(), 0, 0, 0, loc).In(loc)
	// The rules judge the readings and the days that have ended: what the
	// last complete check saw is kept (checkState), and a check judges
	// again only what changed since (docs/anomalies.md#what-a-check-reads).
	// Series read from InfluxDB change without a record here: always
	// judged whole.
	undos, undoErr := a.db.UndoMark(ctx)
	if st := a.checks.Load(); st != nil && undoErr == nil && st.undos == undos && !a.cfg.readsInflux() {
		changes, latest, err := a.db.ChangesSince(ctx, st.batch)
		if err == nil && len(changes) == 0 && st.today.Equal(today) {
			a.checkedHow.Store("unchanged")
			return a.checkSilenceFromStore(ctx, now, tally)
		}
		if err == nil {
			next, ok, err := a.checkChanges(ctx, now, today, st, changes, tally)
			if ok {
				if err == nil {
					next.batch, next.undos = latest, undos
					a.checks.Store(next)
				}
				a.checkedHow.Store("changes")
				return err
			}
		}
	}
	// Read before the readings: what is written while they are read is
	// judged again by the next check.
	latest, batchErr := a.db.LatestImport(ctx)
	next, err := a.checkAllRules(ctx, now, today, tally)
	if err == nil && batchErr == nil && undoErr == nil {
		next.batch, next.undos = latest, undos
		a.checks.Store(next)
	} else {
		a.checks.Store(nil)
	}
	a.checkedHow.Store("full")
	return err
}

// checkState is what the last complete anomaly check saw: the latest
// import and undo then, the day, and each physical meter's readings as
// far as the rules need to know them.
type checkState struct {
	batch  int64
	undos  string
	today  time.Time
	meters map[string]judged
}

// judged is a physical meter as the last complete check saw it.
type judged struct {
	last  int64   // its latest instant, Unix seconds (0: no readings)
	max   float64 // its highest value
	clean bool    // a counter none of whose readings is excluded
}

// judgedOf sums up a meter's readings for the next check.
func judgedOf(m Meter, rs []analysis.Reading) judged {
	j := judged{clean: true}
	for i, r := range rs {
		j.last = max(j.last, r.Time.Unix())
		if i == 0 || r.Value > j.max {
			j.max = r.Value
		}
	}
	if m.Reading == analysis.Cumulative {
		_, ex := analysis.CountedReadings(rs, m.Resets, m.Removed)
		j.clean = len(ex) == 0
	}
	return j
}

// checkAllRules judges every rule on every meter's whole history.
func (a *App) checkAllRules(ctx context.Context, now, today time.Time, tally *anomalyTally) (*checkState, error) {
	loc := a.cfg.Location
	in, loadErr := a.analysisInput(ctx, nil)
	if loadErr != nil {
		// InfluxDB away: the meters kept in SQLite can still fall silent.
		return nil, errors.Join(loadErr, a.checkSilenceFromStore(ctx, now, tally))
	}
	st := &checkState{today: today, meters: map[string]judged{}}
	var errs []error
	for _, m := range a.cfg.Meters {
		if m.Kind != analysis.Physical {
			continue
		}
		rs := in.Readings[m.ID]
		st.meters[m.ID] = judgedOf(m, rs)
		if m.Anomaly.Enabled(analysis.RuleSilence) {
			last, ok := latest(rs)
			errs = append(errs, a.settle(ctx, m.ID, a.silenceCheck(m, last, ok, now), tally))
		}
		if m.Reading == analysis.Cumulative && m.Anomaly.Enabled(analysis.RuleDecrease) {
			_, ex := analysis.CountedReadings(rs, m.Resets, m.Removed)
			errs = append(errs, a.settle(ctx, m.ID, analysis.DecreaseCheck(ex, loc), tally))
		}
	}
	errs = append(errs, a.checkSpikes(ctx, in, today, nil, tally))
	errs = append(errs, a.checkNegative(ctx, in, today, tally))
	return st, errors.Join(errs...)
}

// checkSpikes judges the spike rule on ids (all meters if nil): the latest
// complete day against the 30 before it; the range reaches back far enough
// for a day a month old to be judged.
func (a *App) checkSpikes(ctx context.Context, in analysis.Input, today time.Time, ids []string, tally *anomalyTally) error {
	res, err := analysis.Analyze(in, analysis.Request{From: spikeFrom(today), To: today, Daily: true, Meters: ids})
	if err != nil {
		return err
	}
	var errs []error
	for _, mr := range res.Meters {
		m, _ := a.cfg.Meter(mr.ID)
		if m.Anomaly.Enabled(analysis.RuleSpike) {
			errs = append(errs, a.judgeSpikes(ctx, m, mr.Daily, tally))
		}
	}
	return errors.Join(errs...)
}

func spikeFrom(today time.Time) time.Time { return today.AddDate(0, 0, -2*analysis.SpikeWindow-1) }

// checkChanges judges what changed since st: new readings after each
// meter's last, the days that ended. ok is false where it cannot tell
// (a value replaced or deleted, a reading into the past, a counter going
// down, a reading after a removal): the caller then judges everything.
//
// New readings that only continue a counter none of whose readings is
// excluded change nothing the decrease rule saw; the spike rule needs the
// readings from just before its range on, and the negative rule the last
// ended billing period, which new readings after a meter's last one can
// change only where that last one came before the period's end.
func (a *App) checkChanges(ctx context.Context, now, today time.Time, st *checkState, changes map[string]store.MeterChanges, tally *anomalyTally) (_ *checkState, ok bool, _ error) {
	next := &checkState{today: today, meters: maps.Clone(st.meters)}
	_, periodEnd := a.lastBillingPeriod(today)
	prevEnd := periodEnd
	if !st.today.Equal(today) {
		_, prevEnd = a.lastBillingPeriod(st.today)
	}
	// The negative rule reads the meters of the virtual meters it judges.
	var judgedNegative []string
	for _, m := range a.cfg.Meters {
		if m.Kind == analysis.Virtual && m.Anomaly.Enabled(analysis.RuleNegative) {
			judgedNegative = append(judgedNegative, m.ID)
		}
	}
	negParts := a.cfg.physicalParts(judgedNegative...)
	negative := len(judgedNegative) > 0 && !prevEnd.Equal(periodEnd)
	changed := map[string]bool{}
	var errs []error
	for _, m := range a.cfg.Meters {
		ch, ok := changes[m.ID]
		if m.Kind != analysis.Physical || !ok {
			continue
		}
		j := next.meters[m.ID]
		if !ch.OnlyNew || ch.Earliest.Unix() <= j.last {
			return nil, false, nil
		}
		rs, err := a.db.ReadingsFrom(ctx, m.ID, ch.Earliest)
		if err != nil {
			return nil, false, err
		}
		for _, r := range rs {
			t := r.Time.Unix()
			if t <= j.last {
				continue // the last reading before, which continues
			}
			if j.last != 0 && m.Reading == analysis.Cumulative && r.Value < j.max {
				return nil, false, nil
			}
			if !m.Removed.IsZero() && r.Time.After(m.Removed) {
				return nil, false, nil
			}
			negative = negative || (negParts[m.ID] && j.last < periodEnd.Unix())
			if j.last == 0 || r.Value > j.max {
				j.max = r.Value
			}
			j.last = t
		}
		next.meters[m.ID] = j
		changed[m.ID] = true
		if m.Reading == analysis.Cumulative && !j.clean && m.Anomaly.Enabled(analysis.RuleDecrease) {
			// Some reading is excluded: which ones may shift as the
			// counter grows, so this meter's whole history is judged.
			all, err := a.meterReadings(ctx, m)
			if err != nil {
				return nil, false, err
			}
			_, ex := analysis.CountedReadings(all, m.Resets, m.Removed)
			next.meters[m.ID] = judgedOf(m, all)
			errs = append(errs, a.settle(ctx, m.ID, analysis.DecreaseCheck(ex, a.cfg.Location), tally))
		}
	}
	errs = append(errs, a.checkSilenceFromStore(ctx, now, tally))
	// The spike rule on the meters whose figures changed, or on all once a
	// day has ended.
	var ids []string
	if st.today.Equal(today) {
		for _, m := range a.cfg.Meters {
			for part := range a.cfg.physicalParts(m.ID) {
				if changed[part] {
					ids = append(ids, m.ID)
					break
				}
			}
		}
	}
	if !st.today.Equal(today) || len(ids) > 0 {
		from := spikeFrom(today)
		in := analysis.Input{Meters: a.cfg.AnalysisMeters(), Gas: a.cfg.Gas, Location: a.cfg.Location,
			Load: func(id string) ([]analysis.Reading, error) {
				m, _ := a.cfg.Meter(id)
				if m.Reading == analysis.Cumulative && next.meters[id].clean {
					return a.db.ReadingsFrom(ctx, id, from)
				}
				return a.meterReadings(ctx, m)
			}}
		if !st.today.Equal(today) {
			ids = nil
		}
		errs = append(errs, a.checkSpikes(ctx, in, today, ids, tally))
	}
	if negative {
		in, err := a.analysisInput(ctx, judgedNegative)
		if err != nil {
			return nil, false, err
		}
		errs = append(errs, a.checkNegative(ctx, in, today, tally))
	}
	return next, true, errors.Join(errs...)
}

// judgeSpikes judges every complete day not judged before, in date order
// (docs/anomalies.md#episodes): a day that became complete late is judged
// against the 30 days before it like any other.
func (a *App) judgeSpikes(ctx context.Context, m Meter, days []analysis.DayFigure, tally *anomalyTally) error {
	dates := make([]string, len(days))
	for i, d := range days {
		dates[i] = d.Date
	}
	judged, err := a.db.Judged(ctx, m.ID, analysis.RuleSpike, dates)
	if err != nil {
		return err
	}
	var checks []periodCheck
	for i, d := range days {
		if judged[d.Date] {
			continue
		}
		if c := analysis.SpikeDay(days, i, m.Anomaly.SpikeFactor, a.cfg.Location); c.Verdict != analysis.Unknown {
			checks = append(checks, periodCheck{d.Date, c})
		}
	}
	return a.judgeEpisodes(ctx, m.ID, analysis.RuleSpike, checks, tally)
}

// periodCheck is a rule's verdict on one period (a day, a month).
type periodCheck struct {
	period string
	check  analysis.Check
}

// judgeEpisodes turns verdicts on periods, in order, into episodes:
// consecutive firing periods are one; the first clear one after them
// resolves it; an episode that both starts and ends among them is stored
// opened and resolved with one alert. The periods are recorded as judged in
// the same transaction.
func (a *App) judgeEpisodes(ctx context.Context, meter, rule string, checks []periodCheck, tally *anomalyTally) error {
	if len(checks) == 0 {
		return nil
	}
	_, open, err := a.db.OpenAnomalyOf(ctx, meter, rule)
	if err != nil {
		return err
	}
	var ops []store.EpisodeOp
	fresh := -1 // index in ops of an episode opened by these checks
	for _, pc := range checks {
		c := pc.check
		switch {
		case c.Verdict == analysis.Fires && fresh >= 0:
			end := c.To
			ops[fresh].Anomaly.End = &end
		case c.Verdict == analysis.Fires && open:
			ops = append(ops, store.EpisodeOp{Kind: store.EpisodeExtend, At: c.To})
		case c.Verdict == analysis.Fires:
			obs, exp := c.Observed, c.Expected
			an := store.Anomaly{Meter: meter, Rule: rule, Start: c.From, Observed: &obs, Expected: &exp, Message: msg.Encode(c.Message)}
			if !c.To.IsZero() {
				end := c.To
				an.End = &end
			}
			ops = append(ops, store.EpisodeOp{Kind: store.EpisodeOpen, Anomaly: an})
			fresh, open = len(ops)-1, true
		case c.Verdict == analysis.Clear && fresh >= 0:
			ops[fresh].Over = true
			fresh, open = -1, false
		case c.Verdict == analysis.Clear && open:
			ops = append(ops, store.EpisodeOp{Kind: store.EpisodeResolve, At: c.From})
			open = false
		}
	}
	periods := make([]string, len(checks))
	for i, pc := range checks {
		periods[i] = pc.period
	}
	var lines func(store.Anomaly) []string
	if a.influx != nil {
		lines = func(an store.Anomaly) []string { return []string{a.anomalyLine(an)} }
	}
	opened, resolved, err := a.db.JudgeEpisodes(ctx, meter, rule, periods, ops, a.alertTargets(), lines)
	tally.Opened += opened
	tally.Resolved += resolved
	if opened+resolved > 0 {
		a.log.Warn("anomaly episodes", "meter", meter, "rule", rule, "opened", opened, "resolved", resolved)
	}
	return err
}

// silenceCheck applies the rule's settings: off without max_silence, and
// a removed meter is expected to be silent.
func (a *App) silenceCheck(m Meter, last time.Time, ok bool, now time.Time) analysis.Check {
	if m.Anomaly.MaxSilence <= 0 {
		return analysis.Check{Rule: analysis.RuleSilence}
	}
	if !m.Removed.IsZero() && !now.Before(m.Removed) {
		return analysis.Check{Rule: analysis.RuleSilence, Verdict: analysis.Clear}
	}
	return analysis.SilenceCheck(last, ok, now, m.Anomaly.MaxSilence, a.cfg.Location)
}

func (a *App) checkSilenceFromStore(ctx context.Context, now time.Time, tally *anomalyTally) error {
	var errs []error
	for _, m := range a.cfg.Meters {
		if m.Kind != analysis.Physical || m.Source == SourceInflux || !m.Anomaly.Enabled(analysis.RuleSilence) {
			continue
		}
		// One index lookup per meter; a query over all meters at once
		// would scan every reading.
		r, ok, err := a.db.LastReading(ctx, m.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, a.settle(ctx, m.ID, a.silenceCheck(m, r.Time, ok, now), tally))
	}
	return errors.Join(errs...)
}

// latest is the newest reading's instant; interval meters' readings come
// in write order, so the whole slice is looked at.
func latest(rs []analysis.Reading) (time.Time, bool) {
	var t time.Time
	for _, r := range rs {
		if r.Time.After(t) {
			t = r.Time
		}
	}
	return t, len(rs) > 0
}

// lastBillingPeriod is the last billing period that ended by today.
func (a *App) lastBillingPeriod(today time.Time) (from, to time.Time) {
	bs, loc := a.cfg.BillingStart, a.cfg.Location
	to, _ = analysis.BillingPeriod(today.Year(), bs.Month, bs.Day, loc)
	if to.After(today) {
		to, _ = analysis.BillingPeriod(today.Year()-1, bs.Month, bs.Day, loc)
	}
	from, _ = analysis.BillingPeriod(to.Year()-1, bs.Month, bs.Day, loc)
	return from, to
}

// checkNegative judges each virtual meter's last billing period that has
// ended. The base's consumption is converted into the virtual meter's
// unit at the period's start: it only sets the tolerance.
func (a *App) checkNegative(ctx context.Context, in analysis.Input, today time.Time, tally *anomalyTally) error {
	var ids []string
	for _, m := range a.cfg.Meters {
		if m.Kind == analysis.Virtual && m.Anomaly.Enabled(analysis.RuleNegative) {
			ids = append(ids, m.ID)
			if !slices.Contains(ids, m.Base) {
				ids = append(ids, m.Base)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	from, start := a.lastBillingPeriod(today)
	res, err := analysis.Analyze(in, analysis.Request{From: from, To: start, Meters: ids})
	if err != nil {
		return err
	}
	totals := map[string]analysis.MeterResult{}
	for _, mr := range res.Meters {
		totals[mr.ID] = mr
	}
	var errs []error
	for _, m := range a.cfg.Meters {
		if m.Kind != analysis.Virtual || !m.Anomaly.Enabled(analysis.RuleNegative) {
			continue
		}
		base := totals[m.Base].Total
		baseUnit, _ := a.cfg.Meter(m.Base)
		if base.Consumption != nil {
			v, ok := analysis.ConvertConsumption(*base.Consumption, baseUnit.Unit, m.Unit, from, a.cfg.Gas)
			if !ok {
				continue
			}
			base.Consumption = &v
		}
		c := analysis.NegativeCheck(totals[m.ID].Total, base, m.Anomaly.NegativeTolerance, from, start, m.Base)
		errs = append(errs, a.settle(ctx, m.ID, c, tally))
	}
	return errors.Join(errs...)
}

// kickAlerts has the running daemon send queued alerts soon, without
// making the caller (an HTTP request) wait for webhooks. Without a running
// daemon (a command-line import) the alerts wait for its next check.
func (a *App) kickAlerts() {
	select {
	case a.alertKick <- struct{}{}:
	default: // a send is pending already
	}
}

// finishAnomalies sends what is queued and counts what is open.
func (a *App) finishAnomalies(ctx context.Context, tally *anomalyTally) {
	sent, waiting := a.deliverAlerts(ctx)
	tally.Alerts, tally.Waiting = sent, waiting
	counts, _ := a.db.OpenAnomalyCounts(ctx)
	for _, n := range counts {
		tally.Open += n
	}
}

// alertPayload is the json format: the event and the anomaly as the API
// shows it.
type alertPayload struct {
	Event string `json:"event"`
	api.AnomalyOut
}

// deliverAlerts sends the queued alerts, oldest first, and reports how
// many went out and how many still wait. A webhook that fails keeps its
// alerts for the next run; the others are not held up by it.
func (a *App) deliverAlerts(ctx context.Context) (sent, waiting int) {
	a.alertsMu.Lock()
	defer a.alertsMu.Unlock()
	pending, err := a.db.PendingAlerts(ctx)
	if err != nil {
		a.log.Error("cannot read the alert queue", "error", err)
		return 0, 0
	}
	urls := map[string]int{}
	for i, s := range a.cfg.Secrets.AlertWebhooks {
		urls[alertTarget(s.Value())] = i
	}
	failedTargets := map[string]bool{}
	for _, p := range pending {
		i, ok := urls[p.Target]
		if !ok || a.now().Sub(p.Created) > alertMaxAge {
			if ok {
				a.log.Warn("alert dropped after a week of failed attempts", "webhook", i+1, "meter", p.Anomaly.Meter, "rule", p.Anomaly.Rule, "event", p.Event)
			}
			if err := a.db.AlertDelivered(ctx, p.ID); err != nil {
				a.log.Error("cannot drop an alert", "error", err)
			}
			continue
		}
		// Order per webhook: after one failure, its later alerts wait too.
		if failedTargets[p.Target] {
			waiting++
			continue
		}
		if err := a.sendAlert(ctx, a.cfg.Secrets.AlertWebhooks[i].Value(), p); err != nil {
			failedTargets[p.Target] = true
			waiting++
			msg := fmt.Sprintf("webhook %d: %v", i+1, err)
			a.log.Warn("alert not delivered; retried at the next anomaly check", "error", msg)
			if err := a.db.AlertFailed(ctx, p.ID, msg); err != nil {
				a.log.Error("cannot record a failed alert", "error", err)
			}
			continue
		}
		sent++
		if err := a.db.AlertDelivered(ctx, p.ID); err != nil {
			a.log.Error("cannot record a sent alert", "error", err)
		}
	}
	return sent, waiting
}

// sendAlert posts one alert in the configured format. Errors never carry
// the URL: it often embeds a token.
func (a *App) sendAlert(ctx context.Context, target string, p store.PendingAlert) error {
	out := a.anomalyOut(p.Anomaly)
	var body []byte
	var ctype string
	lang := a.lang()
	title := msg.New("alert.title", out.Meter, out.Rule, msg.New("alert.event_"+p.Event)).In(lang)
	switch a.cfg.Alerts.Format {
	case "ntfy":
		// ntfy takes the message as the body and the rest as headers.
		body, ctype = []byte(out.Message), "text/plain; charset=utf-8"
		if p.Event != "opened" {
			body = []byte(msg.New("alert.body_"+p.Event, out.Message).In(lang))
		}
	case "homeassistant":
		// A Home Assistant webhook trigger; the automation reads
		// trigger.json.title and trigger.json.message.
		body, _ = json.Marshal(map[string]any{
			"title": title, "message": out.Message, "event": p.Event, "meter": out.Meter, "rule": out.Rule,
			"observed": out.Observed, "expected": out.Expected, "from": out.From, "to": out.To,
		})
		ctype = "application/json"
	default:
		body, _ = json.Marshal(alertPayload{Event: p.Event, AnomalyOut: out})
		ctype = "application/json"
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return errors.New("the URL is not valid")
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "meterd/"+a.version)
	if a.cfg.Alerts.Format == "ntfy" {
		req.Header.Set("Title", title)
		if p.Event == "opened" {
			req.Header.Set("Tags", "warning")
			req.Header.Set("Priority", "high")
		} else {
			req.Header.Set("Tags", "white_check_mark")
		}
	}
	resp, err := a.alertClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// anomalyLine is an anomaly's InfluxDB point with its message written in
// ui.language: Grafana shows it as it is.
func (a *App) anomalyLine(an store.Anomaly) string {
	an.Message = msg.Stored(an.Message, a.lang())
	return store.AnomalyLine(an)
}
