package ingest

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/fault"
)

// cell is one spreadsheet or CSV cell. Spreadsheet numbers (including date
// serials and times as day fractions) arrive as num with isNum; everything
// else as text.
type cell struct {
	text  string
	num   float64
	isNum bool
}

func (c cell) empty() bool { return !c.isNum && strings.TrimSpace(c.text) == "" }

// rowSource yields a file's rows one at a time, so no format holds the whole
// file in memory.
type rowSource interface {
	// next returns the next non-missing row with its 1-based number; ok is
	// false at the end.
	next() (row int, cells []cell, ok bool, err error)
	// spreadsheet reports whether numbers may be date serials.
	spreadsheet() bool
	date1904() bool
}

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

// MaxHeaderRow is how far down the header row is looked for.
const MaxHeaderRow = 20

// DefaultMaxRows caps the data rows of one file, which bounds memory
// whatever the file claims.
const DefaultMaxRows = 500_000

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

// textValue is a reading whose value was text: it is read once the file's
// decimal separator is known.
type textValue struct {
	index int // into Table.Readings
	text  string
}

// Table is the outcome of reading a file: readings and rejected rows.
type Table struct {
	Readings []Reading
	Rejected []Rejection
	// HasMeterColumn says the file names a meter per row (meterd export).
	HasMeterColumn bool
	// Unit is what the value column's header says the values count
	// (`Zählerstand (kWh)`); empty when it says nothing.
	Unit analysis.Unit
	// Columns are the header texts of the columns read, in the file's
	// order.
	Columns []string
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
		return inputErrorf("choose the header row (1 to %d) and three different columns: a date column and a value column, and a time column or none", MaxHeaderRow)
	}
	return nil
}

