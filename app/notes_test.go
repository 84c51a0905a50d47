package app

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/meterd/meterd/api"
)

func TestAnnotationsAPI(t *testing.T) {
	ta := startApp(t, importConfig, "METERD_API_TOKEN=notes-token")
	add := func(body map[string]string) (int, api.Annotation, string) {
		t.Helper()
		code, raw := ta.do(t, http.MethodPost, "/api/v1/annotations", body)
		var a api.Annotation
		json.Unmarshal(raw, &a)
		return code, a, string(raw)
	}
	list := func(query string) []api.Annotation {
		t.Helper()
		code, raw := ta.do(t, http.MethodGet, "/api/v1/annotations"+query, nil)
		var out struct{ Annotations []api.Annotation }
		if err := json.Unmarshal(raw, &out); code != 200 || err != nil {
			t.Fatalf("list %s: %d %s", query, code, raw)
		}
		return out.Annotations
	}

	// The autumn night: 02:30 local without an offset is the second one,
	// 02:30+01:00 (docs/time.md#local-times), and comes back with that offset.
	code, swap, raw := add(map[string]string{"meter": "gas", "time": "2025-10-26T02:30", "text": "Zählertausch"})
	if code != http.StatusCreated || swap.ID == 0 || swap.Time != "2025-10-26T02:30:00+01:00" || swap.Meter != "gas" || swap.Created == "" {
		t.Fatalf("add: %d %s", code, raw)
	}
	_, holiday, _ := add(map[string]string{"time": "2025-08-01", "end": "2025-08-15", "text": "Urlaub, Haus leer"})
	if holiday.Time != "2025-08-01T00:00:00+02:00" || holiday.End != "2025-08-15T00:00:00+02:00" || holiday.Meter != "" {
		t.Errorf("household note %+v", holiday)
	}
	if code, _, raw := add(map[string]string{"meter": "heizung", "time": "2025-08-01", "text": "x"}); code != http.StatusBadRequest || !strings.Contains(raw, `meter: unknown meter \"heizung\"`) {
		t.Errorf("unknown meter in the body: %d %s", code, raw)
	}

	if got := list(""); len(got) != 2 || got[0].ID != holiday.ID || got[1].ID != swap.ID {
		t.Errorf("all notes %+v", got)
	}
	// The water meter sees the household's note only; October shows the swap only.
	if got := list("?meter=wasser"); len(got) != 1 || got[0].ID != holiday.ID {
		t.Errorf("water notes %+v", got)
	}
	if got := list("?from=2025-10-01&to=2025-11-01"); len(got) != 1 || got[0].ID != swap.ID {
		t.Errorf("October notes %+v", got)
	}
	if code, _ := ta.do(t, http.MethodGet, "/api/v1/annotations?meter=heizung", nil); code != http.StatusNotFound {
		t.Errorf("unknown meter filter: %d", code)
	}

	path := "/api/v1/annotations/" + strconv.FormatInt(swap.ID, 10)
	if code, raw := ta.do(t, http.MethodDelete, path, nil); code != 200 || !strings.Contains(string(raw), `"deleted"`) {
		t.Fatalf("delete: %d %s", code, raw)
	}
	if code, _ := ta.do(t, http.MethodDelete, path, nil); code != http.StatusNotFound {
		t.Errorf("second delete: %d; want 404", code)
	}
	if got := list(""); len(got) != 1 || got[0].ID != holiday.ID {
		t.Errorf("after delete %+v", got)
	}
	// Reading notes is behind the token like every other API call.
	req, _ := http.NewRequest(http.MethodGet, ta.URL+"/api/v1/annotations", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %v %v", resp, err)
	}
}
