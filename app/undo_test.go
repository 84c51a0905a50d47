package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/meterd/meterd/api"
)

// TestDeleteListAndUndo: every import is listed; a reading can be deleted
// (and the deletion undone); an import is undone in one step, refused while
// a later import changed the same readings, noted as an annotation, and
// the analysis shows the change at once.
func TestDeleteListAndUndo(t *testing.T) {
	ta := startApp(t, importConfig)
	code, first, raw := ta.upload(t, "wasser", "januar.csv", []byte("Datum;Stand\n01.01.2025;100\n01.02.2025;131\n"), nil)
	if code != 200 || first.ImportID == 0 {
		t.Fatalf("first upload: %d %s", code, raw)
	}
	// A wrong file for the same meter: it "corrects" February and adds March.
	code, second, raw := ta.upload(t, "wasser", "falsch.csv", []byte("Datum;Stand\n01.02.2025;1310\n01.03.2025;1600\n"), nil)
	if code != 200 || second.Updated != 1 || second.Written != 1 {
		t.Fatalf("second upload: %d %s", code, raw)
	}
	_, body := ta.do(t, http.MethodGet, "/api/v1/imports?meter=wasser", nil)
	var list struct{ Imports []api.ImportInfo }
	json.Unmarshal(body, &list)
	if len(list.Imports) != 2 || list.Imports[0].ID != second.ImportID || list.Imports[0].File != "falsch.csv" || list.Imports[0].Source != "upload" || list.Imports[1].Written != 2 {
		t.Fatalf("imports %s", body)
	}
	consumption := func() string {
		_, body := ta.do(t, http.MethodPost, "/api/v1/analyze", map[string]any{"from": "2025-01-01", "to": "2025-04-01", "meters": []string{"wasser"}})
		var res struct {
			Meters []struct {
				Total struct{ Consumption *float64 }
			}
		}
		json.Unmarshal(body, &res)
		if res.Meters[0].Total.Consumption == nil {
			return "null"
		}
		return fmt.Sprint(*res.Meters[0].Total.Consumption)
	}
	if c := consumption(); c != "1500" {
		t.Fatalf("consumption with the wrong file: %s", c)
	}
	// The first import cannot be undone while the second changed February.
	code, body = ta.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo", first.ImportID), nil)
	if code != http.StatusConflict || !strings.Contains(string(body), fmt.Sprintf("import %d", second.ImportID)) {
		t.Errorf("undo of the first: %d %s; want 409 naming import %d", code, body, second.ImportID)
	}
	// A dry run says what would change.
	code, body = ta.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo?dry_run=true", second.ImportID), nil)
	var dry api.UndoReply
	json.Unmarshal(body, &dry)
	if code != 200 || !dry.DryRun || len(dry.Removed) != 1 || len(dry.Restored) != 1 || dry.Restored[0].Value != 131 || consumption() != "1500" {
		t.Fatalf("dry run: %d %s", code, body)
	}
	code, body = ta.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo", second.ImportID), nil)
	if code != 200 {
		t.Fatalf("undo: %d %s", code, body)
	}
	if c := consumption(); c != "31" {
		t.Errorf("consumption after the undo: %s; want 31 (100 → 131)", c)
	}
	_, body = ta.do(t, http.MethodGet, "/api/v1/annotations?meter=wasser", nil)
	if !strings.Contains(string(body), fmt.Sprintf("import %d (falsch.csv) undone: 1 readings removed, 1 restored", second.ImportID)) {
		t.Errorf("no annotation of the undo: %s", body)
	}
	if code, _ := ta.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo", second.ImportID), nil); code != http.StatusConflict {
		t.Errorf("a second undo: %d; want 409", code)
	}
	// Delete one reading, then undo the deletion.
	del := "/api/v1/meters/wasser/readings?time=" + url.QueryEscape("2025-02-01T00:00:00+01:00")
	code, body = ta.do(t, http.MethodDelete, del, nil)
	var d api.DeleteReply
	json.Unmarshal(body, &d)
	if code != 200 || d.Deleted.Value != 131 || d.ImportID == 0 || consumption() != "null" {
		t.Fatalf("delete: %d %s, consumption %s", code, body, consumption())
	}
	if code, _ := ta.do(t, http.MethodDelete, del, nil); code != 404 {
		t.Errorf("deleting it again: %d; want 404", code)
	}
	if code, body := ta.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/undo", d.ImportID), nil); code != 200 || consumption() != "31" {
		t.Errorf("undo of the deletion: %d %s, consumption %s", code, body, consumption())
	}
	for _, bad := range []string{"/api/v1/imports/0/undo", "/api/v1/imports/x/undo", "/api/v1/imports/999/undo"} {
		if code, _ := ta.do(t, http.MethodPost, bad, nil); code != 404 {
			t.Errorf("%s: %d; want 404", bad, code)
		}
	}
	if code, _ := ta.do(t, http.MethodDelete, "/api/v1/meters/wasser/readings", nil); code != 400 {
		t.Errorf("delete without a time: %d; want 400", code)
	}
}
