package ingest

// Reading the dates, times and numbers people and spreadsheet programs
// write.

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/meterd/meterd/msg"
)

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
		return wall{}, time.Time{}, msg.Err("date.invalid", Quoted(s))
	}
	if !validDate(y, m, d) {
		return wall{}, time.Time{}, msg.Err("date.not_in_calendar", Quoted(s))
	}
	w = wall{year: y, month: time.Month(m), day: d}
	if timePart != "" {
		h, mi, sec, err := ParseTimeText(timePart)
		if err != nil {
			return wall{}, time.Time{}, msg.Err("date.bad_time", Quoted(s), err)
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
		return 0, 0, 0, msg.Err("time.invalid", Quoted(s))
	}
	h, m, sec = fields[0], fields[1], fields[2]
	if m > 59 || sec > 59 || h > 24 || (h == 24 && (m > 0 || sec > 0)) {
		return 0, 0, 0, msg.Err("time.not_of_day", Quoted(s))
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
		return wall{}, msg.Err("date.bad_serial", formatNum(serial))
	}
	secs := int64(math.Round(serial * 86400))
	days, rem := secs/86400, secs%86400
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 60:
		return wall{}, msg.Err("date.lotus_day")
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
		return 0, 0, 0, msg.Err("time.not_of_day", formatNum(x))
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
		return 0, msg.Err("value.empty")
	}
	if commaDecimal {
		if !commaNumber.MatchString(t) {
			return 0, msg.Err("number.invalid_comma", Quoted(s))
		}
		t = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
	} else if !dotNumber.MatchString(t) {
		return 0, msg.Err("number.invalid_dot", Quoted(s))
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, msg.Err("number.invalid", Quoted(s))
	}
	return v, nil
}
