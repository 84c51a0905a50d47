-- What each import changed, so that it can be undone: per reading the value
-- (and source and import) it replaced, or NULL where the reading was new.
CREATE TABLE import_changes (
    batch_id    INTEGER NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    meter       TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    old_value   REAL,
    old_source  TEXT,
    old_batch   INTEGER,
    PRIMARY KEY (batch_id, meter, ts)
) WITHOUT ROWID;
CREATE INDEX import_changes_reading ON import_changes (meter, ts, batch_id);

ALTER TABLE import_batches ADD COLUMN undone_at INTEGER;

-- A queued point is written, or deleted (an undo or a deleted reading).
ALTER TABLE outbox ADD COLUMN op TEXT NOT NULL DEFAULT 'write';
ALTER TABLE outbox_dead ADD COLUMN op TEXT NOT NULL DEFAULT 'write';

-- How an import came: upload, api, cli, homeassistant, tibber, delete.
ALTER TABLE import_batches ADD COLUMN via TEXT NOT NULL DEFAULT '';
