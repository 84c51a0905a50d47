package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/msg"
)

// ConsumptionSource gathers the consumption page's figures.
type ConsumptionSource interface {
	Consumption(ctx context.Context, req api.ConsumptionRequest) (api.Consumption, error)
}

// consumptionRequest reads ?period=&year=&from=&to=.
func consumptionRequest(r *http.Request) (api.ConsumptionRequest, error) {
	q := r.URL.Query()
	req := api.ConsumptionRequest{Period: q.Get("period"), From: q.Get("from"), To: q.Get("to")}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil {
			return req, fault.New(fault.Invalid, "consumption.bad_year", strconv.Quote(v))
		}
		req.Year = y
	}
	return req, nil
}

// consumption gathers the figures ?period=&year=&from=&to= asks for; on a
// refusal it has answered already and ok is false.
func (s *Server) consumption(w http.ResponseWriter, r *http.Request) (c api.Consumption, ok bool) {
	req, err := consumptionRequest(r)
	if err == nil {
		c, err = s.d.Consumption.Consumption(r.Context(), req)
	}
	if err != nil {
		s.writeErr(w, r, err)
		return c, false
	}
	return c, true
}

func (s *Server) handleConsumption(w http.ResponseWriter, r *http.Request) {
	c, ok := s.consumption(w, r)
	if !ok {
		return
	}
	l := s.lang()
	var groups []consumptionGroup
	for _, u := range c.Utilities {
		g := consumptionGroup{Utility: u.Utility}
		for _, m := range u.Meters {
			g.Meters = append(g.Meters, consumptionView{MeterConsumption: m, Chart: barChart(m, l)})
		}
		groups = append(groups, g)
	}
	csvURL := "/consumption.csv?" + r.URL.RawQuery
	cur, prev := periodLabels(c, l)
	s.render(w, "consumption.html", map[string]any{
		"C":         c,
		"CurLabel":  cur,
		"PrevLabel": prev,
		"Groups":    groups,
		"Timezone":  s.d.Location.String(),
		"CSV":       csvURL,
	})
}

// consumptionGroup and consumptionView are what the template shows: the
// figures with each meter's chart drawn.
type consumptionGroup struct {
	Utility string
	Meters  []consumptionView
}

type consumptionView struct {
	api.MeterConsumption
	Chart template.HTML
}

// ShowKWh says the kWh columns add something: not for a meter that counts
// kWh already.
func (v consumptionView) ShowKWh() bool { return v.HasKWh && v.Unit != "kWh" }

// The chart's geometry, in SVG user units: the drawing scales to the
// page's width, so a phone shows the same chart smaller.
const (
	chartHeight = 180.0
	chartTop    = 12.0
	chartBottom = 24.0 // room for the month labels
	chartLeft   = 4.0
	barWidth    = 14.0
	pairGap     = 10.0
)

