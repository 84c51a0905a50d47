-- Each meter's readings packed as one blob (instant and value, in time
-- order), so that an analysis reads one row per meter instead of one per
-- reading. It is a cache of the readings table and never the record:
-- every change to a meter's readings deletes its blob in the same
-- transaction (the triggers below), and the next analysis builds it anew.
CREATE TABLE series_cache (
    meter TEXT PRIMARY KEY,
    data  BLOB NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER series_cache_insert AFTER INSERT ON readings BEGIN
    DELETE FROM series_cache WHERE meter = NEW.meter;
END;

CREATE TRIGGER series_cache_update AFTER UPDATE ON readings BEGIN
    DELETE FROM series_cache WHERE meter = OLD.meter OR meter = NEW.meter;
END;

CREATE TRIGGER series_cache_delete AFTER DELETE ON readings BEGIN
    DELETE FROM series_cache WHERE meter = OLD.meter;
END;
