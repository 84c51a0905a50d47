// Package grafanatest reads the queries out of meterd's Grafana
// dashboards, so that tests can run each of them against a real InfluxDB.
package grafanatest

// Dashboard is the part of a Grafana dashboard's JSON that holds queries.
type Dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		Title      string     `json:"title"`
		Datasource datasource `json:"datasource"`
		Targets    []struct {
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
			out = append(out, Query{Where: p.Title + " " + t.RefID, UID: uid, Query: t.Query})
		}
	}
	for _, a := range d.Annotations.List {
		out = append(out, Query{Where: "annotation " + a.Name, UID: a.Datasource.UID, Query: a.Query})
	}
	for _, v := range d.Templating.List {
		out = append(out, Query{Where: "variable " + v.Name, UID: v.Datasource.UID, Query: v.Query})
	}
	return out
}
