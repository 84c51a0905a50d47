package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const incrementalConfig = `
meters:
  - {id: strom, utility: electricity, unit: kWh, anomaly: {max_silence: 30h}}
  - {id: sub, utility: electricity, unit: kWh}
  - {id: wasser, utility: water, unit: m³}
  - {id: rest, type: virtual, utility: electricity, unit: kWh, base: strom, subtract: [sub]}
  - {id: minus, type: virtual, utility: electricity, unit: kWh, base: sub, subtract: [strom]}
billing: {start: "03-08"}
`

// TestIncrementalCheckEqualsFullCheck: the anomaly check skips the rules
// whose inputs did not change since its last complete run. On random
// histories (readings added in the past and the present, typos, readings
// deleted, imports undone, the clock moving across midnights with and
// without new data) two daemons fed the same steps, one checking as it
// does and one forced to judge everything every time, hold the same
// anomalies after every step.
func TestIncrementalCheckEqualsFullCheck(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	for seed := int64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			var mu sync.Mutex
			now := time.Date(2025, 3, 1, 10, 0, 0, 0, loc)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			inc := startAppAt(t, clock, incrementalConfig)
			full := startAppAt(t, clock, incrementalConfig)
			rng := rand.New(rand.NewSource(seed))
			ctx := context.Background()
			// Both start with 40 days of daily readings.
			values := map[string]float64{"strom": 10000, "sub": 3000, "wasser": 500}
			rate := map[string]float64{"strom": 12, "sub": 5, "wasser": 0.4}
			post := func(meter string, rs []apiReading) {
				t.Helper()
				for _, ta := range []*testApp{inc, full} {
					if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/"+meter+"/readings?confirm=true", rs); code != 200 {
						t.Fatalf("post %s: %d %s", meter, code, body)
					}
				}
			}
			for m := range values {
				var rs []apiReading
				for d := 40; d >= 1; d-- {
					rs = append(rs, apiReading{now.AddDate(0, 0, -d).Format("2006-01-02T15:04"), values[m]})
					values[m] += rate[m] * (0.8 + 0.4*rng.Float64())
				}
				post(m, rs)
			}
			ways := map[string]int{} // how each check of the incremental daemon went
			for step := 0; step < 80; step++ {
				meters := []string{"strom", "sub", "wasser"}
				m := meters[rng.Intn(len(meters))]
				switch op := rng.Intn(7); op {
				case 0, 1: // today's reading, now and then a spike or a typo
					v := values[m] + rate[m]*(0.5+rng.Float64())
					if rng.Intn(4) == 0 {
						v += rate[m] * 8
					}
					if rng.Intn(8) == 0 {
						v = values[m] - rate[m]*3 // below the last: a decrease
					} else {
						values[m] = v
					}
					post(m, []apiReading{{clock().Format("2006-01-02T15:04"), v}})
				case 2: // a reading in the past, between two others
					at := clock().AddDate(0, 0, -1-rng.Intn(30)).Add(time.Duration(rng.Intn(20)) * time.Hour)
					post(m, []apiReading{{at.Format("2006-01-02T15:04"), values[m] - rate[m]*float64(1+rng.Intn(20))}})
				case 3: // delete the newest reading of a meter
					var list []struct{ Time string }
					_, body := inc.do(t, http.MethodGet, "/api/v1/meters/"+m+"/readings", nil)
					json.Unmarshal(body, &list)
					if len(list) > 0 {
						at := list[len(list)-1].Time
						for _, ta := range []*testApp{inc, full} {
							if code, body := ta.do(t, http.MethodDelete, "/api/v1/meters/"+m+"/readings?time="+strings.ReplaceAll(at, "+", "%2B"), nil); code != 200 {
								t.Fatalf("delete %s %s: %d %s", m, at, code, body)
							}
						}
					}
				case 4: // undo the newest import that can be undone
					var list struct{ Imports []struct{ ID int64 } }
					_, body := inc.do(t, http.MethodGet, "/api/v1/imports?limit=5", nil)
					json.Unmarshal(body, &list)
					for _, im := range list.Imports {
						c1, _ := inc.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo", im.ID), nil)
						c2, _ := full.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo", im.ID), nil)
						if c1 != c2 {
							t.Fatalf("undo %d: %d and %d", im.ID, c1, c2)
						}
						if c1 == 200 {
							break
						}
					}
				default: // time passes, across midnight or not, with no data
					mu.Lock()
					now = now.Add(time.Duration(1+rng.Intn(30)) * time.Hour)
					mu.Unlock()
				}
				// The incremental daemon checks as it does; the other
				// forgets what it checked and judges everything.
				full.checks.Store(nil)
				if _, _, err := inc.AnomalyCheck(ctx); err != nil {
					t.Fatal(err)
				}
				ways[inc.checkedHow.Load().(string)]++
				if _, _, err := full.AnomalyCheck(ctx); err != nil {
					t.Fatal(err)
				}
				if a, b := anomalyState(t, inc), anomalyState(t, full); a != b {
					t.Fatalf("step %d: the incremental check holds\n%s\nthe full one\n%s", step, a, b)
				}
			}
			t.Logf("checks: %v", ways)
			if ways["unchanged"] < 3 || ways["changes"] < 5 {
				t.Errorf("checks %v: too few took the short paths for the test to show much", ways)
			}
			if all, _ := full.db.Anomalies(ctx, "", "", 1000); len(all) < 3 {
				t.Errorf("only %d anomalies in the whole history: the test shows little", len(all))
			}
		})
	}
}

