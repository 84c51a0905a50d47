package ingest

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
)

// inputError reports a problem with the input as a whole (an Invalid
// fault): nothing is written, and the message says what to send instead.
func inputError(id string, args ...any) error {
	return fault.New(fault.Invalid, id, args...)
}

// textOf is err's message; an error from outside meterd (which has none)
// is carried as its text.
func textOf(err error) msg.Text {
	if t, ok := msg.TextOf(err); ok {
		return t
	}
	return msg.New("error.other", err.Error())
}

type jsonReading struct {
	Time  json.RawMessage `json:"time"`
	Value json.RawMessage `json:"value"`
}

// MaxJSONReadings bounds one JSON body: a list of a million nulls must not
// cost a gigabyte to refuse. Larger batches are split by the sender.
const MaxJSONReadings = 100_000

// DecodeJSONReadings reads `{"time": ..., "value": ...}` or a list of them.
// A time is RFC 3339 with an offset, or a local date-time in loc
// (2025-11-04T07:30 or "2025-11-04 07:30:00"); a value is a JSON number or a
// number in a string. Entries that fail become rejections with their
// 1-based position; a body that is not such JSON, or holds more than
// MaxJSONReadings entries, is an Invalid fault. A list is decoded one entry
// at a time, so memory follows the readings, not the body.
func DecodeJSONReadings(r io.Reader, loc *time.Location, lang msg.Lang) ([]Reading, []Rejection, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		// A client that stopped sending, or sent too slowly; a body over
		// the size limit stays recognisable (413) through the %w.
		return nil, nil, inputError("body.unreadable", err)
	}
	body = bytes.TrimSpace(body)
	var out []Reading
	var rej []Rejection
	add := func(row int, jr jsonReading) {
		t, err := jsonTime(jr.Time, loc)
		if err != nil {
			rej = append(rej, Reject(row, textOf(err), lang))
			return
		}
		v, err := jsonValue(jr.Value)
		if err != nil {
			rej = append(rej, Reject(row, textOf(err), lang))
			return
		}
		out = append(out, Reading{Row: row, Time: t, Value: v, Cell: "time " + clip(string(jr.Time))})
	}
	n := 0
	switch {
	case len(body) > 0 && body[0] == '[':
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.Token() // the '[' seen above
		for err == nil && dec.More() {
			if n == MaxJSONReadings {
				return nil, nil, inputError("body.too_many_readings", MaxJSONReadings)
			}
			var jr jsonReading
			if err = dec.Decode(&jr); err == nil {
				n++
				add(n, jr)
			}
		}
		if err == nil {
			if _, err = dec.Token(); err == nil && dec.More() {
				err = msg.Err("json.trailing")
			}
		}
	case len(body) > 0 && body[0] == '{':
		var one jsonReading
		if err = json.Unmarshal(body, &one); err == nil {
			n = 1
			add(1, one)
		}
	case len(body) == 0:
		err = msg.Err("body.empty")
	default:
		err = msg.Err("json.not_object_or_list")
	}
	if err != nil {
		return nil, nil, inputError("json.readings_shape", err)
	}
	if n == 0 {
		return nil, nil, inputError("json.empty_list")
	}
	return out, rej, nil
}

func jsonTime(raw json.RawMessage, loc *time.Location) (time.Time, error) {
	var s string
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, msg.Err("json.time_missing")
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, msg.Err("json.time_not_string", clip(string(raw)))
	}
	t, err := analysis.ParseLocal(s, loc)
	if err != nil {
		return time.Time{}, msg.Err("json.time_invalid", Quoted(s))
	}
	return t, nil
}

func jsonValue(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, msg.Err("json.value_missing")
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, msg.Err("json.value_not_number", clip(string(raw)))
		}
		var ok bool
		if v, ok = parseDecimal(strings.TrimSpace(s)); !ok {
			return 0, msg.Err("json.value_decimal_point", Quoted(s))
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, msg.Err("value.not_finite", string(raw))
	}
	return v, nil
}
