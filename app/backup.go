package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// backupPrefix and the timestamp layout make names that sort by age.
const (
	backupPrefix = "meterd-"
	backupLayout = "20060102-150405"
)

// Backup copies the database (a consistent snapshot, taken while meterd
// runs) to storage.backup_dir as meterd-YYYYMMDD-HHMMSS.db and deletes the
// oldest copies beyond storage.backup_keep.
func (a *App) Backup(ctx context.Context) (any, bool, error) {
	dir := a.cfg.Storage.BackupDir
	name := backupPrefix + a.now().In(a.cfg.Location).Format(backupLayout) + ".db"
	path := filepath.Join(dir, name)
	size, err := a.db.Backup(ctx, path)
	if err != nil {
		return nil, true, err
	}
	removed, err := pruneBackups(dir, a.cfg.Storage.BackupKeep)
	return map[string]any{"file": path, "bytes": size, "removed": removed}, true, err
}

// pruneBackups keeps the newest keep backups in dir; other files are not
// meterd's to delete.
func pruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var backups []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, ".db") &&
			len(n) == len(backupPrefix)+len(backupLayout)+len(".db") {
			backups = append(backups, n)
		}
	}
	slices.Sort(backups)
	var removed []string
	for len(backups) > keep {
		if err := os.Remove(filepath.Join(dir, backups[0])); err != nil {
			return removed, fmt.Errorf("remove an old backup: %w", err)
		}
		removed = append(removed, backups[0])
		backups = backups[1:]
	}
	return removed, nil
}
