package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meterd/meterd/store"
)

func TestBackupJob(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2025, 11, 4, 2, 30, 0, 0, time.UTC).Unix())
	ta := startAppOpts(t, Options{Now: func() time.Time { return time.Unix(clock.Load(), 0) }},
		"meters:\n  - {id: wasser, utility: water, unit: m³}\n", "METERD_STORAGE_BACKUP_KEEP=2")
	ctx := context.Background()
	dir := filepath.Join(filepath.Dir(ta.cfg.Storage.Path), "backups")
	if ta.cfg.Storage.BackupDir != dir {
		t.Fatalf("backup dir %q; want %q beside the database", ta.cfg.Storage.BackupDir, dir)
	}
	os.MkdirAll(dir, 0o750)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)

	readings := []apiReading{{"2025-11-01T08:00", 100}, {"2025-11-02T08:00", 110}}
	for i := range 3 {
		if code, body := ta.do(t, http.MethodPost, "/api/v1/meters/wasser/readings", readings[:min(i+1, 2)]); code != 200 {
			t.Fatal(code, string(body))
		}
		if _, _, err := ta.Backup(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Add(24 * 3600)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Local times (CET): the two newest stay; a file that is not a backup
	// is left alone; no partial copy remains.
	want := []string{"meterd-20251105-033000.db", "meterd-20251106-033000.db", "notes.txt"}
	if !slices.Equal(names, want) {
		t.Fatalf("backups %v; want %v", names, want)
	}
	b, err := store.Open(ctx, filepath.Join(dir, want[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rs, _ := b.Readings(ctx, "wasser", time.Time{}, time.Time{})
	if len(rs) != 2 || rs[1].Value != 110 {
		t.Errorf("the backup holds %+v", rs)
	}
}
