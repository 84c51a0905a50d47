package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/msg"
	"github.com/meterd/meterd/store"
)

// householdYAML is a small house: a main electricity meter read monthly,
// a gas meter whose readings start and end within the years shown, and a
// Tibber meter with hourly costs.
const householdYAML = `
schedule: {tibber_poll: "", anomaly_check: "", daily_analysis: "", monthly_report: "", backup: ""}
meters:
  - {id: strom, utility: electricity, unit: kWh}
  - {id: gas, utility: gas, unit: m³}
  - {id: strom_tibber, utility: electricity, unit: kWh, reading: interval, source: tibber}
`

// startHousehold fills the household: strom rises 100 kWh a month from
// 1 January 2024 to 1 January 2026 (more in winter), gas has readings from
// 15 March 2024 to 15 October 2025, and Tibber billed 2 hours a day in
// January 2025 (0.30 EUR each) and January 2024 (0.25 EUR each).
func startHousehold(t *testing.T, lang msg.Lang) *testApp {
	t.Helper()
	ta := startApp(t, householdYAML, "METERD_API_TOKEN=pages-token-9", "METERD_TIBBER_TOKEN=tibber-x", "METERD_UI_LANGUAGE="+string(lang))
	var strom, gas []apiReading
	v := 1000.0
	for m := 0; m <= 24; m++ {
		strom = append(strom, apiReading{time.Date(2024, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04"), v})
		v += 100 + float64((m%12+1)%5)*7.5
	}
	g := 200.0
	for m := 0; m <= 19; m++ {
		gas = append(gas, apiReading{time.Date(2024, time.Month(3+m), 15, 12, 0, 0, 0, time.UTC).Format("2006-01-02T15:04"), g})
		g += 40.25
	}
	for meter, rs := range map[string][]apiReading{"strom": strom, "gas": gas} {
		if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/"+meter+"/readings", rs); code != 200 {
			t.Fatal(meter, code, string(body))
		}
	}
	loc := ta.cfg.Location
	for _, year := range []int{2024, 2025} {
		cost := 0.25
		if year == 2025 {
			cost = 0.30
		}
		var hours []store.TibberHour
		for d := 1; d <= 31; d++ {
			for _, h := range []int{7, 19} {
				c := cost
				hours = append(hours, store.TibberHour{Time: time.Date(year, 1, d, h, 0, 0, 0, loc), Consumption: 1, Cost: &c, Currency: "EUR"})
			}
		}
		if _, _, err := ta.db.WriteTibberHours(context.Background(), "strom_tibber", "home", hours, false); err != nil {
			t.Fatal(err)
		}
	}
	return ta
}

// TestConsumptionFiguresAndCosts checks the consumption page's figures
// without a browser: the periods, the pairing of months, Tibber's costs
// summed by hand.
func TestConsumptionFiguresAndCosts(t *testing.T) {
	ta := startHousehold(t, msg.EN)
	ctx := context.Background()
	c, err := ta.App.Consumption(ctx, consumptionReq("calendar", 2025))
	if err != nil {
		t.Fatal(err)
	}
	if c.From != "2025-01-01" || c.To != "2026-01-01" || c.PrevFrom != "2024-01-01" || c.PrevTo != "2025-01-01" {
		t.Fatalf("periods %s–%s, %s–%s", c.From, c.To, c.PrevFrom, c.PrevTo)
	}
	if len(c.Utilities) != 2 || c.Utilities[0].Utility != "electricity" || c.Utilities[1].Utility != "gas" || len(c.Utilities[0].Meters) != 2 {
		t.Fatalf("groups %+v", c.Utilities)
	}
	tib := c.Utilities[0].Meters[1]
	// 31 days × 2 hours × 0.30 EUR; a year before × 0.25 EUR.
	if !tib.HasCost() || tib.Months[0].Month != "2025-01" || tib.Months[0].PrevMonth != "2024-01" ||
		!near(*tib.Months[0].Cost, 18.6) || !near(*tib.Months[0].PrevCost, 15.5) || tib.Months[1].Cost != nil ||
		!near(*tib.Cost, 18.6) || !near(*tib.PrevCost, 15.5) || tib.Currency != "EUR" {
		t.Errorf("Tibber costs %+v", tib)
	}
	if *tib.Months[0].Cur.Consumption != 62 {
		t.Errorf("Tibber January: %v kWh; want 62 (31 × 2 hours of 1 kWh)", *tib.Months[0].Cur.Consumption)
	}
	gas := c.Utilities[1].Meters[0]
	// The readings end on 15 October 2025: November is not covered at all,
	// October only to the 15th, and the year's total says so.
	if gas.Total.Complete || gas.Months[10].Cur.Consumption != nil || gas.Months[9].Cur.Complete || !gas.Months[8].Cur.Complete {
		t.Errorf("gas 2025: total complete %v, Nov %v, Oct complete %v", gas.Total.Complete, gas.Months[10].Cur.Consumption, gas.Months[9].Cur.Complete)
	}
	// Billing years: billing.start is 1 January, so billing 2025 is 2025.
	b, err := ta.App.Consumption(ctx, consumptionReq("billing", 2025))
	if err != nil || b.From != "2025-01-01" || b.To != "2026-01-01" {
		t.Errorf("billing 2025: %v %s–%s", err, b.From, b.To)
	}
	// A free range: the same dates a year earlier, 29 February as 28th.
	r, err := ta.App.Consumption(ctx, api2Range("2024-02-29", "2024-04-01"))
	if err != nil || r.PrevFrom != "2023-02-28" || r.PrevTo != "2023-04-01" || len(r.Utilities[0].Meters[0].Months) != 2 {
		t.Errorf("range: %v %+v", err, r)
	}
	if _, err := ta.App.Consumption(ctx, consumptionReq("fortnight", 0)); err == nil {
		t.Error("an unknown period was accepted")
	}
	if len(c.Years) != 3 || c.Years[len(c.Years)-1] != 2024 {
		t.Errorf("years to choose %v; want from this year down to 2024", c.Years)
	}
}

// TestConsumptionCSVHoldsThePageFigures: the download has a row per meter,
// period and month with the analysis' own values to the last digit, the
// totals, and Tibber's costs.
func TestConsumptionCSVHoldsThePageFigures(t *testing.T) {
	ta := startHousehold(t, msg.DE)
	code, body := ta.do(t, http.MethodGet, "/consumption.csv?period=calendar&year=2025", nil)
	if code != 200 {
		t.Fatal(code, string(body))
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "utility,meter,unit,period,month,consumption,kwh,complete,covered_from,covered_to,cost,currency" {
		t.Fatalf("header %v", rows[0])
	}
	got := map[string][]string{}
	for _, r := range rows[1:] {
		got[r[1]+" "+r[3]+" "+r[4]] = r
	}
	n := 0
	for key, v := range analyzedMonths(t, ta, 2025) {
		meter, month, _ := strings.Cut(key, " ")
		r, ok := got[meter+" current "+month]
		if !ok {
			t.Errorf("no row for %s", key)
			continue
		}
		want := ""
		if v != nil {
			want = strconv.FormatFloat(*v, 'g', -1, 64)
		}
		if r[5] != want {
			t.Errorf("%s: %q; the analysis says %q", key, r[5], want)
		}
		n++
	}
	if n != 36 || len(rows) != 1+3*(12+1)*2 { // 3 meters × (12 months + total) × 2 periods
		t.Errorf("%d monthly rows checked, %d rows in all", n, len(rows))
	}
	if r := got["strom_tibber current 2025-01"]; r == nil || r[11] != "EUR" {
		t.Errorf("Tibber January: %v; want a cost in EUR", r)
	} else if c, err := strconv.ParseFloat(r[10], 64); err != nil || !near(c, 18.6) {
		t.Errorf("Tibber January cost %q; want 62 hours × 0.30 = 18.6", r[10])
	}
	if r := got["gas current total"]; r == nil || r[7] != "false" || r[8] == "" {
		t.Errorf("gas total: %v; want incomplete with the covered interval", r)
	}
	// Bad periods are refused with a reason, in the page's language.
	for q, want := range map[string]string{
		"year=abc":         `year \"abc\" ist kein Jahr`,
		"period=fortnight": "period muss billing, calendar oder range sein",
		"period=range&from=2000-01-01&to=2099-01-01": "höchstens 20 Jahre",
	} {
		if code, body := ta.do(t, http.MethodGet, "/consumption?"+q, nil); code != 400 || !strings.Contains(string(body), want) || !strings.Contains(string(body), `"code":"invalid_input"`) {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}

// analyzedMonths asks POST /api/v1/analyze for the calendar year and
// returns each meter's monthly consumption by "meter month".
func analyzedMonths(t *testing.T, ta *testApp, year int) map[string]*float64 {
	t.Helper()
	code, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]string{"from": fmt.Sprintf("%d-01-01", year), "to": fmt.Sprintf("%d-01-01", year+1)})
	if code != 200 {
		t.Fatal(code, string(body))
	}
	var res struct {
		Meters []struct {
			ID      string
			Monthly []struct {
				Month       string
				Consumption *float64
			}
		}
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	out := map[string]*float64{}
	for _, m := range res.Meters {
		for _, mf := range m.Monthly {
			out[m.ID+" "+mf.Month] = mf.Consumption
		}
	}
	return out
}

func consumptionReq(period string, year int) api.ConsumptionRequest {
	return api.ConsumptionRequest{Period: period, Year: year}
}

func api2Range(from, to string) api.ConsumptionRequest {
	return api.ConsumptionRequest{Period: api.PeriodRange, From: from, To: to}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// pageWidths are a desktop and a phone (iPhone 12 to 15: 390 CSS pixels).
var pageWidths = []int64{1280, 390}

// TestPagesInBothLanguagesAndWidths opens every page in a real Chromium at
// 1280 and 390 px, in German and in English: no page scrolls sideways,
// the consumption chart's bars carry exactly what POST /api/v1/analyze
// says for the same period, and a page showing a rejected row, a warning
// and an anomaly holds no message of the other language. With
// SCREENSHOT_DIR set, each page is saved there (CI keeps them as
// artifacts; the README links them).
func TestPagesInBothLanguagesAndWidths(t *testing.T) {
	for _, lang := range []msg.Lang{msg.DE, msg.EN} {
		t.Run(string(lang), func(t *testing.T) {
			ta := startHousehold(t, lang)
			ctx := newBrowser(t, "meterd", "pages-token-9")
			other := msg.EN
			if lang == msg.EN {
				other = msg.DE
			}
			foreign := foreignFragments(other, lang)

			// A file with a rejected row (31 February) and a reading below
			// the one before (a warning); importing it opens a decrease
			// anomaly, which the status page shows.
			file := filepath.Join(t.TempDir(), "strom.csv")
			os.WriteFile(file, []byte("Datum;Zählerstand\n31.02.2026;5000\n01.03.2026;3000\n01.04.2026;3100\n"), 0o600)
			within(t, ctx, 10*time.Second, chromedp.EmulateViewport(1280, 900))
			chooseAndPreview(t, ctx, ta.URL, "strom", file, "preview")
			problems := text(t, ctx, "preview-problems")
			if !strings.Contains(problems, "31.02.2026") || !strings.Contains(problems, "3000") {
				t.Fatalf("the preview shows no rejected row and warning: %q", problems)
			}
			checkPage(t, ctx, "upload-preview", lang, 1280, foreign)
			within(t, ctx, 30*time.Second,
				chromedp.Click(chromedp.ID("confirm-button")),
				chromedp.WaitVisible(chromedp.ID("result")),
			)
			open, _ := ta.db.Anomalies(context.Background(), "open", "strom", 0)
			if len(open) != 1 || open[0].Rule != "decrease" {
				t.Fatalf("open anomalies after the import: %+v", open)
			}

			for _, w := range pageWidths {
				for _, p := range []struct{ name, path, ready string }{
					{"upload", "/", "meter"},
					{"status", "/status", "jobs"},
					{"consumption", "/consumption?period=calendar&year=2025", "period-form"},
				} {
					within(t, ctx, 30*time.Second,
						chromedp.EmulateViewport(w, 900),
						chromedp.Navigate(ta.URL+p.path),
						chromedp.WaitVisible(chromedp.ID(p.ready)),
					)
					if p.name == "upload" {
						// The imports list is filled by the page's script.
						within(t, ctx, 10*time.Second, chromedp.WaitVisible(chromedp.CSS("#imports tbody tr")))
					}
					page := checkPage(t, ctx, p.name, lang, w, foreign)
					if p.name == "status" && !strings.Contains(page, msg.New("rule.decrease").In(lang)) {
						t.Errorf("%s %d: the status page does not show the decrease anomaly", p.name, w)
					}
				}
			}
			checkChartAgainstAPI(t, ctx, ta)
		})
	}
}

// checkPage asserts the page does not scroll sideways and shows no text of
// the other language, saves a screenshot when asked, and returns the
// page's text.
func checkPage(t *testing.T, ctx context.Context, name string, lang msg.Lang, width int64, foreign []string) string {
	t.Helper()
	type dimensions struct{ ScrollWidth, InnerWidth float64 }
	dims, err := chromedp.Run(ctx, chromedp.Evaluate[dimensions](`({ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth})`))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if dims.InnerWidth != float64(width) || dims.ScrollWidth > dims.InnerWidth {
		t.Errorf("%s at %d px: scrollWidth %v, innerWidth %v: the page scrolls sideways", name, width, dims.ScrollWidth, dims.InnerWidth)
	}
	for _, f := range foreign {
		if strings.Contains(page, f) {
			t.Errorf("%s (%s, %d px) shows %q, a text of the other language:\n%s", name, lang, width, f, page)
		}
	}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(70))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s-%d.jpg", name, lang, width)), shot, 0o644); err != nil {
			t.Error(err)
		}
	}
	return page
}

var verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// foreignFragments are the pieces of every message of lang between its
// values that a page in shown would never contain: long enough to be
// words, and used by no message of shown (the column names meterd
// recognises, Zählerstand, are names in both languages).
func foreignFragments(lang, shown msg.Lang) []string {
	var own strings.Builder
	for _, s := range msg.Prefixed("", shown) {
		own.WriteString(s + "\n")
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range msg.Prefixed("", lang) {
		for _, f := range verbs.Split(s, -1) {
			f = strings.TrimSpace(strings.Trim(f, " :;,.()–·"))
			if len(f) < 10 || seen[f] || strings.Contains(own.String(), f) {
				continue
			}
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// checkChartAgainstAPI reads every bar of the consumption page's charts
// and finds its value, to the last digit, in POST /api/v1/analyze for the
// same period (current: 2025, previous: 2024).
func checkChartAgainstAPI(t *testing.T, ctx context.Context, ta *testApp) {
	t.Helper()
	within(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(ta.URL+"/consumption?period=calendar&year=2025"),
		chromedp.WaitVisible(chromedp.ID("period-form")),
	)
	type bar struct{ Meter, Period, Month, Value string }
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]bar](`[...document.querySelectorAll("svg.chart rect.bar")].map(r => ({
			Meter: r.closest("svg").dataset.meter, Period: r.dataset.period, Month: r.dataset.month, Value: r.dataset.value}))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for period, year := range map[string]int{"current": 2025, "previous": 2024} {
		for key, v := range analyzedMonths(t, ta, year) {
			if v != nil {
				meter, month, _ := strings.Cut(key, " ")
				want[meter+" "+period+" "+month] = *v
			}
		}
	}
	if len(bars) != len(want) || len(bars) < 40 {
		t.Errorf("%d bars; the analysis has %d months with figures", len(bars), len(want))
	}
	for _, b := range bars {
		key := b.Meter + " " + b.Period + " " + b.Month
		w, ok := want[key]
		if !ok {
			t.Errorf("bar %s: no such month in the analysis", key)
			continue
		}
		var got float64
		if _, err := fmt.Sscan(b.Value, &got); err != nil || got != w {
			t.Errorf("bar %s carries %s; the analysis says %v", key, b.Value, w)
		}
	}
}
