package app

// Validation of the meter model: physical, master and virtual meters.

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/analysis"
)

var (
	validUtilities = []string{"electricity", "gas", "water", "heat", "other"}
	validSources   = []string{"manual", "tibber", "homeassistant", "influx"}
)

func (c *Config) validateMeters(raw []MeterConfig, p *problems) {
	loc := c.Location
	byID := map[string]int{}
	entities := map[string]string{}
	c.Meters = make([]Meter, 0, len(raw))
	for i, rm := range raw {
		key := fmt.Sprintf("meters[%d]", i)
		if rm.ID != "" {
			key = fmt.Sprintf("meters[%d] (%s)", i, rm.ID)
		}
		m := Meter{ConfigPosition: i, Description: rm.Description, MaxPerDay: rm.MaxPerDay}
		if rm.MaxPerDay < 0 {
			p.addf(key+".max_per_day", "must be a positive amount per day (or left out)")
		}
		m.ID = rm.ID
		switch {
		case rm.ID == "":
			p.addf(key+".id", "every meter needs an id of lowercase letters, digits and _")
		case !meterIDPattern.MatchString(rm.ID):
			p.addf(key+".id", "%q may only contain lowercase letters, digits and _", rm.ID)
		default:
			if j, dup := byID[rm.ID]; dup {
				p.addf(key+".id", "%q is already the id of meters[%d]", rm.ID, j)
			}
			byID[rm.ID] = i
		}
		m.Kind = analysis.Kind(rm.Type)
		if rm.Type == "" {
			m.Kind = analysis.Physical
		}
		if !slices.Contains([]analysis.Kind{analysis.Physical, analysis.Master, analysis.Virtual}, m.Kind) {
			p.addf(key+".type", "%q is not one of physical, master, virtual", rm.Type)
		}
		if !slices.Contains(validUtilities, rm.Utility) {
			p.addf(key+".utility", "%q is not one of %s", rm.Utility, strings.Join(validUtilities, ", "))
		}
		m.Utility = analysis.Utility(rm.Utility)
		if u, err := analysis.ParseUnit(rm.Unit); err != nil {
			p.addf(key+".unit", "%v", err)
		} else {
			m.Unit = u
		}
		m.Anomaly = c.anomalySettings(key, rm, p)

		if m.Kind == analysis.Physical {
			c.validatePhysical(key, rm, &m, entities, p)
		} else {
			for name, set := range map[string]bool{
				"reading": rm.Reading != "", "source": rm.Source != "", "removed": rm.Removed != "",
				"interval": rm.Interval != "", "resets": len(rm.Resets) > 0,
				"seasonal_pattern": rm.SeasonalPattern != nil, "homeassistant": rm.HomeAssistant != nil,
				"influx": rm.Influx != nil,
			} {
				if set {
					p.addf(key+"."+name, "only physical meters have %s", name)
				}
			}
		}
		if m.Kind != analysis.Master && len(rm.Periods) > 0 {
			p.addf(key+".periods", "only master meters have periods")
		}
		if m.Kind != analysis.Virtual && (rm.Base != "" || len(rm.Subtract) > 0) {
			p.addf(key+".base", "only virtual meters have base and subtract")
		}
		if m.Kind == analysis.Master {
			for j, per := range rm.Periods {
				from, err := ParseLocalTime(per.From, loc, false)
				if err != nil {
					p.addf(fmt.Sprintf("%s.periods[%d].from", key, j), "%v", err)
				}
				m.Periods = append(m.Periods, analysis.Period{From: from, Meters: per.Meters})
			}
		}
		if m.Kind == analysis.Virtual {
			m.Base = rm.Base
			m.Subtract = rm.Subtract
		}
		c.Meters = append(c.Meters, m)
	}
	tibberMeters := 0
	for i, m := range c.Meters {
		if m.Kind == analysis.Physical && m.Source == SourceTibber {
			tibberMeters++
			if tibberMeters == 2 {
				p.addf(fmt.Sprintf("meters[%d] (%s).source", i, m.ID), "only one meter can take Tibber's hourly consumption")
			}
		}
	}
	// References need every meter known first.
	for i := range c.Meters {
		m := &c.Meters[i]
		key := fmt.Sprintf("meters[%d] (%s)", i, m.ID)
		switch m.Kind {
		case analysis.Master:
			c.validateMaster(key, m, byID, p)
		case analysis.Virtual:
			c.validateVirtual(key, m, byID, p)
		}
	}
	c.checkCycles(byID, p)
}

