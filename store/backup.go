package store

import (
	"context"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path with VACUUM
// INTO, which reads one snapshot while writers go on (WAL). The copy is
// made under a temporary name and renamed when whole, so path is either
// a complete database or absent, never half a backup.
func (db *DB) Backup(ctx context.Context, path string) (_ int64, err error) {
	defer wrap(&err, "back up the database to %s", path)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".partial")
	os.Remove(tmp) // a crashed earlier attempt; VACUUM INTO refuses to overwrite
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	st, err := os.Stat(tmp)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return st.Size(), nil
}