// anomalyState lists a daemon's anomalies in a fixed order, without the
// ids and bookkeeping times that differ between two databases.
func anomalyState(t *testing.T, ta *testApp) string {
	t.Helper()
	all, err := ta.db.Anomalies(context.Background(), "", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, a := range all {
		end := ""
		if a.End != nil {
			end = a.End.Format(time.RFC3339)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %s..%s %s", a.Meter, a.Rule, a.Status, a.Start.Format(time.RFC3339), end, a.Message))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestIncrementalCheckJudgesAnEndedBillingPeriod: new readings that only
// continue the counters skip the whole-history rules, but a billing period
// that ends meanwhile is judged: sub − main runs below zero all year, and
// the check that follows the period's end, taking the short path, opens
// the negative anomaly as a full check does.
func TestIncrementalCheckJudgesAnEndedBillingPeriod(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	const cfg = `
meters:
  - {id: main, utility: electricity, unit: kWh}
  - {id: sub, utility: electricity, unit: kWh}
  - {id: minus, type: virtual, utility: electricity, unit: kWh, base: sub, subtract: [main]}
billing: {start: "03-01"}
`
	var mu sync.Mutex
	now := time.Date(2025, 2, 27, 10, 0, 0, 0, loc)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	inc, full := startAppAt(t, clock, cfg), startAppAt(t, clock, cfg)
	post := func(from, to time.Time) {
		t.Helper()
		for m, rate := range map[string]float64{"main": 12, "sub": 5} {
			var rs []apiReading
			for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
				rs = append(rs, apiReading{d.Format("2006-01-02T15:04"), rate * d.Sub(time.Date(2023, 1, 1, 0, 0, 0, 0, loc)).Hours() / 24})
			}
			for _, ta := range []*testApp{inc, full} {
				if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/"+m+"/readings?confirm=true", rs); code != 200 {
					t.Fatalf("post %s: %d %s", m, code, body)
				}
			}
		}
	}
	start := time.Date(2024, 2, 25, 6, 0, 0, 0, loc)
	post(start, time.Date(2025, 2, 27, 7, 0, 0, 0, loc))
	ctx := context.Background()
	for _, ta := range []*testApp{inc, full} {
		if _, _, err := ta.AnomalyCheck(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The clock past the period's end: the last readings are before it, so
	// its figures are not complete yet. Then two more days, which complete
	// them.
	mu.Lock()
	now = time.Date(2025, 3, 1, 10, 0, 0, 0, loc)
	mu.Unlock()
	for i, step := range []func(){func() {}, func() { post(time.Date(2025, 2, 28, 6, 0, 0, 0, loc), time.Date(2025, 3, 2, 0, 0, 0, 0, loc)) }} {
		step()
		full.checks.Store(nil)
		for _, ta := range []*testApp{inc, full} {
			if _, _, err := ta.AnomalyCheck(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if how := inc.checkedHow.Load(); how != "changes" {
			t.Fatalf("check %d went %v; want the short path (changes)", i, how)
		}
		if i == 0 && anomalyState(t, inc) != "" {
			t.Fatalf("anomalies before the period is complete:\n%s", anomalyState(t, inc))
		}
	}
	a, b := anomalyState(t, inc), anomalyState(t, full)
	if a != b {
		t.Fatalf("the incremental check holds\n%s\nthe full one\n%s", a, b)
	}
	if !strings.Contains(a, "minus negative open") {
		_, body := full.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"from": "2024-03-01", "to": "2025-03-01", "meters": []string{"minus", "sub"}})
		t.Fatalf("no negative anomaly for minus:\n%s\n%.600s", a, body)
	}
}
