package ingest

// Finding the header row and its columns: the names and notes real
// exports write (docs/import.md#files), and a person's choice where none
// is recognised.

import (
	"errors"
	"regexp"
	"strings"
	"unicode"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
)

// columnKind is what a header cell names.
type columnKind int

const (
	colNone columnKind = iota
	colDate
	colTime
	colValue
	colMeter
)

// headerNames are the recognised column names, normalised (lower case,
// umlauts spelled out, no spaces).
var headerNames = map[string]columnKind{
	"ab-datum": colDate, "datum": colDate, "date": colDate, "zeitpunkt": colDate,
	"zeitstempel": colDate, "datum/uhrzeit": colDate, "datumuhrzeit": colDate,
	"datum/zeit": colDate, "timestamp": colDate, "ablesedatum": colDate,
	"ab-zeit": colTime, "uhrzeit": colTime, "zeit": colTime, "time": colTime, "ablesezeit": colTime,
	"zaehlerstand": colValue, "stand": colValue, "wert": colValue, "value": colValue, "reading": colValue,
	"messwert": colValue,
	"zaehler":  colMeter, "meter": colMeter,
}

// headerNote splits a header into its name and what follows it in
// parentheses or brackets or after "in": `Zählerstand (kWh)`,
// `Zählerstand [kWh]`, `Messwert in kWh`, `Wert` + line break + `(m³)`.
var headerNote = regexp.MustCompile(`^(.+?)\s*(?:\(([^)]*)\)|\[([^\]]*)\]|\s+in\s+(\S+))$`)

// splitHeader returns a header cell's name and its note (a unit, say),
// with line breaks, Excel's _x000D_ escapes and spacing made plain.
func splitHeader(s string) (name, note string) {
	s = strings.NewReplacer("_x000D_", " ", "_x000A_", " ", "_x000d_", " ", "_x000a_", " ").Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	if m := headerNote.FindStringSubmatch(s); m != nil {
		return m[1], strings.TrimSpace(m[2] + m[3] + m[4])
	}
	return s, ""
}

// normalizeHeader makes "Zählerstand", " ZAEHLERSTAND " and "Zähler stand"
// the same.
func normalizeHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsSpace(r):
		case r == 'ä':
			b.WriteString("ae")
		case r == 'ö':
			b.WriteString("oe")
		case r == 'ü':
			b.WriteString("ue")
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

type columns struct {
	date, time, value, meter int
	names                    map[int]string // as written, for messages
	unit                     analysis.Unit  // from the value column's header; "" if none
}

func findColumns(cells []cell) (columns, bool) {
	c := columns{date: -1, time: -1, value: -1, meter: -1, names: map[int]string{}}
	for i, x := range cells {
		if x.isNum {
			continue
		}
		name, note := splitHeader(x.text)
		kind := headerNames[normalizeHeader(name)]
		var dst *int
		switch kind {
		case colDate:
			dst = &c.date
		case colTime:
			dst = &c.time
		case colValue:
			dst = &c.value
		case colMeter:
			dst = &c.meter
		}
		if dst != nil && *dst < 0 {
			*dst = i
			c.names[i] = strings.Join(strings.Fields(strings.ReplaceAll(x.text, "_x000D_", " ")), " ")
			if kind == colValue && note != "" {
				// A note that is a unit says what the values count; any
				// other note (a remark) is ignored.
				if u, err := analysis.ParseUnit(note); err == nil {
					c.unit = u
				}
			}
		}
	}
	return c, c.date >= 0
}

// Choice is a person's choice of where a file's readings are, for a file
// whose header meterd does not recognise (docs/import.md#choosing-the-columns).
// Rows and columns count from 1; zero means "find it".
type Choice struct {
	Sheet     string `json:"sheet,omitempty"`
	HeaderRow int    `json:"header_row,omitempty"`
	Date      int    `json:"date_column,omitempty"`
	Time      int    `json:"time_column,omitempty"` // 0: no time column
	Value     int    `json:"value_column,omitempty"`
}

