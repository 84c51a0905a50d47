// Package grafanatest reads the queries out of meterd's Grafana
// dashboards, so that tests can run each of them against a real InfluxDB.
package grafanatest

// Dashboard is the part of a Grafana dashboard's JSON that holds queries.
type Dashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	// Time is the dashboard's default range (from: now-1y).
	Time struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Panels []struct {
		ID         int        `json:"id"`
		Type       string     `json:"type"`
		Title      string     `json:"title"`
		Datasource datasource `json:"datasource"`
		// TimeFrom is the panel's own relative time (now/M: this month).
		TimeFrom string `json:"timeFrom"`
		Targets  []struct {
			RefID      string     `json:"refId"`
			Query      string     `json:"query"`
			Datasource datasource `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
	Annotations struct {
		List []struct {
			Name       string     `json:"name"`
			Query      string     `json:"query"`
			Datasource datasource `json:"datasource"`
			// BuiltIn is Grafana's own annotation list, which has no query.
			BuiltIn int `json:"builtIn"`
		} `json:"list"`
	} `json:"annotations"`
	Templating struct {
		List []struct {
			Name       string     `json:"name"`
			Query      string     `json:"query"`
			Datasource datasource `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type datasource struct {
	UID string `json:"uid"`
}

// Query is one InfluxQL query of a dashboard and the data source it reads.
type Query struct {
	Where string // panel and target, annotation or variable
	UID   string
	Query string
	// TimeFrom is the panel's relative time, empty for the dashboard's.
	TimeFrom string
}

// Queries lists every query of the dashboard: panel targets, annotations
// and template variables.
func (d Dashboard) Queries() []Query {
	var out []Query
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			uid := t.Datasource.UID
			if uid == "" {
				uid = p.Datasource.UID
			}
			out = append(out, Query{Where: p.Title + " " + t.RefID, UID: uid, Query: t.Query, TimeFrom: p.TimeFrom})
		}
	}
	for _, a := range d.Annotations.List {
		if a.BuiltIn != 0 {
			continue
		}
		out = append(out, Query{Where: "annotation " + a.Name, UID: a.Datasource.UID, Query: a.Query})
	}
	for _, v := range d.Templating.List {
		out = append(out, Query{Where: "variable " + v.Name, UID: v.Datasource.UID, Query: v.Query})
	}
	return out
}
