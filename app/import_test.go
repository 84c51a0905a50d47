package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/ingest"
)

const importConfig = `
meters:
  - {id: wasser, utility: water, unit: m³}
  - {id: strom, utility: electricity, unit: kWh, source: homeassistant, homeassistant: {entity_id: sensor.stromzaehler_total}}
  - {id: gas, utility: gas, unit: m³, removed: "2025-06-30"}
  - {id: gesamt, type: master, utility: water, unit: m³, periods: [{from: 2025-01-01, meters: [wasser]}]}
`

// upload posts a file through the real HTTP API.
func (ta *testApp) upload(t *testing.T, meter, name string, data []byte, fields map[string]string) (int, ingest.Summary, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ta.URL+"/api/v1/meters/"+meter+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if ta.token != "" {
		req.Header.Set("Authorization", "Bearer "+ta.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var s ingest.Summary
	json.Unmarshal(raw, &s)
	return resp.StatusCode, s, string(raw)
}

func gridXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Netzbetreiber-Export"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"Ab-Datum", "Ab-Zeit", "Zählerstand"})
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stored is the number of readings of meter wasser.
func (ta *testApp) stored(t *testing.T) int {
	t.Helper()
	rs, err := ta.db.Readings(context.Background(), "wasser", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

func TestUploadImportAndReupload(t *testing.T) {
	ta := startApp(t, importConfig)
	data := gridXLSX(t, [][]any{
		{"01.01.2025", "00:00", 100.0},
		{"01.02.2025", "00:00", "112,5"},
		{"01.03.2025", "00:00", 12.0}, // a too-low typo
		{"01.04.2025", "00:00", 130.0},
		{"31.04.2025", "00:00", 131.0},
	})
	// Dry run: a full report, nothing written.
	code, sum, raw := ta.upload(t, "wasser", "zaehler.xlsx", data, map[string]string{"dry_run": "true"})
	if code != 200 || !sum.DryRun || sum.Parsed != 4 || sum.Written != 4 || len(sum.Rejected) != 1 || len(sum.Warnings) != 1 {
		t.Fatalf("dry run: %d %s", code, raw)
	}
	if n := ta.stored(t); n != 0 {
		t.Fatalf("dry run wrote %d readings", n)
	}
	code, sum, raw = ta.upload(t, "wasser", "zaehler.xlsx", data, nil)
	if code != 200 || sum.Parsed != 4 || sum.Written != 4 || sum.Updated != 0 || sum.Duplicates != 0 {
		t.Fatalf("import: %d %s", code, raw)
	}
	if sum.Rejected[0].Row != 8 || !strings.Contains(sum.Rejected[0].Error, `"31.04.2025" is not a date`) {
		t.Errorf("rejection %+v; want row 8 (title, blank, header, 5 data rows)", sum.Rejected)
	}
	// 12 is below the previous 112.5 and is excluded from analysis.
	if sum.Warnings[0].Row != 6 || !strings.Contains(sum.Warnings[0].Warning, "reading 12 is below the previous reading 112.5 (2025-02-01 00:00)") {
		t.Errorf("warning %+v", sum.Warnings)
	}
	if sum.File != "zaehler.xlsx" || sum.Readings[1].Time.Format(time.RFC3339) != "2025-02-01T00:00:00+01:00" || sum.Readings[1].Value != 112.5 {
		t.Errorf("summary %+v", sum)
	}
	// The same file again: every row a duplicate, nothing changes.
	code, sum, raw = ta.upload(t, "wasser", "zaehler.xlsx", data, nil)
	if code != 200 || sum.Duplicates != 4 || sum.Written != 0 || sum.Updated != 0 {
		t.Fatalf("re-upload: %d %s", code, raw)
	}
	if n := ta.stored(t); n != 4 {
		t.Fatalf("%d readings after re-upload; want 4", n)
	}
	// Strict: one rejected row refuses the whole file.
	code, _, raw = ta.upload(t, "wasser", "neu.xlsx", gridXLSX(t, [][]any{{"01.05.2025", "00:00", 140.0}, {"x", "", 1.0}}), map[string]string{"strict": "true"})
	if code != 400 || !strings.Contains(raw, "strict") || !strings.Contains(raw, "row 5") {
		t.Errorf("strict: %d %s", code, raw)
	}
	if n := ta.stored(t); n != 4 {
		t.Fatalf("strict refusal wrote readings: %d", n)
	}
}

func TestUploadRefusals(t *testing.T) {
	ta := startApp(t, importConfig+"\nhttp: {max_upload_bytes: 4096}\n")
	cases := []struct {
		name, meter, file string
		data              []byte
		code              int
		frag              string
	}{
		{"random bytes", "wasser", "z.xlsx", []byte("\x01\x02garbage"), 400, "not one"},
		{"no header", "wasser", "z.csv", []byte("a;b\n1;2\n"), 400, "no header row"},
		{"too large", "wasser", "z.csv", bytes.Repeat([]byte("x"), 5000), 413, "max_upload_bytes"},
		{"unknown meter", "nix", "z.csv", []byte("Datum;Stand\n01.01.2025;1\n"), 404, "nix"},
		{"master meter", "gesamt", "z.csv", []byte("Datum;Stand\n01.01.2025;1\n"), 400, "physical meters"},
	}
	for _, c := range cases {
		code, _, raw := ta.upload(t, c.meter, c.file, c.data, nil)
		if code != c.code || !strings.Contains(raw, c.frag) || !strings.HasPrefix(raw, `{"error":`) {
			t.Errorf("%s: %d %s; want %d with %q", c.name, code, raw, c.code, c.frag)
		}
	}
	if n := ta.stored(t); n != 0 {
		t.Errorf("a refused upload wrote %d readings", n)
	}
}

func TestWarningsForExcludedReadings(t *testing.T) {
	ta := startApp(t, importConfig)
	post := func(meter string, rs ...apiReading) ingest.Summary {
		t.Helper()
		code, body := ta.do(t, http.MethodPost, "/api/v1/meters/"+meter+"/readings", rs)
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		var s ingest.Summary
		json.Unmarshal(body, &s)
		return s
	}
	// A too-high typo, judged against readings already stored.
	post("wasser", apiReading{"2025-01-01T00:00", 100}, apiReading{"2025-03-01T00:00", 120}, apiReading{"2025-04-01T00:00", 130})
	s := post("wasser", apiReading{"2025-02-01T00:00", 1100})
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Warning, "reading 1100 is above the next reading 120 (2025-03-01 00:00)") {
		t.Errorf("too high: %+v", s.Warnings)
	}
	// A reading after all others but below the last: a too-low value at
	// the end (pushes like this skip nothing on the quick path).
	s = post("wasser", apiReading{"2025-05-01T00:00", 125})
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Warning, "reading 125 is below the previous reading 130 (2025-04-01 00:00)") {
		t.Errorf("too low at the end: %+v", s.Warnings)
	}
	if s = post("wasser", apiReading{"2025-06-01T00:00", 140}); len(s.Warnings) != 0 {
		t.Errorf("a reading above every other: %+v", s.Warnings)
	}
	// After the meter's removal (end of 30 June): stored, not analysed.
	s = post("gas", apiReading{"2025-06-30T23:59", 10}, apiReading{"2025-07-01T00:00", 11}, apiReading{"2025-07-01T00:01", 12})
	if len(s.Warnings) != 1 || s.Warnings[0].Row != 3 || !strings.Contains(s.Warnings[0].Warning, "after the meter's removal (2025-07-01 00:00)") {
		t.Errorf("removed: %+v", s.Warnings)
	}
	if s.Written != 3 {
		t.Errorf("written %d; want 3 (excluded readings are stored)", s.Written)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	ta := startApp(t, importConfig)
	// Hourly readings through the autumn DST night, where local wall
	// times repeat: 00:00Z..03:00Z on 26 Oct 2025 (02:00+02:00, 02:00+01:00).
	var rs []apiReading
	for i := 0; i < 5; i++ {
		rs = append(rs, apiReading{time.Date(2025, 10, 25, 23, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339), 1000 + float64(i)*0.25})
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", rs); code != 200 {
		t.Fatal(code, string(body))
	}
	ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings", apiReading{"2025-01-01T00:00", 12345.678})
	code, csv := ta.do(t, http.MethodGet, "/api/v1/export.csv", nil)
	if code != 200 || !strings.HasPrefix(string(csv), ExportHeader+"\r\n") || !strings.Contains(string(csv), "wasser;2025-10-26T02:00:00+01:00;1000,5;api") {
		t.Fatalf("export: %d\n%s", code, csv)
	}
	// Into an empty database: the same readings.
	fresh := startApp(t, importConfig)
	p := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(p, csv, 0o600)
	f, _ := os.Open(p)
	defer f.Close()
	sums, err := fresh.ImportFile(context.Background(), "", p, f, int64(len(csv)), api.ImportOptions{})
	if err != nil || len(sums) != 2 {
		t.Fatalf("import of the export: %v %+v", err, sums)
	}
	for _, meter := range []string{"wasser", "strom"} {
		a, _ := ta.db.Readings(context.Background(), meter, time.Time{}, time.Time{})
		b, _ := fresh.db.Readings(context.Background(), meter, time.Time{}, time.Time{})
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%s: %d readings exported, %d imported", meter, len(a), len(b))
		}
		for i := range a {
			if !a[i].Time.Equal(b[i].Time) || a[i].Value != b[i].Value {
				t.Errorf("%s reading %d: %v → %v", meter, i, a[i], b[i])
			}
		}
	}
}

func TestHomeAssistantPush(t *testing.T) {
	ta := startApp(t, importConfig, "METERD_API_TOKEN=ha-token-123")
	push := func(body string) (int, string) {
		t.Helper()
		// rest_command sends no Content-Type.
		req, _ := http.NewRequest(http.MethodPost, ta.URL+"/api/v1/homeassistant/state", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer ha-token-123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := push(`{"entity_id": "sensor.stromzaehler_total", "state": "12345.678", "unit": "kWh", "last_changed": "2025-11-04T09:00:12.345678+00:00"}`)
	if code != 200 || !strings.Contains(body, `"written":1`) || !strings.Contains(body, `"time":"2025-11-04T10:00:12+01:00"`) {
		t.Fatalf("string state: %d %s", code, body)
	}
	// A templated number, in Wh: converted to the meter's kWh.
	code, body = push(`{"entity_id": "sensor.stromzaehler_total", "state": 12346500, "unit": "Wh", "last_changed": "2025-11-04T10:00:00+00:00"}`)
	if code != 200 || !strings.Contains(body, `"value":12346.5`) {
		t.Fatalf("numeric state: %d %s", code, body)
	}
	for _, st := range []string{`"unavailable"`, `"unknown"`} {
		code, body = push(`{"entity_id": "sensor.stromzaehler_total", "state": ` + st + `}`)
		if code != 200 || !strings.Contains(body, `"ignored":true`) {
			t.Errorf("state %s: %d %s", st, code, body)
		}
	}
	code, body = push(`{"entity_id": "sensor.gaszaehler", "state": "1"}`)
	if code != 404 || !strings.Contains(body, "sensor.gaszaehler") {
		t.Errorf("unmapped entity: %d %s", code, body)
	}
	code, body = push(`{"entity_id": "sensor.stromzaehler_total", "state": "viel"}`)
	if code != 400 {
		t.Errorf("non-numeric state: %d %s", code, body)
	}
	code, body = push(`{"entity_id": "sensor.stromzaehler_total", "state": "1", "unit": "m³"}`)
	if code != 400 || !strings.Contains(body, "counts kWh") {
		t.Errorf("wrong unit: %d %s", code, body)
	}
	rs, _ := ta.db.Readings(context.Background(), "strom", time.Time{}, time.Time{})
	if len(rs) != 2 || rs[0].Value != 12345.678 || rs[1].Value != 12346.5 || rs[0].Source != "homeassistant" {
		t.Errorf("stored %+v", rs)
	}
	if v := ta.metric(t, `meterd_readings_ingested_total{source="homeassistant"}`); v != "2" {
		t.Errorf("metric %q", v)
	}
}

// TestReimportOnTheSpringNightIsAllDuplicates: 02:30 does not exist on
// 30 March 2025 and moves to 03:30, so these two rows are one instant. The
// later row wins once; importing the file again changes nothing.
func TestReimportOnTheSpringNightIsAllDuplicates(t *testing.T) {
	ta := startApp(t, importConfig)
	data := []byte("Datum;Uhrzeit;Zählerstand\n30.03.2025;02:30;100\n30.03.2025;03:30;101\n")
	code, first, raw := ta.upload(t, "wasser", "dst.csv", data, nil)
	if code != 200 || first.Written != 1 || first.Updated != 0 || first.Duplicates != 1 {
		t.Fatalf("first import: %d %s; want 1 written, 1 duplicate", code, raw)
	}
	for i := range 2 {
		code, again, raw := ta.upload(t, "wasser", "dst.csv", data, nil)
		if code != 200 || again.Written != 0 || again.Updated != 0 || again.Duplicates != 2 {
			t.Fatalf("re-import %d: %d %s; want all duplicates", i+1, code, raw)
		}
	}
	rs, _ := ta.db.Readings(context.Background(), "wasser", time.Time{}, time.Time{})
	if len(rs) != 1 || rs[0].Value != 101 || rs[0].Time.Format(time.RFC3339) != "2025-03-30T01:30:00Z" {
		t.Errorf("stored %+v; want 101 at 03:30+02:00", rs)
	}
}

func TestUploadWithTwoFilesRefused(t *testing.T) {
	ta := startApp(t, importConfig)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, name := range []string{"a.csv", "b.csv"} {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte("Datum;Stand\n01.01.2025;1\n"))
	}
	mw.Close()
	resp, err := http.Post(ta.URL+"/api/v1/meters/wasser/upload", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(raw), "one file per upload") {
		t.Errorf("two files: %d %s; want 400", resp.StatusCode, raw)
	}
	if n := ta.stored(t); n != 0 {
		t.Errorf("%d readings stored", n)
	}
}

// TestMultiMeterFileIsAllOrNothing: an export naming two meters whose
// second part is refused (strict, one rejected row) writes nothing of the
// first either.
func TestMultiMeterFileIsAllOrNothing(t *testing.T) {
	ta := startApp(t, importConfig)
	csv := ExportHeader + "\r\nwasser;2025-01-01T00:00:00+01:00;10;api\r\nwasser;2025-02-01T00:00:00+01:00;20;api\r\nstrom;2025-01-01T00:00:00+01:00;100;api\r\nstrom;kein Datum;110;api\r\n"
	p := filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(p, []byte(csv), 0o600)
	f, _ := os.Open(p)
	defer f.Close()
	_, err := ta.ImportFile(context.Background(), "", p, f, int64(len(csv)), api.ImportOptions{Strict: true})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("strict import of a file with a bad row: %v", err)
	}
	for _, m := range []string{"wasser", "strom"} {
		if rs, _ := ta.db.Readings(context.Background(), m, time.Time{}, time.Time{}); len(rs) != 0 {
			t.Errorf("%s: %d readings written of a refused file", m, len(rs))
		}
	}
}

// TestHeadersAsRealExportsWriteThem: a header with a unit or a note, the
// usual other names, and a line break in a header cell are read; a unit
// that converts to the meter's converts the values, one that cannot
// refuses the file naming both units.
func TestHeadersAsRealExportsWriteThem(t *testing.T) {
	ta := startApp(t, importConfig)
	for name, c := range map[string]struct {
		csv     string
		meter   string
		value   float64
		columns string
	}{
		"unit in parentheses": {"Datum;Zählerstand (m³)\n01.01.2025;12,5\n", "wasser", 12.5, "Datum|Zählerstand (m³)"},
		"unit in brackets":    {"Ablesedatum;Ablesezeit;Zählerstand [l]\n02.01.2025;08:00;12500\n", "wasser", 12.5, "Ablesedatum|Ablesezeit|Zählerstand [l]"},
		"unit after in":       {"Zeitstempel;Messwert in Wh\n2025-01-03 08:00;12345678\n", "strom", 12345.678, "Zeitstempel|Messwert in Wh"},
		"a note, no unit":     {"Datum/Uhrzeit;Zählerstand (abgelesen)\n04.01.2025 08:00;13\n", "wasser", 13, "Datum/Uhrzeit|Zählerstand (abgelesen)"},
		"a line break":        {"Datum;\"Wert\n(m³)\"\n05.01.2025;14\n", "wasser", 14, "Datum|Wert (m³)"},
	} {
		code, sum, raw := ta.upload(t, c.meter, "h.csv", []byte(c.csv), map[string]string{"dry_run": "true"})
		if code != 200 || len(sum.Readings) != 1 || sum.Readings[0].Value != c.value || strings.Join(sum.Columns, "|") != c.columns {
			t.Errorf("%s: %d %s; want %v read from columns %s", name, code, raw, c.value, c.columns)
		}
	}
	code, _, raw := ta.upload(t, "strom", "h.csv", []byte("Datum;Zählerstand (m³)\n01.01.2025;12\n"), nil)
	if code != 400 || !strings.Contains(raw, "counts m³, but meter strom counts kWh") {
		t.Errorf("m³ for a kWh meter: %d %s; want 400 naming both units", code, raw)
	}
}

// TestChooseColumnsOnceForAMeter: a file of an unknown shape is refused
// with its rows to choose from; imported with a choice, the choice is
// remembered, and the next file of the same shape for that meter is read
// without one.
func TestChooseColumnsOnceForAMeter(t *testing.T) {
	ta := startApp(t, importConfig)
	jan := []byte("Tag;Menge\n01.01.2025;100\n01.02.2025;131\n")
	code, _, raw := ta.upload(t, "wasser", "jan.csv", jan, nil)
	var refused struct {
		Code   string
		Sheets []ingest.SheetPreview
	}
	json.Unmarshal([]byte(raw), &refused)
	if code != 400 || refused.Code != "no_header" || len(refused.Sheets) != 1 || refused.Sheets[0].Rows[0][1] != "Menge" {
		t.Fatalf("unknown shape: %d %s", code, raw)
	}
	choice := map[string]string{"header_row": "1", "date_column": "1", "value_column": "2"}
	if code, sum, raw := ta.upload(t, "wasser", "jan.csv", jan, choice); code != 200 || sum.Written != 2 {
		t.Fatalf("with the choice: %d %s", code, raw)
	}
	// Next month's file, same shape, no choice.
	if code, sum, raw := ta.upload(t, "wasser", "feb.csv", []byte("Tag;Menge\n01.03.2025;160\n"), nil); code != 200 || sum.Written != 1 {
		t.Errorf("the same shape again: %d %s", code, raw)
	}
	// Another shape is asked about again.
	if code, _, _ := ta.upload(t, "wasser", "x.csv", []byte("Wann;Wieviel\n01.04.2025;190\n"), nil); code != 400 {
		t.Errorf("another shape: %d", code)
	}
}

// TestImplausibleReadingIsHeldUntilConfirmed: a flat read daily at 12 kWh
// a day; the newest reading typed 31,234.5 for 13,234.5 means 18,012 kWh a
// day. It is held back in the preview, naming the rate; confirmed, it is
// stored and the next anomaly check reports the day as a spike.
func TestImplausibleReadingIsHeldUntilConfirmed(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, loc)
	ta := startAppAt(t, func() time.Time { return now }, importConfig)
	var rs []apiReading
	v := 12000.0
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	for d := 0; d < 60; d++ {
		rs = append(rs, apiReading{start.AddDate(0, 0, d).Format("2006-01-02T15:04"), v})
		v += 12
	}
	if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings", rs); code != 200 {
		t.Fatal(code, string(body))
	}
	last := v - 12 // 1 March
	typo := []apiReading{{"2025-03-02T00:00", last + 12 + 18000}}
	code, body := ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings?dry_run=true", typo)
	var sum ingest.Summary
	json.Unmarshal(body, &sum)
	if code != 200 || sum.Written != 0 || len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0].Error, "means 18012.000 kWh a day") ||
		!strings.Contains(sum.Rejected[0].Error, "the usual is 12.000 a day") || !strings.Contains(sum.Rejected[0].Error, "confirm=true") {
		t.Fatalf("preview of the typo: %d %s", code, body)
	}
	code, body = ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings?strict=true", typo)
	if code != 400 {
		t.Errorf("strict: %d %s; want the file refused", code, body)
	}
	code, body = ta.do(t, http.MethodPost, "/api/v1/meters/strom/readings?confirm=true", typo)
	json.Unmarshal(body, &sum)
	if code != 200 || sum.Written != 1 || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].Warning, "imported as confirmed") {
		t.Fatalf("confirmed: %d %s", code, body)
	}
	now = time.Date(2025, 3, 3, 11, 15, 0, 0, loc)
	ta.AnomalyCheck(context.Background())
	_, body = ta.do(t, http.MethodGet, "/api/v1/anomalies?meter=strom&status=open", nil)
	if !strings.Contains(string(body), `"rule":"spike"`) || !strings.Contains(string(body), `"from":"2025-03-01T00:00:00+01:00"`) {
		t.Errorf("no spike for 1 March: %s", body)
	}
}