// chosenColumns reads the header row a person chose.
func chosenColumns(ch Choice, cells []cell) columns {
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
			name = "column " + strconv.Itoa(i+1)
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

// readTable applies the reading rules of docs/import.md#files to any row
// source, with the header found or chosen.
func readTable(src rowSource, loc *time.Location, maxRows int, choice Choice) (*Table, error) {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	var (
		cols       columns
		found      bool
		dateOnly   = -1 // a row with a date header but no value column
		dateOnlyNm string
		seen       string // the first row with text, for the message
	)
	for choice.Manual() && !found {
		row, cells, ok, err := src.next()
		if err != nil {
			return nil, err
		}
		if !ok || row > choice.HeaderRow {
			return nil, inputErrorf("the file has no row %d", choice.HeaderRow)
		}
		if row == choice.HeaderRow {
			cols, found = chosenColumns(choice, cells), true
		}
	}
	for !found {
		row, cells, ok, err := src.next()
		if err != nil {
			return nil, err
		}
		if !ok || row > MaxHeaderRow {
			if dateOnly > 0 {
				return nil, inputErrorf("row %d has the column %s but no value column: name it Zählerstand, Stand, Zaehlerstand or Wert", dateOnly, dateOnlyNm)
			}
			msg := fmt.Sprintf("no header row in the first %d rows: the file needs a date column (Ab-Datum or Datum) and a value column (Zählerstand, Stand or Wert), or choose the columns", MaxHeaderRow)
			if seen != "" {
				msg += "; its first row reads " + seen
			}
			return nil, fault.Errorf(fault.Invalid, "%s%w", msg, errNoHeaderMark)
		}
		if seen == "" {
			seen = rowText(cells)
		}
		c, hasDate := findColumns(cells)
		switch {
		case hasDate && c.value >= 0:
			cols, found = c, true
		case hasDate && dateOnly < 0:
			dateOnly, dateOnlyNm = row, c.names[c.date]
		}
	}

	t := &Table{HasMeterColumn: cols.meter >= 0, Unit: cols.unit}
	used := []int{cols.meter, cols.date, cols.time, cols.value}
	sort.Ints(used)
	for _, i := range used {
		if i >= 0 {
			t.Columns = append(t.Columns, cols.names[i])
		}
	}
	var texts []textValue
	commaDecimal := false
	for {
		row, cells, ok, err := src.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if allEmpty(cells) {
			continue
		}
		if len(t.Readings)+len(t.Rejected) >= maxRows {
			return nil, inputErrorf("the file has more than %d data rows: split it into smaller files", maxRows)
		}
		at := func(i int) cell {
			if i < 0 || i >= len(cells) {
				return cell{}
			}
			return cells[i]
		}
		ts, written, err := rowInstant(at(cols.date), cols.time >= 0, at(cols.time), cols, src, loc)
		if err != nil {
			t.Rejected = append(t.Rejected, Rejection{Row: row, Error: err.Error()})
			continue
		}
		value := at(cols.value)
		if value.empty() {
			t.Rejected = append(t.Rejected, Rejection{Row: row, Error: cols.names[cols.value] + " is empty"})
			continue
		}
		r := Reading{Row: row, Time: ts, Value: value.num, Cell: written}
		if cols.meter >= 0 {
			r.Meter = strings.TrimSpace(at(cols.meter).text)
		}
		if !value.isNum {
			commaDecimal = commaDecimal || strings.Contains(value.text, ",")
			texts = append(texts, textValue{index: len(t.Readings), text: value.text})
		}
		t.Readings = append(t.Readings, r)
	}
	if len(texts) > 0 {
		bad := map[int]bool{}
		for _, tv := range texts {
			v, err := ParseNumber(tv.text, commaDecimal)
			if err != nil {
				row := t.Readings[tv.index].Row
				t.Rejected = append(t.Rejected, Rejection{Row: row, Error: fmt.Sprintf("%s %v", cols.names[cols.value], err)})
				bad[tv.index] = true
				continue
			}
			t.Readings[tv.index].Value = v
		}
		if len(bad) > 0 {
			kept := t.Readings[:0]
			for i, r := range t.Readings {
				if !bad[i] {
					kept = append(kept, r)
				}
			}
			t.Readings = kept
		}
	}
	if len(t.Readings) == 0 && len(t.Rejected) == 0 {
		return nil, inputErrorf("the file has a header row but no data rows: nothing to import")
	}
	sortRejections(t.Rejected)
	return t, nil
}

// sortRejections puts value rejections, found after the others, in row
// order.
func sortRejections(r []Rejection) {
	sort.SliceStable(r, func(i, j int) bool { return r[i].Row < r[j].Row })
}

func allEmpty(cells []cell) bool {
	for _, c := range cells {
		if !c.empty() {
			return false
		}
	}
	return true
}

// rowInstant combines the date cell and the optional time cell. A
// non-empty time cell wins over a time carried in the date cell. written
// names the date cell as the row wrote it, for messages.
func rowInstant(dc cell, hasTimeCol bool, tc cell, cols columns, src rowSource, loc *time.Location) (_ time.Time, written string, _ error) {
	dateName := cols.names[cols.date]
	if dc.empty() {
		return time.Time{}, "", fmt.Errorf("%s is empty", dateName)
	}
	var w wall
	switch {
	case dc.isNum && src.spreadsheet():
		var err error
		w, err = SerialToWall(dc.num, src.date1904())
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%s %v", dateName, err)
		}
		written = dateName + " " + w.dateText()
	case dc.isNum:
		return time.Time{}, "", fmt.Errorf("%s %s is not a date (dd.mm.yyyy, dd.mm.yy or yyyy-mm-dd)", dateName, formatNum(dc.num))
	default:
		var instant time.Time
		var err error
		w, instant, err = ParseDateText(dc.text)
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%s %v", dateName, err)
		}
		written = dateName + " " + Quoted(strings.TrimSpace(dc.text))
		if !instant.IsZero() && (!hasTimeCol || tc.empty()) {
			return instant, written, nil // an instant with offset is exact already
		}
	}
	if hasTimeCol && !tc.empty() {
		timeName := cols.names[cols.time]
		var h, m, s int
		var err error
		if tc.isNum && src.spreadsheet() {
			h, m, s, err = FractionToClock(tc.num)
		} else if tc.isNum {
			err = fmt.Errorf("%s is not a time (HH:MM)", formatNum(tc.num))
		} else {
			h, m, s, err = ParseTimeText(tc.text)
		}
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%s %v", timeName, err)
		}
		w.hour, w.min, w.sec = h, m, s
	}
	return analysis.LocalTime(w.year, w.month, w.day, w.hour, w.min, w.sec, loc), written, nil
}

