-- Where a Tibber backfill stands (its last page's cursor) and from which
-- hour the next poll must ask again, so downtime and null hours leave no gap.
ALTER TABLE tibber_sync ADD COLUMN backfill_cursor TEXT NOT NULL DEFAULT '';
ALTER TABLE tibber_sync ADD COLUMN backfill_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tibber_sync ADD COLUMN poll_from INTEGER;

CREATE TABLE tibber_prices (
    home_id    TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,
    total      REAL    NOT NULL,
    energy     REAL    NOT NULL,
    tax        REAL    NOT NULL,
    level      TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    PRIMARY KEY (home_id, starts_at)
) WITHOUT ROWID;
