package analysis

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meterd/meterd/msg"
)

// WriteText writes the result as a readable table: meters down, months
// across, then the total. An incomplete figure is marked with *, a figure
// nothing covers with –. Figures are rounded to the meter's resolution
// (three decimals), with a decimal comma in German; labels are in lang.
func WriteText(w io.Writer, r *Result, lang msg.Lang) error {
	t := func(id string, args ...any) string { return msg.New(id, args...).In(lang) }
	fig := func(v *float64, complete bool) string { return textFigure(v, complete, lang) }
	fmt.Fprintf(w, "%s\n\n", t("cli.analyze_header", r.From, r.To, r.Timezone))
	if len(r.Meters) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	header := []string{t("cli.meter"), t("cli.unit")}
	for _, m := range r.Meters[0].Monthly {
		header = append(header, m.Month)
	}
	header = append(header, t("cli.total"), "kWh")
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, m := range r.Meters {
		row := []string{m.ID, m.Unit}
		for _, mf := range m.Monthly {
			row = append(row, fig(mf.Figure.Consumption, mf.Complete))
		}
		row = append(row, fig(m.Total.Consumption, m.Total.Complete))
		if m.Total.HasKWh {
			row = append(row, fig(m.Total.KWh, m.Total.Complete))
		} else {
			row = append(row, "")
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, m := range r.Meters {
		if len(m.Daily) > 0 {
			fmt.Fprintf(w, "\n%s\n", t("cli.per_day", m.ID, m.Unit))
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, t("cli.date")+"\t"+t("cli.reading")+"\t"+t("cli.consumption")+"\t")
			for _, d := range m.Daily {
				reading := ""
				if d.HasReading {
					reading = fig(d.Reading, true)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t\n", d.Date, reading, fig(d.Consumption, d.Complete))
			}
			tw.Flush()
		}
		for _, warn := range m.Warnings {
			fmt.Fprintf(w, "%s\n", t("cli.warning", m.ID, warn))
		}
	}
	return nil
}

func textFigure(v *float64, complete bool, lang msg.Lang) string {
	if v == nil {
		return "–"
	}
	s := msg.Fixed{V: *v, Prec: 3}.In(lang)
	if !complete {
		s += "*"
	}
	return s
}

// CSVWriter writes one row per meter and period (total, months, days) as
// a semicolon CSV with decimal commas and a UTF-8 byte order mark, which
// German spreadsheets open as they are, a meter at a time.
type CSVWriter struct {
	bw *bufio.Writer
}

// NewCSVWriter writes the header row.
func NewCSVWriter(w io.Writer) *CSVWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\ufeffmeter;unit;period;consumption;kwh;complete;covered_from;covered_to\r\n")
	return &CSVWriter{bw}
}

// Meter writes a meter's rows: total, months, days.
func (cw *CSVWriter) Meter(m MeterResult) {
	row := func(period string, f Figure) {
		covFrom, covTo := "", ""
		if !f.Complete && f.Consumption != nil {
			covFrom, covTo = f.CoveredFrom.Format(time.RFC3339), f.CoveredTo.Format(time.RFC3339)
		}
		kwh := ""
		if f.HasKWh {
			kwh = csvNum(f.KWh)
		}
		fmt.Fprintf(cw.bw, "%s;%s;%s;%s;%s;%t;%s;%s\r\n", m.ID, m.Unit, period, csvNum(f.Consumption), kwh, f.Complete, covFrom, covTo)
	}
	row("total", m.Total)
	for _, mf := range m.Monthly {
		row(mf.Month, mf.Figure)
	}
	for _, d := range m.Daily {
		row(d.Date, d.Figure)
	}
}

// Close writes out what is buffered.
func (cw *CSVWriter) Close() error { return cw.bw.Flush() }

func csvNum(v *float64) string {
	if v == nil {
		return ""
	}
	return strings.Replace(strconv.FormatFloat(*v, 'f', -1, 64), ".", ",", 1)
}

// JSONWriter writes a result as the API's JSON, the same value
// json.Marshal gives, a meter at a time, laid out for people: two-space
// indentation down to each month and day, which stay on one line each. A five-year daily analysis of a household
// is some 70,000 objects; encoding/json would build each through
// MarshalJSON, check it and then indent the whole document again, which
// took longer than the analysis itself.
type JSONWriter struct {
	bw     *bufio.Writer
	meters int
}

// NewJSONWriter writes head's from, to and timezone; its meters are left
// to Meter.
func NewJSONWriter(w io.Writer, head Result) *JSONWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\n  \"from\": %s,\n  \"to\": %s,\n  \"timezone\": %s,\n  \"meters\": [", jsonString(head.From), jsonString(head.To), jsonString(head.Timezone))
	return &JSONWriter{bw: bw}
}

// Meter writes the next meter of the list.
func (jw *JSONWriter) Meter(m MeterResult) {
	bw := jw.bw
	if jw.meters > 0 {
		bw.WriteByte(',')
	}
	jw.meters++
	total, _ := m.Total.MarshalJSON()
	fmt.Fprintf(bw, "\n    {\n      \"id\": %s,\n      \"type\": %s,\n      \"utility\": %s,\n      \"unit\": %s,\n      \"total\": %s,\n      \"monthly\": ",
		jsonString(m.ID), jsonString(m.Type), jsonString(m.Utility), jsonString(m.Unit), total)
	writeJSONList(bw, "      ", m.Monthly, func(f MonthFigure) { b, _ := f.MarshalJSON(); bw.Write(b) })
	if len(m.Daily) > 0 { // omitempty, as the struct tag says
		bw.WriteString(",\n      \"daily\": ")
		writeJSONList(bw, "      ", m.Daily, func(f DayFigure) { b, _ := f.MarshalJSON(); bw.Write(b) })
	}
	if len(m.Warnings) > 0 {
		bw.WriteString(",\n      \"warnings\": ")
		writeJSONList(bw, "      ", m.Warnings, func(s string) { bw.Write(jsonString(s)) })
	}
	bw.WriteString("\n    }")
}

// Close ends the list and the document and writes out what is buffered.
func (jw *JSONWriter) Close() error {
	if jw.meters > 0 {
		jw.bw.WriteString("\n  ")
	}
	jw.bw.WriteString("]\n}\n")
	return jw.bw.Flush()
}

// writeJSONList writes items as a JSON array, one item per line indented
// one step (two spaces) deeper than indent, the closing bracket at indent;
// a nil slice is null, as encoding/json writes it.
func writeJSONList[T any](bw *bufio.Writer, indent string, items []T, item func(T)) {
	if items == nil {
		bw.WriteString("null")
		return
	}
	bw.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n" + indent + "  ")
		item(it)
	}
	if len(items) > 0 {
		bw.WriteString("\n" + indent)
	}
	bw.WriteByte(']')
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}
