package app

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/meterd/meterd/api"
)

func TestLoggerRedactsSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelInfo, []string{"tibber-3A77EECF", "user:pa55"})
	log.Info("calling with tibber-3A77EECF in the message",
		"url", "http://user:pa55@influx:8086",
		"error", errors.New(`401: token "tibber-3A77EECF" rejected`),
		"secret", NewSecret("tibber-3A77EECF"),
		slog.Group("g", "inner", "x tibber-3A77EECF y"))
	out := buf.String()
	for _, s := range []string{"tibber-3A77EECF", "pa55"} {
		if strings.Contains(out, s) {
			t.Errorf("log shows %q: %s", s, out)
		}
	}
	if strings.Count(out, "[redacted]") != 5 {
		t.Errorf("want 5 redactions (msg, url, error, secret, group attr): %s", out)
	}
}

// TestTextLoggerIsForPeople: a command's log line is one plain line a
// person reads ("warning: …"), not JSON, and hides secrets as the JSON
// logger does.
func TestTextLoggerIsForPeople(t *testing.T) {
	var buf bytes.Buffer
	log := NewTextLogger(&buf, slog.LevelWarn, []string{"tibber-3A77EECF"}).With("meter", "strom")
	log.Info("not shown below the level")
	log.Warn("anomaly", "rule", "decrease", "error", errors.New(`token "tibber-3A77EECF" rejected`))
	log.Error("cannot record the run")
	want := "warning: anomaly (meter=strom, rule=decrease, error=token \"[redacted]\" rejected)\nerror: cannot record the run (meter=strom)\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}

func TestInfluxDownAtStartDegradesNotFails(t *testing.T) {
	// A port nobody listens on: InfluxDB is "down" from the start.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	ta := startApp(t, "influx:\n  url: http://"+addr+"\n  flush_interval: 1s\nmeters:\n  - {id: gas, utility: gas, unit: m³}\n")
	eventually(t, 15*time.Second, "degraded health", func() bool { return ta.health(t).Status == api.StatusDegraded })
	h := ta.health(t)
	if !strings.Contains(h.Checks["influxdb"].Message, "InfluxDB") {
		t.Errorf("influxdb check %+v; want a reason", h.Checks["influxdb"])
	}
	code, body := ta.do(t, "POST", "/api/v1/meters/gas/readings", apiReading{"2025-01-01T00:00", 1})
	if code != 200 {
		t.Fatalf("readings while InfluxDB is down: %d %s", code, body)
	}
	if v := ta.metric(t, "meterd_outbox_points"); v != "1" {
		t.Errorf("outbox %q; want 1 queued point", v)
	}
}