// barChart draws one meter's months as bars, the period before in grey
// beside the period in colour. Every bar carries its exact value
// (data-value) and a tooltip; an incomplete month is drawn hatched; a
// month without figures has no bar.
func barChart(m api.MeterConsumption, l msg.Lang) template.HTML {
	if len(m.Months) == 0 {
		return ""
	}
	maxV, minV := 0.0, 0.0
	for _, p := range m.Months {
		for _, f := range []analysis.Figure{p.Cur, p.Prev} {
			if f.Consumption != nil {
				maxV, minV = math.Max(maxV, *f.Consumption), math.Min(minV, *f.Consumption)
			}
		}
	}
	span := maxV - minV
	if span == 0 {
		span = 1
	}
	plot := chartHeight - chartTop - chartBottom
	y := func(v float64) float64 { return chartTop + (maxV-v)/span*plot }
	width := chartLeft*2 + float64(len(m.Months))*(2*barWidth+pairGap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" data-meter="%s">`,
		width, chartHeight, template.HTMLEscapeString(msg.New("page.chart_label", m.ID).In(l)), template.HTMLEscapeString(m.ID))
	fmt.Fprintf(&b, `<line class="axis" x1="0" x2="%.0f" y1="%.2f" y2="%.2f"/>`, width, y(0), y(0))
	bar := func(x float64, period, month string, f analysis.Figure) {
		if f.Consumption == nil {
			return
		}
		v := *f.Consumption
		top, bottom := y(math.Max(v, 0)), y(math.Min(v, 0))
		h := math.Max(bottom-top, 0.5) // a zero month still shows
		cls := "bar " + period
		if !f.Complete {
			cls += " incomplete"
		}
		title := month + ": " + formatNumber(v, 3, l) + " " + m.Unit
		if !f.Complete {
			title += " (" + msg.New("page.incomplete").In(l) + ")"
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.2f" width="%.0f" height="%.2f" data-period="%s" data-month="%s" data-value="%s"><title>%s</title></rect>`,
			cls, x, top, barWidth, h, period, month, strconv.FormatFloat(v, 'g', -1, 64), template.HTMLEscapeString(title))
	}
	for i, p := range m.Months {
		x := chartLeft + float64(i)*(2*barWidth+pairGap) + pairGap/2
		if p.PrevMonth != "" {
			bar(x, "previous", p.PrevMonth, p.Prev)
		}
		bar(x+barWidth, "current", p.Month, p.Cur)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x+barWidth, chartHeight-8, monthLabel(p.Month))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// periodLabels name the two periods in a table's head: the year (2025,
// or 2025/26 for a billing year that starts within it), or for a free
// range "this period" and "a year before".
func periodLabels(c api.Consumption, l msg.Lang) (cur, prev string) {
	switch {
	case c.Period == api.PeriodRange:
		return msg.New("page.this_period").In(l), msg.New("page.year_before").In(l)
	case strings.HasSuffix(c.From, "-01-01"):
		return strconv.Itoa(c.Year), strconv.Itoa(c.Year - 1)
	}
	span := func(y int) string { return fmt.Sprintf("%d/%02d", y, (y+1)%100) }
	return span(c.Year), span(c.Year - 1)
}

// monthLabel is a month's number (01 to 12), short enough for a phone.
func monthLabel(month string) string {
	if _, m, ok := strings.Cut(month, "-"); ok {
		return m
	}
	return month
}

// handleConsumptionCSV writes exactly the figures the page shows, one row
// per meter, period and month plus each period's total, in full precision.
func (s *Server) handleConsumptionCSV(w http.ResponseWriter, r *http.Request) {
	c, ok := s.consumption(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="meterd-consumption-%s-%s.csv"`, c.From, c.To))
	cw := csv.NewWriter(w)
	cw.Write([]string{"utility", "meter", "unit", "period", "month", "consumption", "kwh", "complete", "covered_from", "covered_to", "cost", "currency"})
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	instant := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(s.d.Location).Format(time.RFC3339)
	}
	row := func(u string, m api.MeterConsumption, period, month string, f analysis.Figure, cost *float64) {
		kwh := ""
		if m.HasKWh {
			kwh = num(f.KWh)
		}
		from, to := "", ""
		if !f.Complete {
			from, to = instant(f.CoveredFrom), instant(f.CoveredTo)
		}
		currency := ""
		if cost != nil {
			currency = m.Currency
		}
		cw.Write([]string{u, m.ID, m.Unit, period, month, num(f.Consumption), kwh, strconv.FormatBool(f.Complete), from, to, num(cost), currency})
	}
	for _, u := range c.Utilities {
		for _, m := range u.Meters {
			for _, p := range m.Months {
				row(u.Utility, m, "current", p.Month, p.Cur, p.Cost)
			}
			row(u.Utility, m, "current", "total", m.Total, m.Cost)
			for _, p := range m.Months {
				if p.PrevMonth != "" {
					row(u.Utility, m, "previous", p.PrevMonth, p.Prev, p.PrevCost)
				}
			}
			row(u.Utility, m, "previous", "total", m.PrevTotal, m.PrevCost)
		}
	}
	cw.Flush()
}
