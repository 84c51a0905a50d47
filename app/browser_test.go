package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/store"
	"github.com/meterd/meterd/store/influxtest"
)

// chromiumPath is Debian's chromium; .ci/run installs it. A missing
// browser fails the test: the page must be tested in a real one. Only the
// -short loop skips it on purpose.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real chromium: skipped by -short; make test runs it")
	}
	for _, p := range []string{os.Getenv("CHROMIUM_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("chromium not found: install Debian's chromium (apt-get install chromium), as .ci/run does, or set CHROMIUM_BIN")
	return ""
}

// newBrowser starts headless Chromium that answers HTTP Basic auth with
// user/password, as a person typing them into the browser's dialog would.
func newBrowser(t *testing.T, user, password string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(420, 900), // a phone
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}

	// Every request pauses in the Fetch domain; auth challenges get the
	// credentials. The listener must not call the browser itself, so a
	// goroutine answers.
	events := make(chan any, 256)
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev.(type) {
		case *fetch.EventAuthRequired, *fetch.EventRequestPaused:
			events <- ev
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-events:
				switch e := ev.(type) {
				case *fetch.EventAuthRequired:
					chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
						RequestID: e.RequestID,
						AuthChallengeResponse: &fetch.AuthChallengeResponse{
							Response: fetch.AuthChallengeResponseResponseProvideCredentials,
							Username: user, Password: password,
						},
					})
				case *fetch.EventRequestPaused:
					chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
				}
			}
		}
	}()
	yes := true
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{HandleAuthRequests: &yes}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// text reads an element's visible text.
func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("text of #%s: %v", id, err)
	}
	return s
}

// chooseAndPreview opens the upload page, picks meter and file as a person
// does and asks for the preview, then waits for the element shows (the
// preview, or the column chooser for a file without a known header).
func chooseAndPreview(t *testing.T, ctx context.Context, base, meter, file, shows string) {
	t.Helper()
	within(t, ctx, 30*time.Second,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("meter")),
		chromedp.SetValue(chromedp.ID("meter"), meter),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.Click(chromedp.ID("preview-button")),
		chromedp.WaitVisible(chromedp.ID(shows)),
	)
}

