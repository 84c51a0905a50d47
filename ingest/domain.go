package ingest

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/meterd/meterd/msg"
)

// Domain bounds what a reading may be, the same on every path a reading
// takes (docs/import.md#the-domain-of-a-reading): a finite value at an
// instant from Earliest up to Latest (now plus a small clock tolerance).
// It catches the mistyped year (2031 for 2025, 1925) that would otherwise
// make up consumption for days that have not happened.
type Domain struct {
	Earliest, Latest time.Time
	// Location formats the bounds in messages, Lang writes them.
	Location *time.Location
	Lang     msg.Lang
}

// Check says why r lies outside the domain; the zero Text when it is
// inside.
func (d Domain) Check(r Reading) msg.Text { return d.CheckCell(r, r.Cell) }

// CheckCell is Check for a reading read from a file, whose date cell
// (`Datum "15.01.2031"`) the message names; "" names the instant.
func (d Domain) CheckCell(r Reading, cell string) msg.Text {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	named := func() string { // only for a message: most readings need none
		if cell != "" {
			return cell
		}
		return r.Time.In(loc).Format("2006-01-02 15:04")
	}
	switch {
	case math.IsNaN(r.Value) || math.IsInf(r.Value, 0):
		return msg.New("value.not_finite", fmt.Sprint(r.Value))
	case !d.Earliest.IsZero() && r.Time.Before(d.Earliest):
		return msg.New("reading.too_early", named(), d.Earliest.In(loc).Format("02.01.2006"))
	case !d.Latest.IsZero() && r.Time.After(d.Latest):
		return msg.New("reading.future", named(), d.Latest.In(loc).Format("02.01.2006 15:04"))
	}
	return msg.Text{}
}

// Filter moves the readings outside the domain to the rejections, which
// stay in row order.
// rs itself comes back when every reading is inside; otherwise a new
// slice, so rs is never changed.
func (d Domain) Filter(rs []Reading, rej []Rejection) ([]Reading, []Rejection) {
	var kept []Reading // nil while all of rs[:i] is kept
	for i, r := range rs {
		if why := d.Check(r); !why.IsZero() {
			if kept == nil {
				kept = append(make([]Reading, 0, len(rs)-1), rs[:i]...)
			}
			rej = append(rej, Reject(r.Row, why, d.Lang))
			continue
		}
		if kept != nil {
			kept = append(kept, r)
		}
	}
	if kept == nil {
		return rs, rej
	}
	sortRejections(rej)
	return kept, rej
}

// parseDecimal reads a plain decimal number with an optional exponent:
// what a spreadsheet's number cell or a JSON value text holds. ok is false
// for anything else, including numbers too large for a float64 (1e400).
// strconv.ParseFloat alone also takes hex floats, Inf and NaN, none of
// which is a meter reading; each needs a letter other than e, so allowing
// only digits, sign, point and e leaves exactly the decimals (a regular
// expression said the same at a tenth of a file's parse time).
func parseDecimal(s string) (v float64, ok bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == 'e', c == 'E', c == '+', c == '-':
		default:
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// MaxEchoedText is how much of a cell a message repeats: a rejected 1 MB
// cell is named, not sent back whole.
const MaxEchoedText = 100

// clip cuts s to MaxEchoedText characters, marking the cut.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == MaxEchoedText {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// Quoted is a cell's text for a message: quoted and clipped.
func Quoted(s string) string { return strconv.Quote(clip(s)) }