func (c *Config) validatePhysical(key string, rm MeterConfig, m *Meter, entities map[string]string, p *problems) {
	loc := c.Location
	m.Reading = analysis.ReadingKind(rm.Reading)
	if rm.Reading == "" {
		m.Reading = analysis.Cumulative
	}
	if m.Reading != analysis.Cumulative && m.Reading != analysis.Interval {
		p.addf(key+".reading", "%q is not one of cumulative, interval", rm.Reading)
	}
	m.Source = Source(rm.Source)
	if rm.Source == "" {
		m.Source = SourceManual
	}
	if !slices.Contains(validSources, string(m.Source)) {
		p.addf(key+".source", "%q is not one of %s", rm.Source, strings.Join(validSources, ", "))
	}
	if m.Reading == analysis.Interval {
		m.Interval = time.Hour
		if rm.Interval != "" {
			d, err := time.ParseDuration(rm.Interval)
			if err != nil || d < time.Minute || (24*time.Hour)%d != 0 && d%(24*time.Hour) != 0 {
				p.addf(key+".interval", "%q is not a duration that divides a day, e.g. 15m or 1h", rm.Interval)
			} else {
				m.Interval = d
			}
		}
		if len(rm.Resets) > 0 {
			p.addf(key+".resets", "an interval meter has no counter to reset; remove resets")
		}
	} else if rm.Interval != "" {
		p.addf(key+".interval", "only interval meters (reading: interval) have an interval")
	}
	if m.Source == SourceTibber && m.Reading != analysis.Interval {
		p.addf(key+".reading", "a Tibber meter gets hourly consumption: set reading: interval")
	}
	if rm.Removed != "" {
		t, err := ParseLocalTime(rm.Removed, loc, true)
		if err != nil {
			p.addf(key+".removed", "%v", err)
		}
		m.Removed = t
	}
	for j, r := range rm.Resets {
		t, err := ParseLocalTime(r, loc, false)
		if err != nil {
			p.addf(fmt.Sprintf("%s.resets[%d]", key, j), "%v", err)
			continue
		}
		m.Resets = append(m.Resets, t)
	}
	sort.Slice(m.Resets, func(a, b int) bool { return m.Resets[a].Before(m.Resets[b]) })
	if rm.SeasonalPattern != nil {
		ok := len(rm.SeasonalPattern) == 12
		for _, v := range rm.SeasonalPattern {
			ok = ok && v >= 0
		}
		// The sum is judged on the decimals as written: a float sum of
		// 8.9 + 9.8 + … is 105.00000000000001 where the values make 105.
		sum := decimalSum(rm.SeasonalPattern)
		if !ok || sum.Cmp(big.NewRat(95, 1)) < 0 || sum.Cmp(big.NewRat(105, 1)) > 0 {
			f, _ := sum.Float64()
			p.addf(key+".seasonal_pattern", "needs 12 monthly percentages, each ≥ 0, summing to 100 ± 5 (got %d values summing to %g)", len(rm.SeasonalPattern), f)
		}
		if m.Reading == analysis.Interval {
			p.addf(key+".seasonal_pattern", "only cumulative meters are interpolated")
		}
		m.SeasonalPattern = rm.SeasonalPattern
	}
	if m.Source == SourceHomeAssistant {
		if rm.HomeAssistant == nil || rm.HomeAssistant.EntityID == "" {
			p.addf(key+".homeassistant.entity_id", "a meter with source homeassistant needs the entity it is pushed as, e.g. sensor.gaszaehler")
		} else {
			m.HAEntityID = rm.HomeAssistant.EntityID
			if other, dup := entities[m.HAEntityID]; dup {
				p.addf(key+".homeassistant.entity_id", "%q is already mapped to meter %s", m.HAEntityID, other)
			}
			entities[m.HAEntityID] = m.ID
		}
	} else if rm.HomeAssistant != nil {
		p.addf(key+".homeassistant", "only meters with source: homeassistant are pushed by Home Assistant")
	}
	if m.Source == SourceInflux {
		switch {
		case rm.Influx == nil || rm.Influx.Measurement == "" || rm.Influx.EntityID == "":
			p.addf(key+".influx", "a meter with source influx needs measurement and entity_id (Home Assistant writes measurement = unit, entity_id without the sensor. prefix)")
		default:
			m.InfluxSource = *rm.Influx
			if m.InfluxSource.Field == "" {
				m.InfluxSource.Field = "value"
			}
		}
		if c.Influx.URL == "" {
			p.addf(key+".source", "source influx needs influx.url")
		}
	} else if rm.Influx != nil {
		p.addf(key+".influx", "only meters with source: influx are read from InfluxDB")
	}
}

