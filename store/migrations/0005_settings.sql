-- Small facts the daemon must remember across restarts, by name (the end
-- of a Tibber rate-limit pause).
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
) WITHOUT ROWID;
