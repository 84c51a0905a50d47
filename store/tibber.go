package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// TibberState is the sync progress of one home.
type TibberState struct {
	HomeID         string
	BackfillSince  time.Time // the date the current backfill reaches back to
	BackfillCursor string    // the cursor of the oldest page fetched so far
	BackfillDone   bool
	PollFrom       time.Time // the oldest hour the next poll must ask for
	LastPoll       time.Time
}

// TibberState loads a home's progress; a home never synced has zero
// values.
func (db *DB) TibberState(ctx context.Context, home string) (_ TibberState, err error) {
	defer wrap(&err, "read the Tibber state of home %s", home)
	s := TibberState{HomeID: home}
	var since, pollFrom, last sql.NullInt64
	var done int
	err = db.sql.QueryRowContext(ctx, `SELECT backfill_since, backfill_cursor, backfill_done, poll_from, last_poll FROM tibber_sync WHERE home_id = ?`, home).
		Scan(&since, &s.BackfillCursor, &done, &pollFrom, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.BackfillDone = done == 1
	if since.Valid {
		s.BackfillSince = fromUnix(since.Int64)
	}
	if pollFrom.Valid {
		s.PollFrom = fromUnix(pollFrom.Int64)
	}
	if last.Valid {
		s.LastPoll = fromUnix(last.Int64)
	}
	return s, nil
}

// SaveTibberState stores a home's progress.
func (db *DB) SaveTibberState(ctx context.Context, s TibberState) (err error) {
	defer wrap(&err, "save the Tibber state")
	null := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Unix()
	}
	done := 0
	if s.BackfillDone {
		done = 1
	}
	_, err = db.sql.ExecContext(ctx, `INSERT INTO tibber_sync (home_id, backfill_since, backfill_cursor, backfill_done, poll_from, last_poll) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (home_id) DO UPDATE SET backfill_since = excluded.backfill_since, backfill_cursor = excluded.backfill_cursor,
		backfill_done = excluded.backfill_done, poll_from = excluded.poll_from, last_poll = excluded.last_poll`,
		s.HomeID, null(s.BackfillSince), s.BackfillCursor, done, null(s.PollFrom), null(s.LastPoll))
	return err
}

// TibberHour is one hour of Tibber consumption with its cost.
type TibberHour struct {
	Time         time.Time
	Consumption  float64
	Cost         *float64
	UnitPrice    *float64
	UnitPriceVAT *float64
	Currency     string
}

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// WriteTibberHours stores hours as readings of meter (the hour's kWh at its
// start) with cost and prices beside them, in one transaction; an hour
// whose figures are unchanged is left alone, a changed one overwritten.
// New and changed hours are queued for InfluxDB as tibber_consumption.
func (db *DB) WriteTibberHours(ctx context.Context, meter, homeID string, hours []TibberHour, outbox bool) (written, updated int, err error) {
	defer wrap(&err, "save Tibber hours of %s", meter)
	now := db.Now().Unix()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		written, updated = 0, 0
		// The poll is an import like any other, recorded (with what it
		// replaced) only when it changed something.
		var batch sql.NullInt64
		change := func(ts int64) error {
			if !batch.Valid {
				r, err := tx.ExecContext(ctx, `INSERT INTO import_batches (meter, source, via, created_at) VALUES (?, 'tibber', 'tibber', ?)`, meter, now)
				if err != nil {
					return err
				}
				id, err := r.LastInsertId()
				if err != nil {
					return err
				}
				batch = sql.NullInt64{Int64: id, Valid: true}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO import_changes (batch_id, meter, ts, old_value, old_source, old_batch)
				SELECT ?, ?, ?, r.value, r.source, r.batch_id FROM (SELECT 1) LEFT JOIN readings r ON r.meter = ? AND r.ts = ?`, batch.Int64, meter, ts, meter, ts)
			return err
		}
		for _, h := range hours {
			ts := h.Time.Unix()
			var old TibberHour
			var oldCons sql.NullFloat64
			err := tx.QueryRowContext(ctx, `SELECT consumption, cost, unit_price, unit_price_vat FROM tibber_hours WHERE meter = ? AND ts = ?`, meter, ts).
				Scan(&oldCons, &old.Cost, &old.UnitPrice, &old.UnitPriceVAT)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				written++
			case err != nil:
				return err
			case oldCons.Valid && oldCons.Float64 == h.Consumption && eqPtr(old.Cost, h.Cost) && eqPtr(old.UnitPrice, h.UnitPrice) && eqPtr(old.UnitPriceVAT, h.UnitPriceVAT):
				continue
			default:
				updated++
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO tibber_hours (meter, ts, consumption, cost, unit_price, unit_price_vat, currency) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (meter, ts) DO UPDATE SET consumption = excluded.consumption, cost = excluded.cost, unit_price = excluded.unit_price,
				unit_price_vat = excluded.unit_price_vat, currency = excluded.currency`,
				meter, ts, h.Consumption, h.Cost, h.UnitPrice, h.UnitPriceVAT, h.Currency); err != nil {
				return err
			}
			if err := change(ts); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO readings (meter, ts, value, source, batch_id, written_at) VALUES (?, ?, ?, 'tibber', ?, ?)
				ON CONFLICT (meter, ts) DO UPDATE SET value = excluded.value, source = excluded.source, batch_id = excluded.batch_id, written_at = excluded.written_at`,
				meter, ts, h.Consumption, batch, now); err != nil {
				return err
			}
			if err := dropSeries(ctx, tx, meter); err != nil {
				return err
			}
			if outbox {
				if err := enqueue(ctx, tx, BucketRaw, []string{tibberConsumptionLine(meter, homeID, h)}, now); err != nil {
					return err
				}
			}
		}
		if batch.Valid {
			if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET parsed = ?, written = ?, updated = ? WHERE id = ?`, len(hours), written, updated, batch.Int64); err != nil {
				return err
			}
		}
		return nil
	})
	return written, updated, err
}

