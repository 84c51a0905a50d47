-- Every import (file, API request, Home Assistant push) is a batch, so a
-- reading can be traced to where it came from.
CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    meter       TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    file_name   TEXT    NOT NULL DEFAULT '',
    sha256      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    parsed      INTEGER NOT NULL DEFAULT 0,
    written     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0
);

-- Instants are whole UTC seconds since the epoch: never local wall-clock
-- text, which repeats on the autumn DST night.
CREATE TABLE readings (
    meter       TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    value       REAL    NOT NULL,
    source      TEXT    NOT NULL,
    batch_id    INTEGER REFERENCES import_batches(id),
    written_at  INTEGER NOT NULL,
    PRIMARY KEY (meter, ts)
) WITHOUT ROWID;

CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    error       TEXT    NOT NULL DEFAULT '',
    details     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX job_runs_job ON job_runs (job, id);

CREATE TABLE anomalies (
    id          INTEGER PRIMARY KEY,
    meter       TEXT    NOT NULL,
    rule        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'resolved')),
    start_ts    INTEGER NOT NULL,
    end_ts      INTEGER,
    observed    REAL,
    expected    REAL,
    message     TEXT    NOT NULL,
    opened_at   INTEGER NOT NULL,
    resolved_at INTEGER
);
-- One open anomaly per meter and rule: an episode.
CREATE UNIQUE INDEX anomalies_one_open ON anomalies (meter, rule) WHERE status = 'open';

CREATE TABLE annotations (
    id          INTEGER PRIMARY KEY,
    meter       TEXT    NOT NULL DEFAULT '',
    start_ts    INTEGER NOT NULL,
    end_ts      INTEGER,
    text        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE monthly_reports (
    month       TEXT    NOT NULL,
    meter       TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (month, meter)
);

-- Tibber's hourly figures beside the reading itself (consumption is also a
-- reading of the meter).
CREATE TABLE tibber_hours (
    meter          TEXT    NOT NULL,
    ts             INTEGER NOT NULL,
    consumption    REAL,
    cost           REAL,
    unit_price     REAL,
    unit_price_vat REAL,
    currency       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (meter, ts)
) WITHOUT ROWID;

-- Where the Tibber backfill stands, so an interrupted one resumes.
CREATE TABLE tibber_sync (
    home_id        TEXT    PRIMARY KEY,
    backfill_since INTEGER,
    backfill_until INTEGER,
    last_poll      INTEGER
);

-- Points not yet delivered to InfluxDB, written in the same transaction as
-- the data they carry and deleted only after InfluxDB answered 2xx.
-- bucket is the logical name (raw or processed), so renaming a bucket in the
-- configuration still delivers what is queued.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    bucket      TEXT    NOT NULL CHECK (bucket IN ('raw', 'processed')),
    line        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
