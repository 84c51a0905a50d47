package store

import (
	"context"
	"database/sql"
	"errors"
)

// Setting reads a remembered value; ok is false when there is none.
func (db *DB) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	defer wrap(&err, "read the setting %s", key)
	err = db.sql.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return value, err == nil, err
}

// SetSetting remembers a value under key.
func (db *DB) SetSetting(ctx context.Context, key, value string) (err error) {
	defer wrap(&err, "save the setting %s", key)
	_, err = db.sql.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
