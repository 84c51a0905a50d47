package analysis

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the result as a readable table: meters down, months
// across, then the total. An incomplete figure is marked with *, a figure
// nothing covers with –.
func WriteText(w io.Writer, r *Result) error {
	fmt.Fprintf(w, "consumption %s to %s (%s), * = incomplete, – = no data\n\n", r.From, r.To, r.Timezone)
	if len(r.Meters) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	header := []string{"meter", "unit"}
	for _, m := range r.Meters[0].Monthly {
		header = append(header, m.Month)
	}
	header = append(header, "total", "kWh")
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, m := range r.Meters {
		row := []string{m.ID, m.Unit}
		for _, mf := range m.Monthly {
			row = append(row, textFigure(mf.Figure.Consumption, mf.Complete))
		}
		row = append(row, textFigure(m.Total.Consumption, m.Total.Complete))
		if m.Total.HasKWh {
			row = append(row, textFigure(m.Total.KWh, m.Total.Complete))
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
			fmt.Fprintf(w, "\n%s (%s) per day\n", m.ID, m.Unit)
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "date\treading\tconsumption\t")
			for _, d := range m.Daily {
				reading := ""
				if d.HasReading {
					reading = textFigure(d.Reading, true)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t\n", d.Date, reading, textFigure(d.Consumption, d.Complete))
			}
			tw.Flush()
		}
		for _, warn := range m.Warnings {
			fmt.Fprintf(w, "warning: %s: %s\n", m.ID, warn)
		}
	}
	return nil
}

func textFigure(v *float64, complete bool) string {
	if v == nil {
		return "–"
	}
	s := strconv.FormatFloat(*v, 'f', 3, 64)
	if !complete {
		s += "*"
	}
	return s
}

// WriteCSV writes one row per meter and period (total, months, days) as a
// semicolon CSV with decimal commas and a UTF-8 byte order mark, which
// German spreadsheets open as they are.
func WriteCSV(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeffmeter;unit;period;consumption;kwh;complete;covered_from;covered_to\r\n")
	row := func(m MeterResult, period string, f Figure) {
		covFrom, covTo := "", ""
		if !f.Complete && f.Consumption != nil {
			covFrom, covTo = f.CoveredFrom.Format(time.RFC3339), f.CoveredTo.Format(time.RFC3339)
		}
		kwh := ""
		if f.HasKWh {
			kwh = csvNum(f.KWh)
		}
		fmt.Fprintf(bw, "%s;%s;%s;%s;%s;%t;%s;%s\r\n", m.ID, m.Unit, period, csvNum(f.Consumption), kwh, f.Complete, covFrom, covTo)
	}
	for _, m := range r.Meters {
		row(m, "total", m.Total)
		for _, mf := range m.Monthly {
			row(m, mf.Month, mf.Figure)
		}
		for _, d := range m.Daily {
			row(m, d.Date, d.Figure)
		}
	}
	return bw.Flush()
}

func csvNum(v *float64) string {
	if v == nil {
		return ""
	}
	return strings.Replace(strconv.FormatFloat(*v, 'f', -1, 64), ".", ",", 1)
}
