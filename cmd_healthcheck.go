package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/meterd/meterd/api"
)

// healthcheck asks a running daemon's /health and exits 0 only on ok.
func (c *cli) healthcheck(args []string) error {
	fs := c.flags("healthcheck")
	url := fs.String("url", "", "the /health URL (default: from http.listen)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *url == "" {
		cfg, err := c.loadConfig()
		if err != nil {
			return err
		}
		host, port, _ := net.SplitHostPort(cfg.HTTP.Listen)
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		*url = "http://" + net.JoinHostPort(host, port) + "/health"
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		return fmt.Errorf("healthcheck: %v", err)
	}
	defer resp.Body.Close()
	var h api.HealthReport
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&h); err != nil {
		return fmt.Errorf("healthcheck: %s answered %s, not meterd's health JSON", *url, resp.Status)
	}
	if h.Status != api.StatusOK {
		var why []string
		for name, ch := range h.Checks {
			if ch.Status != api.StatusOK {
				why = append(why, name+": "+ch.Message)
			}
		}
		return fmt.Errorf("healthcheck: status %s (%s)", h.Status, strings.Join(sortStrings(why), "; "))
	}
	fmt.Fprintln(c.stdout, "ok")
	return nil
}