func (c *Config) anomalySettings(key string, rm MeterConfig, p *problems) AnomalySettings {
	a := AnomalySettings{SpikeFactor: 2.0, NegativeTolerance: 0.1, YearOverYearFactor: 1.5, Disabled: map[string]bool{}}
	switch Source(rm.Source) {
	case SourceTibber, SourceHomeAssistant, SourceInflux:
		a.MaxSilence = 48 * time.Hour
	}
	if rm.Anomaly == nil {
		return a
	}
	cfg := rm.Anomaly
	if cfg.SpikeFactor != nil {
		if *cfg.SpikeFactor <= 1 {
			p.addf(key+".anomaly.spike_factor", "must be greater than 1")
		}
		a.SpikeFactor = *cfg.SpikeFactor
	}
	if cfg.MaxSilence != nil {
		d, err := time.ParseDuration(*cfg.MaxSilence)
		if err != nil || d < 0 {
			p.addf(key+".anomaly.max_silence", "%q is not a duration such as 48h (0 switches the rule off)", *cfg.MaxSilence)
		}
		a.MaxSilence = d
	}
	if cfg.NegativeTolerance != nil {
		if *cfg.NegativeTolerance < 0 {
			p.addf(key+".anomaly.negative_tolerance", "must not be negative (0.1 means 10 %%)")
		}
		a.NegativeTolerance = *cfg.NegativeTolerance
	}
	if cfg.YearOverYear != nil {
		if *cfg.YearOverYear <= 1 {
			p.addf(key+".anomaly.year_over_year_factor", "must be greater than 1")
		}
		a.YearOverYearFactor = *cfg.YearOverYear
	}
	for j, r := range cfg.Disabled {
		if !slices.Contains(analysis.Rules, r) {
			p.addf(fmt.Sprintf("%s.anomaly.disabled[%d]", key, j), "%q is not a rule (%s)", r, strings.Join(analysis.Rules, ", "))
		}
		a.Disabled[r] = true
	}
	return a
}

