package ingest

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/msg"
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

// sized is a row source that knows about how many rows it holds, at most;
// the readings are then kept in one slice of about that size instead of
// one grown by copying (which allocates some five times the final size).
type sized interface {
	rowsHint() int
}

// MaxHeaderRow is how far down the header row is looked for.
const MaxHeaderRow = 20

// DefaultMaxRows caps the data rows of one file, which bounds memory
// whatever the file claims.
const DefaultMaxRows = 500_000

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

// readTable applies the reading rules of docs/import.md#files to any row
// source, with the header found or chosen.
func readTable(src rowSource, loc *time.Location, o Options) (*Table, error) {
	maxRows, choice, lang := o.MaxRows, o.Choice, o.Lang
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	cols, err := findHeader(src, choice, lang)
	if err != nil {
		return nil, err
	}
	t := &Table{HasMeterColumn: cols.meter >= 0, Unit: cols.unit}
	used := []int{cols.meter, cols.date, cols.time, cols.value}
	sort.Ints(used)
	for _, i := range used {
		if i >= 0 {
			t.Columns = append(t.Columns, cols.names[i])
		}
	}
	if h, ok := src.(sized); ok {
		t.Readings = make([]Reading, 0, max(0, min(h.rowsHint(), maxRows)))
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
			return nil, inputError("file.too_many_rows", maxRows)
		}
		at := func(i int) cell {
			if i < 0 || i >= len(cells) {
				return cell{}
			}
			return cells[i]
		}
		ts, written, err := rowInstant(at(cols.date), cols.time >= 0, at(cols.time), cols, src, loc)
		if err != nil {
			t.Rejected = append(t.Rejected, Reject(row, textOf(err), lang))
			continue
		}
		value := at(cols.value)
		if value.empty() {
			t.Rejected = append(t.Rejected, Reject(row, msg.New("cell.problem", cols.names[cols.value], msg.New("value.empty")), lang))
			continue
		}
		r := Reading{Row: row, Time: ts, Value: value.num}
		if d := o.Domain; d != nil && !d.Check(r).IsZero() {
			t.Rejected = append(t.Rejected, Reject(row, d.CheckCell(r, written.String()), lang))
			continue
		}
		if cols.meter >= 0 {
			r.Meter = strings.TrimSpace(at(cols.meter).text)
		}
		if !value.isNum {
			commaDecimal = commaDecimal || strings.Contains(value.text, ",")
			texts = append(texts, textValue{index: len(t.Readings), text: value.text})
		}
		t.Readings = append(t.Readings, r)
	}
	t.parseTexts(texts, commaDecimal, cols.names[cols.value], lang)
	if len(t.Readings) == 0 && len(t.Rejected) == 0 {
		return nil, inputError("file.no_data_rows")
	}
	sortRejections(t.Rejected)
	return t, nil
}

// parseTexts reads the values written as text, once the whole file has
// said whether the comma is its decimal separator; a text that is no
// number turns its reading into a rejection.
func (t *Table) parseTexts(texts []textValue, commaDecimal bool, valueName string, lang msg.Lang) {
	bad := map[int]bool{}
	for _, tv := range texts {
		v, err := ParseNumber(tv.text, commaDecimal)
		if err != nil {
			row := t.Readings[tv.index].Row
			t.Rejected = append(t.Rejected, Reject(row, msg.New("cell.problem", valueName, err), lang))
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

// dateCell is a row's date cell as the row wrote it, made into text for
// a message only when one needs it: most rows never do.
type dateCell struct {
	name   string // the column's header
	serial bool   // a date serial: written as its date
	w      wall
	text   string
}

// String names the cell: `Datum "15.01.2031"`, or `Datum 15.01.2031` for
// a date cell of a spreadsheet.
func (c dateCell) String() string {
	if c.serial {
		return c.name + " " + c.w.dateText()
	}
	return c.name + " " + Quoted(strings.TrimSpace(c.text))
}

// rowInstant combines the date cell and the optional time cell. A
// non-empty time cell wins over a time carried in the date cell. written
// names the date cell as the row wrote it, for messages.
func rowInstant(dc cell, hasTimeCol bool, tc cell, cols columns, src rowSource, loc *time.Location) (_ time.Time, written dateCell, _ error) {
	dateName := cols.names[cols.date]
	if dc.empty() {
		return time.Time{}, written, msg.Err("cell.problem", dateName, msg.New("value.empty"))
	}
	var w wall
	switch {
	case dc.isNum && src.spreadsheet():
		var err error
		w, err = SerialToWall(dc.num, src.date1904())
		if err != nil {
			return time.Time{}, written, msg.Err("cell.problem", dateName, err)
		}
		written = dateCell{name: dateName, serial: true, w: w}
	case dc.isNum:
		return time.Time{}, written, msg.Err("cell.problem", dateName, msg.New("date.invalid", formatNum(dc.num)))
	default:
		var instant time.Time
		var err error
		w, instant, err = ParseDateText(dc.text)
		if err != nil {
			return time.Time{}, written, msg.Err("cell.problem", dateName, err)
		}
		written = dateCell{name: dateName, text: dc.text}
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
			err = msg.Err("time.invalid", formatNum(tc.num))
		} else {
			h, m, s, err = ParseTimeText(tc.text)
		}
		if err != nil {
			return time.Time{}, written, msg.Err("cell.problem", timeName, err)
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
