-- Alerts waiting to go out: one row per anomaly event and webhook, written
-- in the transaction that opens or resolves the anomaly, deleted once the
-- webhook accepted it. A webhook that is down delays an alert, never
-- loses it or sends it twice to the others.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    anomaly_id  INTEGER NOT NULL REFERENCES anomalies (id) ON DELETE CASCADE,
    event       TEXT    NOT NULL CHECK (event IN ('opened', 'resolved')),
    target      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