// within runs steps with a deadline, keeping the browser's own context.
func within(t *testing.T, ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func TestUploadPageInBrowser(t *testing.T) {
	ta := startApp(t, importConfig, "METERD_API_TOKEN=browser-token-42", "METERD_UI_LANGUAGE=de")
	file := filepath.Join(t.TempDir(), "zaehler.xlsx")
	os.WriteFile(file, gridXLSX(t, [][]any{
		{"01.01.2025", "00:00", 100.0},
		{"01.02.2025", "00:00", "1.112,5"},
		{"31.02.2025", "00:00", 1.0},
	}), 0o600)

	ctx := newBrowser(t, "meterd", "browser-token-42")
	chooseAndPreview(t, ctx, ta.URL, "wasser", file, "preview")
	preview, rangeText, problems := text(t, ctx, "preview-counts"), text(t, ctx, "preview-range"), text(t, ctx, "preview-problems")
	// The preview is a dry run: nothing is stored yet.
	if n := ta.stored(t); n != 0 {
		t.Fatalf("preview stored %d readings", n)
	}
	flat := strings.Join(strings.Fields(preview), " ")
	// A preview says what would be written, never that it was.
	if !strings.Contains(flat, "Gelesen 2") || !strings.Contains(flat, "Würde neu geschrieben 2") || !strings.Contains(flat, "Abgelehnt 1") {
		t.Errorf("preview counts %q", flat)
	}
	// German formats: 1.112,5 and 01.02.2025, 00:00.
	if !strings.Contains(rangeText, "Erster Stand: 100 m³ am 01.01.2025, 00:00") || !strings.Contains(rangeText, "1.112,5 m³ am 01.02.2025, 00:00") {
		t.Errorf("preview range %q", rangeText)
	}
	if !strings.Contains(problems, "Zeile 6:") || !strings.Contains(problems, "31.02.2025") {
		t.Errorf("preview problems %q", problems)
	}
	within(t, ctx, 30*time.Second,
		chromedp.Click(chromedp.ID("confirm-button")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	if flat := strings.Join(strings.Fields(text(t, ctx, "result")), " "); !strings.Contains(flat, "Übernommen: zaehler.xlsx") || !strings.Contains(flat, "Neu geschrieben 2") {
		t.Errorf("result %q", flat)
	}
	// One manual reading in German formats: checked first, then saved.
	within(t, ctx, 30*time.Second,
		chromedp.SetValue(chromedp.ID("manual-date"), "01.03.2025"),
		chromedp.SetValue(chromedp.ID("manual-time"), "07:30"),
		chromedp.SetValue(chromedp.ID("manual-value"), "1.120,25"),
		chromedp.Click(chromedp.CSS("#manual-form button")),
		chromedp.WaitVisible(chromedp.ID("manual-preview")),
	)
	if p := text(t, ctx, "manual-preview-text"); !strings.Contains(p, "Würde gespeichert: 1.120,25 am 01.03.2025, 07:30") {
		t.Errorf("manual preview: %q", p)
	}
	if n := ta.stored(t); n != 2 {
		t.Errorf("the manual preview stored something: %d readings", n)
	}
	within(t, ctx, 30*time.Second, chromedp.Click(chromedp.ID("manual-confirm")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("manual-result").textContent.length > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	if manual := text(t, ctx, "manual-result"); !strings.Contains(manual, "Gespeichert: 1.120,25 am 01.03.2025, 07:30") {
		t.Errorf("manual reading: %q", manual)
	}
	rs, _ := ta.db.Readings(context.Background(), "wasser", time.Time{}, time.Time{})
	if len(rs) != 3 || rs[1].Value != 1112.5 || rs[2].Value != 1120.25 || rs[2].Time.Format(time.RFC3339) != "2025-03-01T06:30:00Z" {
		t.Errorf("stored %+v", rs)
	}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			os.WriteFile(filepath.Join(dir, "upload.png"), shot, 0o644)
		}
	}
}

func TestStatusPageInBrowser(t *testing.T) {
	ta := startApp(t, importConfig+"schedule: {monthly_report: '0 3 1 * *'}\n", "METERD_API_TOKEN=status-token-7", "METERD_UI_LANGUAGE=de")
	ctx := context.Background()
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", []apiReading{{"2025-11-04T07:30", 12345.6}}); code != 200 {
		t.Fatal(code, string(body))
	}
	// An earlier failed run, then a good one: the page shows the good run
	// as the last and keeps the failure's error in view.
	failed, _ := ta.db.StartRun(ctx, JobMonthlyReport, time.Date(2025, 10, 1, 1, 0, 0, 0, time.UTC))
	ta.db.FinishRun(ctx, failed, time.Date(2025, 10, 1, 1, 0, 5, 0, time.UTC), errors.New("database is locked"), nil)
	ok, _ := ta.db.StartRun(ctx, JobMonthlyReport, time.Date(2025, 11, 1, 2, 0, 0, 0, time.UTC))
	ta.db.FinishRun(ctx, ok, time.Date(2025, 11, 1, 2, 0, 1, 0, time.UTC), nil, nil)
	ta.db.OpenAnomaly(ctx, store.Anomaly{Meter: "wasser", Rule: "silence", Message: "no new reading for 50 hours", Start: time.Date(2025, 11, 4, 6, 30, 0, 0, time.UTC)}, store.AnomalyEffects{})

	// The next monthly report: the coming 1st of a month, 03:00 local.
	loc := ta.cfg.Location
	now := time.Now().In(loc)
	next := time.Date(now.Year(), now.Month(), 1, 3, 0, 0, 0, loc)
	if !next.After(now) {
		next = time.Date(now.Year(), now.Month()+1, 1, 3, 0, 0, 0, loc)
	}

	bctx := newBrowser(t, "meterd", "status-token-7")
	within(t, bctx, 30*time.Second,
		chromedp.Navigate(ta.URL+"/status"),
		chromedp.WaitVisible(chromedp.ID("jobs")),
	)
	rowText := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	if h := text(t, bctx, "health"); h != "in Ordnung" {
		t.Errorf("health %q", h)
	}
	job := rowText(`tr[data-job="monthly_report"]`)
	for _, want := range []string{"0 3 1 * *", "01.11.2025 03:00 (+01:00) in Ordnung", next.Format("02.01.2006 15:04 (-07:00)"), "database is locked (01.10.2025 03:00 (+02:00))"} {
		if !strings.Contains(job, want) {
			t.Errorf("job row %q lacks %q", job, want)
		}
	}
	if an := rowText("#anomalies"); !strings.Contains(an, "wasser Funkstille 04.11.2025 07:30 (+01:00) no new reading for 50 hours") {
		t.Errorf("anomalies %q", an)
	}
	if m := rowText(`tr[data-meter="wasser"]`); !strings.Contains(m, "12.345,6 04.11.2025 07:30 (+01:00) api") {
		t.Errorf("water meter row %q", m)
	}
	if m := rowText(`tr[data-meter="gas"]`); !strings.Contains(m, "–") {
		t.Errorf("a meter without readings %q", m)
	}
	// The token never reaches the page.
	html, _ := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if strings.Contains(html, "status-token-7") {
		t.Error("the page shows the API token")
	}
}

// TestChooseColumnsImportAndUndoInBrowser: a person uploads a file whose
// header meterd does not know, chooses the header row and columns, checks
// the preview, imports it, and then undoes the import from the list. The
// database, the export and InfluxDB's raw bucket are exactly as before.
func TestChooseColumnsImportAndUndoInBrowser(t *testing.T) {
	srv := influxtest.Start(t)
	srv.CreateDatabase("meters")
	srv.CreateDatabase("meters_processed")
	ta := startApp(t, "influx:\n  url: "+srv.URL+"\n  flush_interval: 1s\n"+importConfig, "METERD_API_TOKEN=browser-token-43", "METERD_UI_LANGUAGE=de")
	// What was there before: two readings, one of which the file changes.
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", []apiReading{{"2025-01-01T08:00", 100}, {"2025-02-01T08:00", 131}}); code != 200 {
		t.Fatal(code, string(body))
	}
	delivered := func() bool { return ta.metric(t, "meterd_outbox_points") == "0" }
	eventually(t, 20*time.Second, "delivery", delivered)
	type state struct{ db, export, influx string }
	snapshot := func() state {
		t.Helper()
		rs, _ := ta.db.Readings(context.Background(), "wasser", time.Time{}, time.Time{})
		_, csv := ta.do(t, http.MethodGet, "/api/v1/export.csv", nil)
		return state{fmt.Sprint(rs), string(csv), fmt.Sprint(srv.Select("meters", `SELECT "value", "source" FROM "m³" ORDER BY time`))}
	}
	before := snapshot()

	file := filepath.Join(t.TempDir(), "ablesung.csv")
	os.WriteFile(file, []byte("Ablesung Wohnung 3\nTag;Uhr;Menge\n01.02.2025;08:00;132\n01.03.2025;08:00;160\n"), 0o600)
	ctx := newBrowser(t, "meterd", "browser-token-43")
	chooseAndPreview(t, ctx, ta.URL, "wasser", file, "chooser")
	if rows := text(t, ctx, "chooser-rows"); !strings.Contains(rows, "Ablesung Wohnung 3") || !strings.Contains(rows, "Menge") {
		t.Fatalf("the chooser shows %q", rows)
	}
	within(t, ctx, 30*time.Second,
		chromedp.SetValue(chromedp.ID("chooser-header"), "2"),
		chromedp.SetValue(chromedp.ID("chooser-date"), "1"),
		chromedp.SetValue(chromedp.ID("chooser-time"), "2"),
		chromedp.SetValue(chromedp.ID("chooser-value"), "3"),
		chromedp.Click(chromedp.ID("chooser-button")),
		chromedp.WaitVisible(chromedp.ID("preview")),
	)
	if flat := strings.Join(strings.Fields(text(t, ctx, "preview-counts")), " "); !strings.Contains(flat, "Würde neu geschrieben 1") || !strings.Contains(flat, "Würde geändert 1") {
		t.Errorf("preview counts %q", flat)
	}
	if cols := text(t, ctx, "preview-columns"); !strings.Contains(cols, "Tag, Uhr, Menge") {
		t.Errorf("preview columns %q", cols)
	}
	if s := snapshot(); s != before {
		t.Fatal("the preview changed something")
	}
	within(t, ctx, 30*time.Second,
		chromedp.Click(chromedp.ID("confirm-button")),
		chromedp.WaitVisible(chromedp.ID("result")),
	)
	rs, _ := ta.db.Readings(context.Background(), "wasser", time.Time{}, time.Time{})
	if len(rs) != 3 || rs[1].Value != 132 {
		t.Fatalf("after the import: %v", rs)
	}
	eventually(t, 20*time.Second, "delivery of the import", delivered)
	// Undo it from the list: a first click asks, a second one undoes.
	_, body := ta.do(t, http.MethodGet, "/api/v1/imports?meter=wasser&limit=1", nil)
	var list struct{ Imports []api.ImportInfo }
	json.Unmarshal(body, &list)
	id := list.Imports[0].ID
	within(t, ctx, 30*time.Second,
		chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("undo-%d", id))),
		chromedp.Click(chromedp.ID(fmt.Sprintf("undo-%d", id))),
		chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("undo-confirm-%d", id))),
		chromedp.Click(chromedp.ID(fmt.Sprintf("undo-confirm-%d", id))),
	)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("imports-result").textContent.length > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	if r := text(t, ctx, "imports-result"); !strings.Contains(r, "1 Stände entfernt, 1 wiederhergestellt") {
		t.Errorf("undo result %q", r)
	}
	eventually(t, 20*time.Second, "delivery of the undo", delivered)
	after := snapshot()
	if after.db != before.db {
		t.Errorf("readings\n before %s\n after  %s", before.db, after.db)
	}
	if after.export != before.export {
		t.Errorf("export\n before %s\n after  %s", before.export, after.export)
	}
	if after.influx != before.influx {
		t.Errorf("InfluxDB raw bucket\n before %s\n after  %s", before.influx, after.influx)
	}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(dir, "undo.png"), shot, 0o644)
		}
	}
}
