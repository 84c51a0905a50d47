package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestAnomalyEpisodes(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	clock := at("2025-11-04T10:00:00Z")
	db.Now = func() time.Time { return clock }

	raise := func(meter, msg, start string) bool {
		t.Helper()
		obs, exp := 50.0, 48.0
		opened, err := db.OpenAnomaly(ctx, Anomaly{Meter: meter, Rule: "silence", Message: msg, Start: at(start), Observed: &obs, Expected: &exp},
			AnomalyEffects{AlertTargets: []string{"hook1", "hook2"}, Lines: []string{"meter_anomaly,meter_id=" + meter + ",rule=silence observed=50 " + start}})
		if err != nil {
			t.Fatal(err)
		}
		return opened
	}
	// One open anomaly per meter and rule: a second open is the same
	// episode, and sets off no alert and no point.
	if !raise("strom", "no reading for 50h", "2025-11-02T08:00:00Z") {
		t.Fatal("first open did not open")
	}
	if raise("strom", "no reading for 51h", "2025-11-02T08:00:00Z") {
		t.Error("a second open of the same episode opened another anomaly")
	}
	if alerts, _ := db.PendingAlerts(ctx); len(alerts) != 2 || alerts[0].Event != "opened" || alerts[0].Target != "hook1" || alerts[1].Target != "hook2" ||
		alerts[0].Anomaly.Message != "no reading for 50h" || *alerts[0].Anomaly.Observed != 50 {
		t.Errorf("alerts after one episode %+v", alerts)
	}
	if n, _ := db.OutboxCount(ctx); n != 1 {
		t.Errorf("%d meter_anomaly points queued; want 1", n)
	}
	raise("gas", "no reading for 49h", "2025-11-02T09:00:00Z")
	clock = at("2025-11-04T12:00:00Z")
	if resolved, _ := db.ResolveAnomaly(ctx, "strom", "silence", at("2025-11-04T11:30:00Z"), []string{"hook1"}); !resolved {
		t.Fatal("resolve found nothing")
	}
	if resolved, _ := db.ResolveAnomaly(ctx, "strom", "silence", at("2025-11-04T11:30:00Z"), []string{"hook1"}); resolved {
		t.Error("resolved twice")
	}
	// The condition comes back: a new episode.
	clock = at("2025-11-08T12:00:00Z")
	if !raise("strom", "no reading for 49h", "2025-11-06T11:00:00Z") {
		t.Error("a new episode after resolving did not open")
	}
	alerts, _ := db.PendingAlerts(ctx)
	var events []string
	for _, a := range alerts {
		events = append(events, a.Anomaly.Meter+" "+a.Event+" "+a.Target)
	}
	want := "strom opened hook1,strom opened hook2,gas opened hook1,gas opened hook2,strom resolved hook1,strom opened hook1,strom opened hook2"
	if strings.Join(events, ",") != want {
		t.Errorf("alerts %v; want %s", events, want)
	}
	db.AlertFailed(ctx, alerts[0].ID, "HTTP 502")
	db.AlertDelivered(ctx, alerts[1].ID)
	if rest, _ := db.PendingAlerts(ctx); len(rest) != 6 || rest[0].Attempts != 1 || rest[1].ID != alerts[2].ID {
		t.Errorf("after one failure and one delivery: %+v", rest)
	}

	open, err := db.Anomalies(ctx, "open", "", 0)
	if err != nil || len(open) != 2 {
		t.Fatalf("open anomalies %+v, %v", open, err)
	}
	// Newest first.
	if open[0].Meter != "strom" || open[1].Meter != "gas" || open[0].End != nil || open[0].Resolved != nil {
		t.Errorf("open anomalies %+v", open)
	}
	res, _ := db.Anomalies(ctx, "resolved", "strom", 0)
	if len(res) != 1 || res[0].Message != "no reading for 50h" || !res[0].Start.Equal(at("2025-11-02T08:00:00Z")) ||
		res[0].End == nil || !res[0].End.Equal(at("2025-11-04T11:30:00Z")) ||
		res[0].Resolved == nil || !res[0].Resolved.Equal(at("2025-11-04T12:00:00Z")) || !res[0].Opened.Equal(at("2025-11-04T10:00:00Z")) {
		t.Errorf("resolved anomaly %+v", res)
	}
	if all, _ := db.Anomalies(ctx, "", "strom", 0); len(all) != 2 {
		t.Errorf("all of strom: %d; want 2", len(all))
	}
	counts, _ := db.OpenAnomalyCounts(ctx)
	if counts["silence"] != 2 || len(counts) != 1 {
		t.Errorf("open counts %v", counts)
	}
}

func TestAnnotations(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	db.Now = func() time.Time { return at("2025-12-01T09:00:00.7Z") }
	end := at("2025-08-15T00:00:00Z")
	holiday, err := db.AddAnnotation(ctx, Annotation{Start: at("2025-08-01T00:00:00Z"), End: &end, Text: "Urlaub"}, false)
	if err != nil {
		t.Fatal(err)
	}
	swap, _ := db.AddAnnotation(ctx, Annotation{Meter: "gas", Start: at("2025-10-02T09:00:00Z"), Text: "Zähler getauscht"}, false)
	db.AddAnnotation(ctx, Annotation{Meter: "strom", Start: at("2025-10-03T09:00:00Z"), Text: "Wallbox"}, false)
	if holiday.ID == 0 || swap.ID == holiday.ID || !holiday.Created.Equal(at("2025-12-01T09:00:00Z")) {
		t.Errorf("ids %d %d, created %v", holiday.ID, swap.ID, holiday.Created)
	}

	ids := func(meter, from, to string) []int64 {
		t.Helper()
		var f, u time.Time
		if from != "" {
			f = at(from)
		}
		if to != "" {
			u = at(to)
		}
		as, err := db.Annotations(ctx, meter, f, u)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	eq := func(got []int64, want ...int64) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}
	// The gas meter's notes include the household's, not the power meter's.
	if got := ids("gas", "", ""); !eq(got, holiday.ID, swap.ID) {
		t.Errorf("gas notes %v", got)
	}
	// A range that starts inside the holiday still shows it; one that
	// ends exactly at a note's instant does not ([from, to)).
	if got := ids("", "2025-08-10T00:00:00Z", "2025-10-02T09:00:00Z"); !eq(got, holiday.ID) {
		t.Errorf("August to 2 Oct 09:00: %v", got)
	}
	if got := ids("", "2025-08-15T00:00:01Z", "2025-10-02T09:00:01Z"); !eq(got, swap.ID) {
		t.Errorf("after the holiday: %v", got)
	}

	if ok, err := db.DeleteAnnotation(ctx, swap.ID, false); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, _ := db.DeleteAnnotation(ctx, swap.ID, false); ok {
		t.Error("deleting twice found the note again")
	}
	if got := ids("gas", "", ""); !eq(got, holiday.ID) {
		t.Errorf("after delete: %v", got)
	}
}
