-- Points InfluxDB refused for good (a 4xx that retrying cannot fix: an
-- unparsable value, a time outside its range). They are set aside with
-- InfluxDB's reason so that the points behind them are delivered.
CREATE TABLE outbox_dead (
    id          INTEGER PRIMARY KEY,
    bucket      TEXT    NOT NULL,
    line        TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    dead_at     INTEGER NOT NULL
);
