package store

// The InfluxDB layout meterd writes, in one place: every series name, its
// tags and fields, and how a point becomes a line. docs/influxdb.md
// describes it for Grafana users; Grafana's dashboards read these names.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/influxdata/influxdb-client-go/v2/api/write"

	"github.com/meterd/meterd/analysis"
)

// The series names. Raw readings are named by their unit, as Home
// Assistant names its own series.
const (
	SeriesTibberConsumption  = "tibber_consumption"
	SeriesTibberPrice        = "tibber_price"
	SeriesReadingDaily       = "meter_reading_daily"
	SeriesConsumptionDaily   = "meter_consumption_daily"
	SeriesConsumptionMonthly = "meter_consumption_monthly"
	SeriesAnomaly            = "meter_anomaly"
	SeriesAnnotation         = "meter_annotation"
)

// line is one point in line protocol at second precision, the precision
// every meterd series uses.
func line(measurement string, tags map[string]string, fields map[string]any, t time.Time) string {
	return write.PointToLineProtocol(write.NewPoint(measurement, tags, fields, t), time.Second)
}

// RawReadingLine is a reading in the raw bucket's layout (docs/influxdb.md):
// Home Assistant's shape, with source as a field so that a corrected value
// overwrites the point instead of standing beside it.
func RawReadingLine(unit string, r Reading) string {
	return line(unit,
		map[string]string{"domain": "meterd", "entity_id": r.Meter},
		map[string]any{"value": r.Value, "source": r.Source},
		r.Time)
}

func tibberConsumptionLine(meter, homeID string, h TibberHour) string {
	fields := map[string]any{"consumption": h.Consumption}
	for k, v := range map[string]*float64{"cost": h.Cost, "unit_price": h.UnitPrice, "unit_price_vat": h.UnitPriceVAT} {
		if v != nil {
			fields[k] = *v
		}
	}
	return line(SeriesTibberConsumption, map[string]string{"home_id": homeID, "meter_id": meter}, fields, h.Time)
}

func tibberPriceLine(homeID string, p TibberPrice) string {
	return line(SeriesTibberPrice, map[string]string{"home_id": homeID},
		map[string]any{"total": p.Total, "energy": p.Energy, "tax": p.Tax, "level": p.Level}, p.StartsAt)
}

// AnomalyLine is an opened anomaly as Grafana shows it: an annotation at
// its start, with the observed and expected values where there are any.
func AnomalyLine(an Anomaly) string {
	fields := map[string]any{"message": an.Message}
	if an.Observed != nil {
		fields["observed"] = *an.Observed
	}
	if an.Expected != nil {
		fields["expected"] = *an.Expected
	}
	return line(SeriesAnomaly, map[string]string{"meter_id": an.Meter, "rule": an.Rule}, fields, an.Start)
}

// AnnotationLine is a person's note as Grafana shows it: an annotation
// at its start, over [start, end] when it has an end (end_ms, for
// Grafana's end-time column). note_id keeps two notes at one instant
// apart and lets a deleted note be found; a note on the household has no
// meter_id.
func AnnotationLine(a Annotation) string {
	tags := map[string]string{"note_id": strconv.FormatInt(a.ID, 10)}
	if a.Meter != "" {
		tags["meter_id"] = a.Meter
	}
	fields := map[string]any{"text": a.Text}
	if a.End != nil {
		fields["end_ms"] = float64(a.End.UnixMilli())
	}
	return line(SeriesAnnotation, tags, fields, a.Start)
}

// annotationDelete is the InfluxQL that removes a note's point.
func annotationDelete(id int64) string {
	return fmt.Sprintf(`DELETE FROM %s WHERE "note_id" = %s`, quoteIdent(SeriesAnnotation), quoteString(strconv.FormatInt(id, 10)))
}

// ProcessedLines turns a meter's figures into the processed bucket's
// series, for days and months from from on; months before it only serve
// as the previous year. It takes a meter at a time, as the analysis gives
// them.
func ProcessedLines(m analysis.MeterResult, from time.Time, loc *time.Location) []string {
	var lines []string
	add := func(measurement string, tags map[string]string, fields map[string]any, t time.Time) {
		lines = append(lines, line(measurement, tags, fields, t))
	}
	tags := map[string]string{"meter_id": m.ID, "utility": m.Utility, "unit": m.Unit, "type": m.Type}
	for _, d := range m.Daily {
		day, err := analysis.ParseDate(d.Date, loc)
		if err != nil || day.Before(from) {
			continue
		}
		if d.Reading != nil {
			add(SeriesReadingDaily, tags, map[string]any{"value": *d.Reading}, day)
		}
		if d.Consumption != nil {
			f := map[string]any{"value": *d.Consumption}
			if d.KWh != nil {
				f["kwh"] = *d.KWh
			}
			add(SeriesConsumptionDaily, tags, f, day)
		}
	}
	byMonth := map[string]analysis.Figure{}
	for _, mf := range m.Monthly {
		byMonth[mf.Month] = mf.Figure
	}
	for _, mf := range m.Monthly {
		start, err := analysis.ParseMonth(mf.Month, loc)
		if err != nil || start.Before(from) || mf.Consumption == nil {
			continue
		}
		f := map[string]any{"value": *mf.Consumption, "complete": mf.Complete}
		if mf.KWh != nil {
			f["kwh"] = *mf.KWh
		}
		if prev, ok := byMonth[start.In(loc).AddDate(-1, 0, 0).Format("2006-01")]; ok && prev.Consumption != nil {
			f["previous_year"] = *prev.Consumption
		}
		add(SeriesConsumptionMonthly, tags, f, start)
	}
	return lines
}
