-- Which periods (days for spike, months for year_over_year) a rule has
-- judged for a meter: each is judged once, also when it becomes complete
-- late (a file of last month's readings, a daemon that was down).
CREATE TABLE judged (
    meter       TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    judged_at   INTEGER NOT NULL,
    PRIMARY KEY (meter, rule, period)
) WITHOUT ROWID;

-- An episode found already over sends one alert, "opened_resolved".
CREATE TABLE alerts_new (
    id          INTEGER PRIMARY KEY,
    anomaly_id  INTEGER NOT NULL REFERENCES anomalies (id) ON DELETE CASCADE,
    event       TEXT    NOT NULL CHECK (event IN ('opened', 'resolved', 'opened_resolved')),
    target      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
INSERT INTO alerts_new SELECT id, anomaly_id, event, target, created_at, attempts, last_error FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
