package ingest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/meterd/meterd/msg"
)

// HAState is a state pushed by a Home Assistant rest_command.
type HAState struct {
	EntityID string
	Value    float64
	Unit     string
	Time     time.Time
	// Ignored is set for unavailable and unknown states, which say nothing
	// about the meter; Reason says why.
	Ignored bool
	Reason  msg.Text
}

// DecodeHAState reads the body a rest_command sends: {"entity_id",
// "state" (a string or, after templating, a number), optional "unit" and
// "last_changed"}. Without last_changed the reading is taken at now.
func DecodeHAState(r io.Reader, now time.Time) (HAState, error) {
	var body struct {
		EntityID    string          `json:"entity_id"`
		State       json.RawMessage `json:"state"`
		Unit        string          `json:"unit"`
		LastChanged string          `json:"last_changed"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&body); err != nil {
		return HAState{}, inputError("ha.shape", err)
	}
	if body.EntityID == "" {
		return HAState{}, inputError("ha.entity_missing")
	}
	s := HAState{EntityID: body.EntityID, Unit: strings.TrimSpace(body.Unit)}
	var state string
	switch {
	case len(body.State) == 0 || string(body.State) == "null":
		return HAState{}, inputError("ha.state_missing")
	case body.State[0] == '"':
		if err := json.Unmarshal(body.State, &state); err != nil {
			return HAState{}, inputError("ha.state_type", string(body.State))
		}
	default:
		state = string(body.State)
	}
	state = strings.TrimSpace(state)
	switch strings.ToLower(state) {
	case "unavailable", "unknown", "", "none":
		s.Ignored, s.Reason = true, msg.New("ha.state_ignored", fmt.Sprintf("%q", state))
		return s, nil
	}
	v, err := ParseNumber(state, false)
	if err != nil {
		return HAState{}, inputError("ha.state_not_number", fmt.Sprintf("%q", state))
	}
	s.Value = v
	s.Time = now.UTC().Truncate(time.Second)
	if body.LastChanged != "" {
		t, err := time.Parse(time.RFC3339Nano, body.LastChanged)
		if err != nil {
			return HAState{}, inputError("ha.last_changed", fmt.Sprintf("%q", body.LastChanged))
		}
		s.Time = t.UTC().Truncate(time.Second)
	}
	return s, nil
}