func (c *Config) validateMaster(key string, m *Meter, byID map[string]int, p *problems) {
	if len(m.Periods) == 0 {
		p.addf(key+".periods", "a master meter needs at least one period {from, meters}")
	}
	for j, per := range m.Periods {
		pk := fmt.Sprintf("%s.periods[%d]", key, j)
		if j > 0 && !per.From.IsZero() && !m.Periods[j-1].From.IsZero() && !per.From.After(m.Periods[j-1].From) {
			p.addf(pk+".from", "periods must be in time order: %s is not after the previous period's start", per.From.In(c.Location).Format("2006-01-02T15:04"))
		}
		if len(per.Meters) == 0 {
			p.addf(pk+".meters", "a period needs at least one physical meter")
		}
		seen := map[string]bool{}
		for _, id := range per.Meters {
			if seen[id] {
				p.addf(pk+".meters", "%q is listed twice", id)
			}
			seen[id] = true
			idx, ok := byID[id]
			if !ok {
				p.addf(pk+".meters", "unknown meter %q", id)
				continue
			}
			src := c.Meters[idx]
			if src.Kind != analysis.Physical || src.Reading != analysis.Cumulative {
				p.addf(pk+".meters", "%q must be a physical cumulative meter (a master meter joins counters)", id)
				continue
			}
			if src.Utility != m.Utility {
				p.addf(pk+".meters", "%q measures %s, the master meter %s", id, src.Utility, m.Utility)
			}
			if _, ok := analysis.ConstantFactor(src.Unit, m.Unit); !ok && src.Unit != "" && m.Unit != "" {
				p.addf(pk+".meters", "%q counts %s, which does not convert to %s by a constant factor (a gas m³↔kWh factor would make the counter jump)", id, src.Unit, m.Unit)
			}
		}
	}
}

func (c *Config) validateVirtual(key string, m *Meter, byID map[string]int, p *problems) {
	check := func(field, id string) {
		idx, ok := byID[id]
		if !ok {
			p.addf(key+"."+field, "unknown meter %q", id)
			return
		}
		o := c.Meters[idx]
		if o.ID == m.ID {
			p.addf(key+"."+field, "a virtual meter cannot use itself")
			return
		}
		if o.Utility != m.Utility {
			p.addf(key+"."+field, "%q measures %s, the virtual meter %s", id, o.Utility, m.Utility)
		}
		if o.Unit != "" && m.Unit != "" && !analysis.Convertible(o.Unit, m.Unit, m.Utility) {
			p.addf(key+"."+field, "%q counts %s, which does not convert to %s", id, o.Unit, m.Unit)
		}
	}
	if m.Base == "" {
		p.addf(key+".base", "a virtual meter needs a base meter")
	} else {
		check("base", m.Base)
	}
	if len(m.Subtract) == 0 {
		p.addf(key+".subtract", "a virtual meter needs at least one meter to subtract")
	}
	for j, id := range m.Subtract {
		check(fmt.Sprintf("subtract[%d]", j), id)
	}
}

// checkCycles reports virtual meters that depend on themselves through other
// virtual meters, naming the cycle.
func (c *Config) checkCycles(byID map[string]int, p *problems) {
	const (
		unvisited = iota
		active
		done
	)
	state := make([]int, len(c.Meters))
	var stack []string
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		m := c.Meters[i]
		state[i] = active
		stack = append(stack, m.ID)
		for _, dep := range append([]string{m.Base}, m.Subtract...) {
			j, ok := byID[dep]
			// A meter naming itself is reported where it is named.
			if !ok || dep == m.ID || c.Meters[j].Kind != analysis.Virtual {
				continue
			}
			switch state[j] {
			case active:
				start := slices.Index(stack, dep)
				cycle := append(append([]string(nil), stack[start:]...), dep)
				if !reported[dep] {
					reported[dep] = true
					p.addf(fmt.Sprintf("meters[%d] (%s)", j, dep), "virtual meters form a cycle: %s", strings.Join(cycle, " → "))
				}
			case unvisited:
				visit(j)
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
	}
	for i, m := range c.Meters {
		if m.Kind == analysis.Virtual && state[i] == unvisited {
			visit(i)
		}
	}
}

// decimalSum adds numbers as the decimals they were written as (each float's
// shortest representation), exactly.
func decimalSum(vs []float64) *big.Rat {
	sum := new(big.Rat)
	for _, v := range vs {
		r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'f', -1, 64))
		if ok {
			sum.Add(sum, r)
		}
	}
	return sum
}
