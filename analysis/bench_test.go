package analysis

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// household builds scale × (20 meters read by hand every 10 to 40 days and
// 10 hourly meters over 5 years, plus 4 master and 4 virtual meters). At
// scale 1 that is 439,697 readings or so, as the household.
func household(scale int) Input {
	rng := rand.New(rand.NewSource(1))
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, berlin)
	end := start.AddDate(5, 0, 0)
	in := Input{Readings: map[string][]Reading{}, Gas: NewGasFactors(nil), Location: berlin}
	for s := 0; s < scale; s++ {
		var manual, hourly []string
		for i := 0; i < 20; i++ {
			id := fmt.Sprintf("m%d_%d", s, i)
			m := cumMeter(id, KWh, Electricity)
			if i%5 == 0 {
				m.SeasonalPattern = []float64{14, 12, 11, 8, 5, 4, 4, 4, 6, 9, 11, 12}
			}
			in.Meters = append(in.Meters, m)
			var rs []Reading
			v := 1000.0
			for t := start; t.Before(end); t = t.AddDate(0, 0, 10+rng.Intn(31)) {
				rs = append(rs, Reading{Time: t, Value: v})
				v += rng.Float64() * 100
			}
			in.Readings[id] = rs
			manual = append(manual, id)
		}
		for i := 0; i < 10; i++ {
			id := fmt.Sprintf("h%d_%d", s, i)
			in.Meters = append(in.Meters, cumMeter(id, KWh, Electricity))
			rs := make([]Reading, 0, 43824)
			v := 0.0
			for t := start; t.Before(end); t = t.Add(time.Hour) {
				rs = append(rs, Reading{Time: t, Value: v})
				v += rng.Float64()
			}
			in.Readings[id] = rs
			hourly = append(hourly, id)
		}
		for k := 0; k < 4; k++ {
			a, b := manual[2*k], manual[2*k+1]
			in.Meters = append(in.Meters, Meter{ID: fmt.Sprintf("master%d_%d", s, k), Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
				{From: start, Meters: []string{a}}, {From: start.AddDate(2, 3, 4), Meters: []string{b}},
			}})
			in.Meters = append(in.Meters, Meter{ID: fmt.Sprintf("virtual%d_%d", s, k), Kind: Virtual, Utility: Electricity, Unit: KWh,
				Base: hourly[k], Subtract: []string{manual[10+k], hourly[4+k]}})
		}
	}
	return in
}

func benchmarkHousehold(b *testing.B, scale int) {
	in := household(scale)
	n := 0
	for _, rs := range in.Readings {
		n += len(rs)
	}
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, berlin)
	req := Request{From: from, To: from.AddDate(5, 0, 0), Daily: true}
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for b.Loop() {
		var res *Result
		var err error
		peak = max(peak, peakHeap(func() { res, err = Analyze(in, req) }))
		if err != nil {
			b.Fatal(err)
		}
		// Yearly figures from the months.
		for _, m := range res.Meters {
			years := map[string]float64{}
			for _, mf := range m.Monthly {
				if mf.Consumption != nil {
					years[mf.Month[:4]] += *mf.Consumption
				}
			}
			if len(m.Daily) != 1827 {
				b.Fatalf("%s: %d days", m.ID, len(m.Daily))
			}
		}
	}
	b.ReportMetric(float64(n), "readings")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}

// BenchmarkHousehold5Years: 30 meters over 5 years plus 4 master and 4
// virtual meters, to daily, monthly and yearly figures.
func BenchmarkHousehold5Years(b *testing.B) { benchmarkHousehold(b, 1) }

// BenchmarkHousehold5Years10x: the same at 10 times the meters.
func BenchmarkHousehold5Years10x(b *testing.B) { benchmarkHousehold(b, 10) }