// Manual reports whether the choice names the header row and columns.
func (c Choice) Manual() bool { return c.HeaderRow > 0 }

// check says what is wrong with a manual choice.
func (c Choice) check() error {
	if !c.Manual() {
		return nil
	}
	if c.HeaderRow > MaxHeaderRow || c.Date < 1 || c.Value < 1 || c.Time < 0 || c.Date == c.Value || (c.Time > 0 && (c.Time == c.Date || c.Time == c.Value)) {
		return inputError("choice.invalid", MaxHeaderRow)
	}
	return nil
}

// chosenColumns reads the header row a person chose.
func chosenColumns(ch Choice, cells []cell, lang msg.Lang) columns {
	c := columns{date: ch.Date - 1, time: ch.Time - 1, value: ch.Value - 1, meter: -1, names: map[int]string{}}
	for _, i := range []int{c.date, c.time, c.value} {
		if i < 0 {
			continue
		}
		name := ""
		if i < len(cells) && !cells[i].isNum {
			name = strings.Join(strings.Fields(cells[i].text), " ")
		}
		if name == "" {
			name = msg.New("column.n", i+1).In(lang) // a column without a header text
		}
		c.names[i] = name
	}
	if i := c.value; i < len(cells) && !cells[i].isNum {
		if _, note := splitHeader(cells[i].text); note != "" {
			if u, err := analysis.ParseUnit(note); err == nil {
				c.unit = u
			}
		}
	}
	return c
}

// errNoHeader marks a file (or sheet) without a recognised header row.
var errNoHeader = errors.New("no header row")

// findHeader reads rows up to the header (the chosen row, or the first
// with a date and a value column among the first MaxHeaderRow) and returns
// its columns; src is left at the first row after it.
func findHeader(src rowSource, choice Choice, lang msg.Lang) (columns, error) {
	var (
		dateOnly   = -1 // a row with a date header but no value column
		dateOnlyNm string
		seen       string // the first row with text, for the message
	)
	for choice.Manual() {
		row, cells, ok, err := src.next()
		if err != nil {
			return columns{}, err
		}
		if !ok || row > choice.HeaderRow {
			return columns{}, inputError("file.no_row", choice.HeaderRow)
		}
		if row == choice.HeaderRow {
			return chosenColumns(choice, cells, lang), nil
		}
	}
	for {
		row, cells, ok, err := src.next()
		if err != nil {
			return columns{}, err
		}
		if !ok || row > MaxHeaderRow {
			if dateOnly > 0 {
				return columns{}, inputError("header.no_value_column", dateOnly, dateOnlyNm)
			}
			t := msg.New("header.none", MaxHeaderRow)
			if seen != "" {
				t = msg.New("header.none_first_row", MaxHeaderRow, seen)
			}
			return columns{}, fault.Errorf(fault.Invalid, "%w", noHeaderError{&msg.Error{Text: t}})
		}
		if seen == "" {
			seen = rowText(cells)
		}
		c, hasDate := findColumns(cells)
		switch {
		case hasDate && c.value >= 0:
			return c, nil
		case hasDate && dateOnly < 0:
			dateOnly, dateOnlyNm = row, c.names[c.date]
		}
	}
}

// rowText shows a row's text cells for a message: `"Datum" | "Menge"`, at
// most eight of them, each clipped.
func rowText(cells []cell) string {
	var parts []string
	for _, c := range cells {
		if t := strings.TrimSpace(c.text); !c.isNum && t != "" {
			if len(parts) == 8 {
				parts = append(parts, "…")
				break
			}
			parts = append(parts, Quoted(t))
		}
	}
	return strings.Join(parts, " | ")
}

// noHeaderError is a sheet without a recognised header row: its message,
// and errors.Is(err, errNoHeader) for the caller that looks at every sheet.
type noHeaderError struct{ m *msg.Error }

func (e noHeaderError) Error() string      { return e.m.Error() }
func (e noHeaderError) Unwrap() error      { return e.m }
func (noHeaderError) Is(target error) bool { return target == errNoHeader }