// dateText is the wall's date as dd.mm.yyyy. It runs for every row of a
// spreadsheet, where fmt.Sprintf alone cost a quarter of the row's time.
func (w wall) dateText() string {
	b := make([]byte, 0, 10)
	two := func(n int) { b = append(b, byte('0'+n/10%10), byte('0'+n%10)) }
	two(w.day)
	b = append(b, '.')
	two(int(w.month))
	b = append(b, '.')
	two(w.year / 100)
	two(w.year % 100)
	return string(b)
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// wall is a local wall-clock time before it meets a time zone. hour may be
// 24 (end of day), which LocalTime normalises to the next midnight.
type wall struct {
	year           int
	month          time.Month
	day            int
	hour, min, sec int
}

var (
	germanDate = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$`)
	isoDate    = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
)

// ParseDateText reads a date, optionally followed by a time: dd.mm.yyyy,
// dd.mm.yy, yyyy-mm-dd, then " HH:MM[:SS]" or "THH:MM[:SS]". An RFC 3339
// text with offset is an exact instant, returned as instant. Impossible
// dates (31.02.2025) are errors, never rolled over.
func ParseDateText(s string) (w wall, instant time.Time, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return wall{}, t.UTC().Truncate(time.Second), nil
	}
	datePart, timePart := s, ""
	if i := strings.IndexAny(s, " T"); i > 0 {
		datePart, timePart = s[:i], strings.TrimSpace(s[i+1:])
	}
	var y, m, d int
	if g := germanDate.FindStringSubmatch(datePart); g != nil {
		d, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
		if len(g[3]) == 2 {
			// As POSIX %y: 69-99 are 19xx, 00-68 are 20xx.
			if y < 69 {
				y += 2000
			} else {
				y += 1900
			}
		}
	} else if g := isoDate.FindStringSubmatch(datePart); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else {
		return wall{}, time.Time{}, fmt.Errorf("%s is not a date (dd.mm.yyyy, dd.mm.yy or yyyy-mm-dd)", Quoted(s))
	}
	if !validDate(y, m, d) {
		return wall{}, time.Time{}, fmt.Errorf("%s is not a date of the calendar", Quoted(s))
	}
	w = wall{year: y, month: time.Month(m), day: d}
	if timePart != "" {
		h, mi, sec, err := ParseTimeText(timePart)
		if err != nil {
			return wall{}, time.Time{}, fmt.Errorf("%s: the time %v", Quoted(s), err)
		}
		w.hour, w.min, w.sec = h, mi, sec
	}
	return w, time.Time{}, nil
}

func validDate(y, m, d int) bool {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
}

// ParseTimeText reads HH:MM or HH:MM:SS; 24:00 is the end of the day.
func ParseTimeText(s string) (h, m, sec int, err error) {
	s = strings.TrimSpace(s)
	// Hand-parsed: this runs for every row of a quarter-hour export.
	fields, ok := clockFields(s)
	if !ok {
		return 0, 0, 0, fmt.Errorf("%s is not a time (HH:MM or HH:MM:SS)", Quoted(s))
	}
	h, m, sec = fields[0], fields[1], fields[2]
	if m > 59 || sec > 59 || h > 24 || (h == 24 && (m > 0 || sec > 0)) {
		return 0, 0, 0, fmt.Errorf("%s is not a time of day", Quoted(s))
	}
	return h, m, sec, nil
}

// clockFields splits H:MM, HH:MM or HH:MM:SS into numbers.
func clockFields(s string) ([3]int, bool) {
	var f [3]int
	parts := 0
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			f[parts] = f[parts]*10 + int(c-'0')
			digits++
			if digits > 2 {
				return f, false
			}
		case c == ':' && parts < 2:
			if digits == 0 || (parts > 0 && digits != 2) {
				return f, false
			}
			parts++
			digits = 0
		default:
			return f, false
		}
	}
	return f, parts >= 1 && digits == 2
}

// SerialToWall turns an Excel serial (days since the workbook's epoch, the
// fraction being the time of day) into a wall-clock time, to the nearest
// second. In the 1900 system serial 60 is Lotus' 29 Feb 1900, which never
// was; serials from 61 on count from 30 Dec 1899.
func SerialToWall(serial float64, date1904 bool) (wall, error) {
	if math.IsNaN(serial) || serial < 1 || serial > 200000 {
		return wall{}, fmt.Errorf("%s is not a date serial number", formatNum(serial))
	}
	secs := int64(math.Round(serial * 86400))
	days, rem := secs/86400, secs%86400
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 60:
		return wall{}, fmt.Errorf("60 is 29 Feb 1900, a day that did not exist")
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	t := base.AddDate(0, 0, int(days)).Add(time.Duration(rem) * time.Second)
	return wall{year: t.Year(), month: t.Month(), day: t.Day(), hour: t.Hour(), min: t.Minute(), sec: t.Second()}, nil
}

// FractionToClock turns a time cell (a day fraction; a whole date-time
// serial contributes its fraction) into hours, minutes and seconds, to the
// nearest second. A fraction that rounds to a whole day is 24:00.
func FractionToClock(x float64) (h, m, s int, err error) {
	if math.IsNaN(x) || x < 0 || x > 200000 {
		return 0, 0, 0, fmt.Errorf("%s is not a time of day", formatNum(x))
	}
	secs := int64(math.Round((x - math.Floor(x)) * 86400))
	if x >= 1 && secs == 86400 {
		secs = 0
	}
	return int(secs / 3600), int(secs % 3600 / 60), int(secs % 60), nil
}

var (
	dotNumber   = regexp.MustCompile(`^[+-]?\d+(\.\d+)?$`)
	commaNumber = regexp.MustCompile(`^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$`)
)

// ParseNumber reads a number written by a person. With commaDecimal the
// comma is the decimal separator and dots group thousands (12.345,6);
// otherwise a dot is the decimal point (12345.6). Spaces (also
// non-breaking) are ignored.
func ParseNumber(s string, commaDecimal bool) (float64, error) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	if t == "" {
		return 0, fmt.Errorf("is empty")
	}
	if commaDecimal {
		if !commaNumber.MatchString(t) {
			return 0, fmt.Errorf("%s is not a number (write 12345,6 or 12.345,6)", Quoted(s))
		}
		t = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
	} else if !dotNumber.MatchString(t) {
		return 0, fmt.Errorf("%s is not a number (write 12345.6)", Quoted(s))
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is not a number", Quoted(s))
	}
	return v, nil
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

// errNoHeaderMark joins errNoHeader to the message without adding words.
var errNoHeaderMark = markError{errNoHeader}

type markError struct{ error }

func (markError) Error() string   { return "" }
func (m markError) Unwrap() error { return m.error }