// TibberPrice is one published price.
type TibberPrice struct {
	StartsAt           time.Time
	Total, Energy, Tax float64
	Level, Currency    string
}

// WriteTibberPrices stores prices, queuing new or changed ones for InfluxDB
// as tibber_price; it returns how many changed.
func (db *DB) WriteTibberPrices(ctx context.Context, homeID string, prices []TibberPrice, outbox bool) (changed int, err error) {
	defer wrap(&err, "save Tibber prices")
	now := db.Now().Unix()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		changed = 0
		for _, p := range prices {
			var old TibberPrice
			err := tx.QueryRowContext(ctx, `SELECT total, energy, tax, level FROM tibber_prices WHERE home_id = ? AND starts_at = ?`, homeID, p.StartsAt.Unix()).
				Scan(&old.Total, &old.Energy, &old.Tax, &old.Level)
			if err == nil && old.Total == p.Total && old.Energy == p.Energy && old.Tax == p.Tax && old.Level == p.Level {
				continue
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			changed++
			if _, err := tx.ExecContext(ctx, `INSERT INTO tibber_prices (home_id, starts_at, total, energy, tax, level, currency) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (home_id, starts_at) DO UPDATE SET total = excluded.total, energy = excluded.energy, tax = excluded.tax, level = excluded.level, currency = excluded.currency`,
				homeID, p.StartsAt.Unix(), p.Total, p.Energy, p.Tax, p.Level, p.Currency); err != nil {
				return err
			}
			if outbox {
				if err := enqueue(ctx, tx, BucketRaw, []string{tibberPriceLine(homeID, p)}, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return changed, err
}

// TibberCost is one hour's cost as Tibber billed it.
type TibberCost struct {
	Time     time.Time
	Cost     float64
	Currency string
}

// TibberCosts lists the hours of meter in [from, to) that have a cost,
// oldest first.
func (db *DB) TibberCosts(ctx context.Context, meter string, from, to time.Time) (_ []TibberCost, err error) {
	defer wrap(&err, "read the Tibber costs of %s", meter)
	rows, err := db.sql.QueryContext(ctx, `SELECT ts, cost, currency FROM tibber_hours
		WHERE meter = ? AND ts >= ? AND ts < ? AND cost IS NOT NULL ORDER BY ts`, meter, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TibberCost
	for rows.Next() {
		var c TibberCost
		var ts int64
		if err := rows.Scan(&ts, &c.Cost, &c.Currency); err != nil {
			return nil, err
		}
		c.Time = fromUnix(ts)
		out = append(out, c)
	}
	return out, rows.Err()
}
