-- An import writes each new reading once into readings and once into
-- import_changes; with an index on import_changes and a trigger per
-- inserted row it touched four B-trees a reading. Both go:
--
-- * Which later import changed one of an import's readings (what refuses
--   an undo) is read from the readings themselves: the one whose batch_id
--   a reading now carries, or a later deletion of it (store/undo.go).
-- * The packed series is dropped by the writer, once per meter and write,
--   where a row was inserted; updates and deletes keep their triggers.
DROP INDEX import_changes_reading;
DROP TRIGGER series_cache_insert;
