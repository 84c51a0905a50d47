package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// streamHousehold is a household whose meters depend on one another in
// every way the analysis allows: a master over two physical meters, a
// virtual meter over the master, a virtual meter over that virtual meter
// and an interval meter, and a meter that is part of two virtual meters.
func streamHousehold(rng *rand.Rand) Input {
	start := lt(2023, 1, 1, 0, 0)
	switchAt := start.AddDate(1, 2, 3)
	var o, n []Reading
	for _, r := range randomReadings(rng, start, 5000) {
		if r.Time.Before(switchAt) {
			o = append(o, r)
		}
	}
	o = append(o, Reading{Time: switchAt, Value: o[len(o)-1].Value + 2})
	n = append(n, Reading{Time: switchAt, Value: 0})
	n = append(n, randomReadings(rng, switchAt, 0)[1:]...)
	var hours []Reading
	for t := start; t.Before(start.AddDate(2, 0, 0)); t = t.Add(time.Hour) {
		if rng.Intn(50) != 0 { // now and then an hour is missing
			hours = append(hours, Reading{Time: t, Value: rng.Float64()})
		}
	}
	meters := []Meter{
		cumMeter("old", KWh, Electricity), cumMeter("new", KWh, Electricity),
		{ID: "main", Kind: Master, Utility: Electricity, Unit: KWh, Periods: []Period{
			{From: start, Meters: []string{"old"}}, {From: switchAt, Meters: []string{"new"}}}},
		cumMeter("flat", KWh, Electricity),
		{ID: "hours", Kind: Physical, Utility: Electricity, Unit: KWh, Reading: Interval, Interval: time.Hour},
		{ID: "rest", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "main", Subtract: []string{"flat"}},
		{ID: "common", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "rest", Subtract: []string{"hours"}},
		{ID: "other", Kind: Virtual, Utility: Electricity, Unit: KWh, Base: "main", Subtract: []string{"hours"}},
	}
	return Input{Meters: meters, Location: berlin, Gas: NewGasFactors(nil), Readings: map[string][]Reading{
		"old": o, "new": n, "flat": randomReadings(rng, start, 100), "hours": hours,
	}}
}

func jsonOf(t *testing.T, r *Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMetersOneAtATimeAsAlone: an analysis lets go of what the meters
// still to come do not need. Whatever the order of the request, with
// repeats, and whether the readings are given or loaded when needed, every
// meter's figures are those it has when asked for alone.
func TestMetersOneAtATimeAsAlone(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for iter := range 20 {
		in := streamHousehold(rng)
		from := lt(2023, 1, 1, 0, 0).AddDate(0, rng.Intn(12), rng.Intn(28))
		req := Request{From: from, To: from.AddDate(0, 1+rng.Intn(14), rng.Intn(28)), Daily: rng.Intn(2) == 0}
		for range 3 + rng.Intn(8) {
			req.Meters = append(req.Meters, in.Meters[rng.Intn(len(in.Meters))].ID)
		}
		alone := map[string]string{}
		for _, id := range req.Meters {
			r := req
			r.Meters = []string{id}
			res, err := Analyze(in, r)
			if err != nil {
				t.Fatal(err)
			}
			alone[id] = jsonOf(t, &Result{Meters: res.Meters})
		}
		loads := map[string]int{}
		lazy := in
		lazy.Readings = nil
		lazy.Load = func(id string) ([]Reading, error) {
			loads[id]++
			rs, ok := in.Readings[id]
			if !ok {
				return nil, fmt.Errorf("%q is not a physical meter", id)
			}
			return rs, nil
		}
		for name, input := range map[string]Input{"given": in, "loaded": lazy} {
			res, err := Analyze(input, req)
			if err != nil {
				t.Fatalf("iter %d %s: %v", iter, name, err)
			}
			if len(res.Meters) != len(req.Meters) {
				t.Fatalf("iter %d %s: %d meters for %v", iter, name, len(res.Meters), req.Meters)
			}
			for k, m := range res.Meters {
				if got := jsonOf(t, &Result{Meters: res.Meters[k : k+1]}); got != alone[m.ID] {
					t.Fatalf("iter %d %s: %s at position %d of %v differs from it alone:\n%s\nalone:\n%s", iter, name, m.ID, k, req.Meters, got, alone[m.ID])
				}
			}
		}
		if len(loads) == 0 {
			t.Fatalf("iter %d: Load was never asked", iter)
		}
	}
}

// TestLoadFailureEndsTheMeters: a meter whose readings cannot be read ends
// the analysis with that error; the meters before it have come.
func TestLoadFailureEndsTheMeters(t *testing.T) {
	in := streamHousehold(rand.New(rand.NewSource(1)))
	broken := errors.New("disk gone")
	in.Load = func(id string) ([]Reading, error) {
		if id == "flat" {
			return nil, broken
		}
		return in.Readings[id], nil
	}
	an, err := New(in, Request{From: lt(2023, 6, 1, 0, 0), To: lt(2023, 7, 1, 0, 0), Meters: []string{"old", "main", "rest", "hours"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var last error
	for m, err := range an.Meters() {
		if err != nil {
			last = err
			continue
		}
		got = append(got, m.ID)
	}
	if !errors.Is(last, broken) || fmt.Sprint(got) != "[old main]" {
		t.Fatalf("meters %v, error %v; want [old main] and then %v", got, last, broken)
	}
	if _, err := Analyze(in, Request{From: lt(2023, 6, 1, 0, 0), To: lt(2023, 7, 1, 0, 0)}); !errors.Is(err, broken) {
		t.Fatalf("Analyze: %v; want %v", err, broken)
	}
}

// TestMetersRangedAgain: a range stopped early and a second one give the
// meters a first whole range gives.
func TestMetersRangedAgain(t *testing.T) {
	in := streamHousehold(rand.New(rand.NewSource(5)))
	req := Request{From: lt(2023, 3, 1, 0, 0), To: lt(2024, 6, 1, 0, 0), Daily: true, Meters: []string{"flat", "rest", "common", "hours", "other", "main"}}
	want, err := Analyze(in, req)
	if err != nil {
		t.Fatal(err)
	}
	an, _ := New(in, req)
	for range an.Meters() {
		break // after "flat", whose curve "rest" and "common" no longer need
	}
	got := &Result{Meters: []MeterResult{}}
	for m, err := range an.Meters() {
		if err != nil {
			t.Fatal(err)
		}
		got.Meters = append(got.Meters, m)
	}
	if a, b := jsonOf(t, &Result{Meters: got.Meters}), jsonOf(t, &Result{Meters: want.Meters}); a != b {
		t.Fatalf("ranged again:\n%.400s\nfirst time:\n%.400s", a, b)
	}
}
