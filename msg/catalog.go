package msg

// entry is one message in every language. The formats take the message's
// arguments in order; a language that needs another order names them
// (%[2]s).
type entry struct{ en, de string }

// catalog holds every message meterd shows a person, by id. Ids are
// stable: scripts see them as the "code" of a rejected row or warning.
var catalog = map[string]entry{
	"alert.body_opened_resolved": {
		en: "found already over: %s",
		de: "schon vorbei, als erkannt: %s",
	},
	"alert.body_resolved": {
		en: "resolved: %s",
		de: "behoben: %s",
	},
	"alert.event_opened": {
		en: "opened",
		de: "neu",
	},
	"alert.event_opened_resolved": {
		en: "(found already over)",
		de: "(schon vorbei, als erkannt)",
	},
	"alert.event_resolved": {
		en: "resolved",
		de: "behoben",
	},
	"alert.title": {
		en: "meterd: %s %s %s",
		de: "meterd: %s %s %s",
	},

	"analysis.at_replacement": {
		en: "meter replacement",
		de: "Zählertausch",
	},
	"analysis.at_reset": {
		en: "reset",
		de: "Reset",
	},
	"analysis.excluded": {
		en: "%sreading %s at %s is excluded from analysis: %s",
		de: "%sder Stand %s am %s ist von der Auswertung ausgenommen: %s",
	},
	"analysis.excluded_decrease": {
		en: "%sreading %s at %s is excluded from analysis: %s; if the meter was replaced, declare a reset or a master meter period",
		de: "%sder Stand %s am %s ist von der Auswertung ausgenommen: %s; wurde der Zähler getauscht, tragen Sie einen Reset oder einen Zeitraum eines Master-Zählers ein",
	},
	"analysis.gap": {
		en: "consumption between %s and %s is not counted (%s at %s): %s have no readings closer to it",
		de: "der Verbrauch zwischen %s und %s wird nicht gezählt (%s am %s): %s haben keine näheren Stände",
	},
	"analysis.unjoined": {
		en: "the counter could not be joined at %s (%s): the meters before or after have no value there, so the counter's value is unknown from then on; consumption after it is still counted",
		de: "das Zählwerk ließ sich am %s nicht anschließen (%s): die Zähler davor oder danach haben dort keinen Wert, ab dann ist der Stand unbekannt; der Verbrauch danach wird weiter gezählt",
	},
	"analysis.why_above": {
		en: "above the next reading %s (%s)",
		de: "über dem nächsten Stand %s (%s)",
	},
	"analysis.why_below": {
		en: "below the previous reading %s (%s)",
		de: "unter dem vorigen Stand %s (%s)",
	},
	"analysis.why_out_of_line": {
		en: "out of line with the counter's other readings",
		de: "passt nicht zu den übrigen Ständen des Zählwerks",
	},
	"analysis.why_removed": {
		en: "after the meter's removal",
		de: "nach dem Ausbau des Zählers",
	},

	"analyze.bad_date": {
		en: "%s %s is not a date (YYYY-MM-DD)",
		de: "%s %s ist kein Datum (JJJJ-MM-TT)",
	},
	"analyze.bad_year": {
		en: "billing_year %d is not a year",
		de: "billing_year %d ist kein Jahr",
	},
	"analyze.body_shape": {
		en: "the body must be JSON like {\"from\": \"2025-01-01\", \"to\": \"2026-01-01\", \"meters\": [\"gas_total\"], \"daily\": false} or {\"billing_year\": 2025}: %s",
		de: "die Anfrage muss JSON wie {\"from\": \"2025-01-01\", \"to\": \"2026-01-01\", \"meters\": [\"gas_total\"], \"daily\": false} oder {\"billing_year\": 2025} sein: %s",
	},
	"analyze.from_after_to": {
		en: "from %s must be before to %s",
		de: "from %s muss vor to %s liegen",
	},
	"analyze.influx_down": {
		en: "meter %s: %s; try again when InfluxDB is back",
		de: "Zähler %s: %s; versuchen Sie es wieder, wenn InfluxDB erreichbar ist",
	},
	"analyze.no_influx": {
		en: "meter %s is read from InfluxDB, which is not configured",
		de: "der Zähler %s wird aus InfluxDB gelesen, das nicht eingerichtet ist",
	},
	"analyze.too_many_rows": {
		en: "daily figures for %d days of %d meters are more than %d rows: ask for fewer days or meters, or leave daily out",
		de: "Tageswerte für %d Tage von %d Zählern sind mehr als %d Zeilen: fragen Sie nach weniger Tagen oder Zählern, oder lassen Sie daily weg",
	},
	"analyze.too_many_years": {
		en: "an analysis covers at most %d years: ask for a shorter range",
		de: "eine Auswertung umfasst höchstens %d Jahre: fragen Sie nach einem kürzeren Zeitraum",
	},
	"analyze.year_or_range": {
		en: "give either billing_year or from/to, not both",
		de: "geben Sie entweder billing_year oder from/to an, nicht beides",
	},

	"anomalies.bad_status": {
		en: "status must be open or resolved (or left out for all)",
		de: "status muss open oder resolved sein (oder fehlen, für alle)",
	},

	"anomaly.decrease_above": {
		en: "%s at %s (above the next reading %s at %s)",
		de: "%s am %s (über dem nächsten Stand %s am %s)",
	},
	"anomaly.decrease_below": {
		en: "%s at %s (below the previous reading %s at %s)",
		de: "%s am %s (unter dem vorigen Stand %s am %s)",
	},
	"anomaly.decrease_many": {
		en: "%d readings are excluded because the counter went down: %s; if the meter was replaced, declare a reset or a master meter period",
		de: "%d Stände sind ausgenommen, weil das Zählwerk zurückging: %s; wurde der Zähler getauscht, tragen Sie einen Reset oder einen Zeitraum eines Master-Zählers ein",
	},
	"anomaly.decrease_one": {
		en: "%d reading is excluded because the counter went down: %s; if the meter was replaced, declare a reset or a master meter period",
		de: "%d Stand ist ausgenommen, weil das Zählwerk zurückging: %s; wurde der Zähler getauscht, tragen Sie einen Reset oder einen Zeitraum eines Master-Zählers ein",
	},
	"anomaly.negative": {
		en: "the billing period from %s to %s comes to %s, below zero by more than %s %% of %s's %s: check which meters are subtracted and their units",
		de: "der Abrechnungszeitraum vom %s bis %s ergibt %s, mehr als %s %% von %s (%s) unter null: prüfen Sie, welche Zähler abgezogen werden und ihre Einheiten",
	},
	"anomaly.silence": {
		en: "no new reading for %s (since %s; max_silence %s): check the source that sends this meter's readings",
		de: "seit %s kein neuer Zählerstand (seit %s; max_silence %s): prüfen Sie die Quelle, die die Stände dieses Zählers sendet",
	},
	"anomaly.spike": {
		en: "consumption on %s was %s, %s times the mean of %s over the %d days with data before it (threshold: %s times)",
		de: "der Verbrauch am %s betrug %s, das %s-Fache des Mittels von %s über die %d Tage mit Daten davor (Schwelle: das %s-Fache)",
	},
	"anomaly.tibber_token": {
		en: "Tibber rejected the token; no consumption or prices arrive until METERD_TIBBER_TOKEN is renewed",
		de: "Tibber hat das Token abgelehnt; bis METERD_TIBBER_TOKEN erneuert ist, kommen weder Verbrauch noch Preise",
	},
	"anomaly.year_over_year": {
		en: "%s used %s, %s times the %s of %s (threshold: %s times)",
		de: "%s verbrauchte %s, das %s-Fache der %s von %s (Schwelle: das %s-Fache)",
	},

	"body.empty": {
		en: "the body is empty",
		de: "die Anfrage ist leer",
	},
	"body.too_many_readings": {
		en: "the body holds more than %d readings: send them in smaller batches",
		de: "die Anfrage enthält mehr als %d Zählerstände: senden Sie sie in kleineren Teilen",
	},
	"body.unreadable": {
		en: "the body could not be read: %s; send it again",
		de: "der Inhalt der Anfrage war nicht lesbar: %s; senden Sie ihn erneut",
	},

	"cell.problem": {
		en: "%s %s",
		de: "%s %s",
	},

	"choice.invalid": {
		en: "choose the header row (1 to %d) and three different columns: a date column and a value column, and a time column or none",
		de: "wählen Sie die Kopfzeile (1 bis %d) und drei verschiedene Spalten: eine Datumsspalte, eine Wertspalte und eine Zeitspalte oder keine",
	},

	"cli.analyze_header": {
		en: "consumption %s to %s (%s), * = incomplete, – = no data",
		de: "Verbrauch %s bis %s (%s), * = unvollständig, – = keine Daten",
	},
	"cli.checked": {
		en: "%s → %s checked (dry run, nothing written): %d parsed, would write %d, would update %d, %d duplicates, %d rejected, %d warnings",
		de: "%s → %s geprüft (Probelauf, nichts geschrieben): %d gelesen, würde %d schreiben, würde %d ändern, %d schon vorhanden, %d abgelehnt, %d Warnungen",
	},
	"cli.columns": {
		en: "  columns %s",
		de: "  Spalten %s",
	},
	"cli.consumption": {
		en: "consumption",
		de: "Verbrauch",
	},
	"cli.date": {
		en: "date",
		de: "Datum",
	},
	"cli.files_refused": {
		en: "%d of %d files were refused; nothing of them was written",
		de: "%d von %d Dateien wurden abgelehnt; nichts davon wurde geschrieben",
	},
	"cli.imported": {
		en: "%s → %s imported: %d parsed, %d written, %d updated, %d duplicates, %d rejected, %d warnings",
		de: "%s → %s importiert: %d gelesen, %d geschrieben, %d geändert, %d schon vorhanden, %d abgelehnt, %d Warnungen",
	},
	"cli.meter": {
		en: "meter",
		de: "Zähler",
	},
	"cli.per_day": {
		en: "%s (%s) per day",
		de: "%s (%s) je Tag",
	},
	"cli.reading": {
		en: "reading",
		de: "Stand",
	},
	"cli.removed": {
		en: "  removed  %s %s",
		de: "  entfernt          %s %s",
	},
	"cli.restored": {
		en: "  restored %s %s",
		de: "  wiederhergestellt %s %s",
	},
	"cli.row_rejected": {
		en: "  row %d rejected: %s",
		de: "  Zeile %d abgelehnt: %s",
	},
	"cli.row_warning": {
		en: "  row %d warning: %s",
		de: "  Zeile %d Warnung: %s",
	},
	"cli.sheet_columns": {
		en: "  sheet %s, columns %s",
		de: "  Blatt %s, Spalten %s",
	},
	"cli.total": {
		en: "total",
		de: "Summe",
	},
	"cli.undone": {
		en: "import %d (%s, %s) undone: %d readings removed, %d restored",
		de: "Import %d (%s, %s) rückgängig gemacht: %d Stände entfernt, %d wiederhergestellt",
	},
	"cli.unit": {
		en: "unit",
		de: "Einheit",
	},
	"cli.warning": {
		en: "warning: %s: %s",
		de: "Warnung: %s: %s",
	},
	"cli.would_undo": {
		en: "import %d (%s, %s) would be undone (dry run, nothing changed): %d readings removed, %d restored",
		de: "Import %d (%s, %s) würde rückgängig gemacht (Probelauf, nichts geändert): %d Stände entfernt, %d wiederhergestellt",
	},

	"column.n": {
		en: "column %d",
		de: "Spalte %d",
	},

	"consumption.bad_year": {
		en: "year %s is not a year: give one such as 2025",
		de: "year %s ist kein Jahr: geben Sie eines wie 2025 an",
	},
	"consumption.bad_period": {
		en: "period must be billing, calendar or range",
		de: "period muss billing, calendar oder range sein",
	},

	"csv.line_unreadable": {
		en: "line %d of the CSV file cannot be read: %s",
		de: "Zeile %d der CSV-Datei ist nicht lesbar: %s",
	},

	"date.bad_serial": {
		en: "%s is not a date serial number",
		de: "%s ist keine Datumszahl",
	},
	"date.bad_time": {
		en: "%s: the time %s",
		de: "%s: die Uhrzeit %s",
	},
	"date.invalid": {
		en: "%s is not a date (dd.mm.yyyy, dd.mm.yy or yyyy-mm-dd)",
		de: "%s ist kein Datum (TT.MM.JJJJ, TT.MM.JJ oder JJJJ-MM-TT)",
	},
	"date.lotus_day": {
		en: "60 is 29 Feb 1900, a day that did not exist",
		de: "60 ist der 29.02.1900, ein Tag, den es nicht gab",
	},
	"date.not_in_calendar": {
		en: "%s is not a date of the calendar",
		de: "%s ist kein Tag des Kalenders",
	},
	"date.not_iso": {
		en: "%s is not a date (YYYY-MM-DD)",
		de: "%s ist kein Datum (JJJJ-MM-TT)",
	},

	"delete.no_reading": {
		en: "meter %[1]s has no reading at %[2]s: GET /api/v1/meters/%[1]s/readings lists them",
		de: "der Zähler %[1]s hat keinen Stand am %[2]s: GET /api/v1/meters/%[1]s/readings listet sie",
	},
	"delete.which": {
		en: "say which reading: ?time=2025-11-04T07:30:00+01:00 (as GET /api/v1/meters/{id}/readings lists it)",
		de: "geben Sie den Stand an: ?time=2025-11-04T07:30:00+01:00 (wie GET /api/v1/meters/{id}/readings ihn listet)",
	},

	"disk.full": {
		en: "disk full: nothing was written (store: %s: %s); free space on the database's disk",
		de: "Festplatte voll: nichts wurde geschrieben (%s: %s); schaffen Sie Platz auf dem Datenträger der Datenbank",
	},

	"error.other": {
		en: "%s",
		de: "%s",
	},

	"file.empty": {
		en: "%s is empty",
		de: "%s ist leer",
	},
	"file.no_data_rows": {
		en: "the file has a header row but no data rows: nothing to import",
		de: "die Datei hat eine Kopfzeile, aber keine Datenzeilen: nichts zu importieren",
	},
	"file.no_row": {
		en: "the file has no row %d",
		de: "die Datei hat keine Zeile %d",
	},
	"file.not_excel": {
		en: "%s is named like an Excel workbook but is not one: save it again as .xlsx, or export CSV",
		de: "%s heißt wie eine Excel-Arbeitsmappe, ist aber keine: speichern Sie sie erneut als .xlsx oder exportieren Sie CSV",
	},
	"file.problem": {
		en: "%s: %s",
		de: "%s: %s",
	},
	"file.too_many_rows": {
		en: "the file has more than %d data rows: split it into smaller files",
		de: "die Datei hat mehr als %d Datenzeilen: teilen Sie sie in kleinere Dateien",
	},
	"file.type_unsupported": {
		en: "%s files are not read: save the sheet as .xlsx or CSV",
		de: "%s-Dateien werden nicht gelesen: speichern Sie die Tabelle als .xlsx oder CSV",
	},

	"ha.bad_unit": {
		en: "unit %s of %s: %s",
		de: "Einheit %s von %s: %s",
	},
	"ha.entity_missing": {
		en: "entity_id is missing: send the entity the state belongs to, e.g. sensor.gaszaehler",
		de: "entity_id fehlt: senden Sie die Entität, zu der der Zustand gehört, z. B. sensor.gaszaehler",
	},
	"ha.last_changed": {
		en: "last_changed %s is not an RFC 3339 time such as 2025-11-04T09:00:12.345678+00:00",
		de: "last_changed %s ist keine RFC-3339-Zeit wie 2025-11-04T09:00:12.345678+00:00",
	},
	"ha.shape": {
		en: "the body must be JSON like {\"entity_id\": \"sensor.gaszaehler\", \"state\": \"4321.09\"}: %s",
		de: "die Anfrage muss JSON wie {\"entity_id\": \"sensor.gaszaehler\", \"state\": \"4321.09\"} sein: %s",
	},
	"ha.state_ignored": {
		en: "state %s carries no reading",
		de: "der Zustand %s enthält keinen Zählerstand",
	},
	"ha.state_missing": {
		en: "state is missing",
		de: "state fehlt",
	},
	"ha.state_not_number": {
		en: "state %s is not a number",
		de: "der Zustand %s ist keine Zahl",
	},
	"ha.state_type": {
		en: "state %s is not a string or number",
		de: "state %s ist weder Zeichenkette noch Zahl",
	},
	"ha.unit_mismatch": {
		en: "%s reports %s but meter %s counts %s",
		de: "%s meldet %s, der Zähler %s zählt aber %s",
	},
	"ha.unmapped": {
		en: "entity %[1]s is not mapped to a meter: add homeassistant: {entity_id: %[1]s} to a meter with source: homeassistant",
		de: "die Entität %[1]s gehört zu keinem Zähler: tragen Sie homeassistant: {entity_id: %[1]s} bei einem Zähler mit source: homeassistant ein",
	},

	"header.no_value_column": {
		en: "row %d has the column %s but no value column: name it Zählerstand, Stand, Zaehlerstand or Wert",
		de: "Zeile %d hat die Spalte %s, aber keine Wertspalte: nennen Sie sie Zählerstand, Stand, Zaehlerstand oder Wert",
	},
	"header.none": {
		en: "no header row in the first %d rows: the file needs a date column (Ab-Datum or Datum) and a value column (Zählerstand, Stand or Wert), or choose the columns",
		de: "keine Kopfzeile in den ersten %d Zeilen: die Datei braucht eine Datumsspalte (Ab-Datum oder Datum) und eine Wertspalte (Zählerstand, Stand oder Wert), oder wählen Sie die Spalten",
	},
	"header.none_first_row": {
		en: "no header row in the first %d rows: the file needs a date column (Ab-Datum or Datum) and a value column (Zählerstand, Stand or Wert), or choose the columns; its first row reads %s",
		de: "keine Kopfzeile in den ersten %d Zeilen: die Datei braucht eine Datumsspalte (Ab-Datum oder Datum) und eine Wertspalte (Zählerstand, Stand oder Wert), oder wählen Sie die Spalten; ihre erste Zeile lautet %s",
	},

	"health.disk_full": {
		en: "disk full: the last import was refused and nothing of it written; free space on the database's disk",
		de: "Festplatte voll: der letzte Import wurde abgelehnt und nichts davon geschrieben; schaffen Sie Platz auf dem Datenträger der Datenbank",
	},
	"health.influx_dead": {
		en: "%s; %d points refused by InfluxDB in the last 7 days were set aside (newest: %s); the others were delivered",
		de: "%s; %d von InfluxDB in den letzten 7 Tagen abgelehnte Punkte wurden beiseitegelegt (neuester: %s); die übrigen wurden zugestellt",
	},
	"health.influx_disabled": {
		en: "disabled: no influx.url; everything stays in SQLite",
		de: "aus: keine influx.url; alles bleibt in SQLite",
	},
	"health.influx_failed": {
		en: "%s",
		de: "%s",
	},
	"health.influx_failed_queued": {
		en: "%s; %d points queued, delivery retried every %s",
		de: "%s; %d Punkte warten, Zustellung wird alle %s wiederholt",
	},
	"health.influx_not_contacted": {
		en: "not contacted yet",
		de: "noch nicht kontaktiert",
	},
	"health.influx_ok": {
		en: "reachable; outbox empty",
		de: "erreichbar; Ausgang leer",
	},
	"health.influx_ok_queued": {
		en: "reachable; %d points queued",
		de: "erreichbar; %d Punkte warten",
	},
	"health.tibber_budget": {
		en: "waiting for Tibber's request budget until %s",
		de: "wartet bis %s auf Tibbers Anfragebudget",
	},
	"health.tibber_failed": {
		en: "%s; retried at the next poll",
		de: "%s; neuer Versuch bei der nächsten Abfrage",
	},
	"health.tibber_not_polled": {
		en: "not polled yet",
		de: "noch nicht abgefragt",
	},
	"health.tibber_pause": {
		en: "Tibber rate limit: pausing until %s",
		de: "Tibber-Ratenlimit: Pause bis %s",
	},
	"health.tibber_pause_kept": {
		en: "Tibber rate limit: pausing until %s (kept across the restart)",
		de: "Tibber-Ratenlimit: Pause bis %s (über den Neustart behalten)",
	},
	"health.tibber_synced": {
		en: "last sync %s: %d new, %d updated, %d hours still without data",
		de: "letzter Abgleich %s: %d neu, %d geändert, %d Stunden noch ohne Daten",
	},
	"health.tibber_token": {
		en: "Tibber token rejected: set a valid METERD_TIBBER_TOKEN",
		de: "Tibber-Token abgelehnt: setzen Sie ein gültiges METERD_TIBBER_TOKEN",
	},

	"http.cross_origin": {
		en: "cross-origin request refused: send it from meterd's own page or without a browser",
		de: "Anfrage von fremder Herkunft abgelehnt: senden Sie sie von meterds eigener Seite oder ohne Browser",
	},
	"http.foreign_host": {
		en: "host %s is not served without an API token: use http://127.0.0.1 or localhost, add the name to http.allowed_hosts, or set METERD_API_TOKEN",
		de: "der Host %s wird ohne API-Token nicht bedient: nutzen Sie http://127.0.0.1 oder localhost, tragen Sie den Namen in http.allowed_hosts ein oder setzen Sie METERD_API_TOKEN",
	},
	"http.internal": {
		en: "internal error; see meterd's log",
		de: "interner Fehler; siehe das Protokoll von meterd",
	},
	"http.no_endpoint": {
		en: "no such API endpoint: %s",
		de: "diesen API-Endpunkt gibt es nicht: %s",
	},
	"http.stopping": {
		en: "meterd is stopping: nothing of this request was written; send it again in a minute",
		de: "meterd wird beendet: nichts von dieser Anfrage wurde geschrieben; senden Sie sie in einer Minute erneut",
	},
	"http.too_large": {
		en: "the request is larger than http.max_upload_bytes (%d bytes)",
		de: "die Anfrage ist größer als http.max_upload_bytes (%d Bytes)",
	},
	"http.unauthorized": {
		en: "missing or wrong credentials: send Authorization: Bearer <API token>, or log in with the API token as password",
		de: "fehlende oder falsche Anmeldedaten: senden Sie Authorization: Bearer <API-Token> oder melden Sie sich mit dem API-Token als Passwort an",
	},

	"implausible.confirmed": {
		en: "%s: imported as confirmed",
		de: "%s: als bestätigt importiert",
	},
	"implausible.held": {
		en: "%s: a typo? If it is right, confirm it (confirm=true)",
		de: "%s: ein Tippfehler? Wenn er stimmt, bestätigen Sie ihn (confirm=true)",
	},
	"implausible.rate": {
		en: "reading %s at %s means %s %s a day since %s (%s), more than %s a day",
		de: "der Stand %s am %s bedeutet %s %s pro Tag seit %s (%s), mehr als %s pro Tag",
	},
	"implausible.rate_usual": {
		en: "%s (the usual is %s a day)",
		de: "%s (üblich sind %s pro Tag)",
	},

	"import.busy": {
		en: "another import is running: try again in a few seconds",
		de: "ein anderer Import läuft: versuchen Sie es in einigen Sekunden erneut",
	},
	"import.no_meter_column": {
		en: "%s has no meter column: say which meter it is for (--meter ID)",
		de: "%s hat keine Zählerspalte: geben Sie an, für welchen Zähler sie ist (--meter ID)",
	},
	"import.strict_refused": {
		en: "strict import refused, nothing was written: %d rejected rows (%s)",
		de: "strenger Import abgelehnt, nichts wurde geschrieben: %d abgelehnte Zeilen (%s)",
	},
	"import.unit_mismatch": {
		en: "%[1]s: its value column counts %[2]s, but meter %[3]s counts %[4]s: import it for a meter that counts %[2]s, or correct the header",
		de: "%[1]s: die Wertspalte zählt %[2]s, der Zähler %[3]s aber %[4]s: importieren Sie sie für einen Zähler, der %[2]s zählt, oder korrigieren Sie die Kopfzeile",
	},

	"instant.invalid": {
		en: "%s is neither RFC 3339 (2025-11-04T07:30:00+01:00) nor a local date-time (2025-11-04T07:30)",
		de: "%s ist weder RFC 3339 (2025-11-04T07:30:00+01:00) noch eine lokale Zeit (2025-11-04T07:30)",
	},

	"job.busy": {
		en: "%[1]s is running already (%[2]s): wait for it to finish (GET /api/v1/runs?job=%[1]s)",
		de: "%[1]s läuft schon (%[2]s): warten Sie, bis er fertig ist (GET /api/v1/runs?job=%[1]s)",
	},
	"job.run_n": {
		en: "run %d",
		de: "Lauf %d",
	},
	"job.scheduled_run": {
		en: "a scheduled run",
		de: "ein geplanter Lauf",
	},
	"job.unknown": {
		en: "no job %s (jobs: %s)",
		de: "kein Auftrag %s (Aufträge: %s)",
	},

	"js.bad_date": {
		en: "Please give the date as YYYY-MM-DD.",
		de: "Datum bitte als TT.MM.JJJJ angeben.",
	},
	"js.bad_time": {
		en: "Please give the time as HH:MM.",
		de: "Uhrzeit bitte als HH:MM angeben.",
	},
	"js.bad_value": {
		en: "Please give the reading as a number, e.g. 12345.6.",
		de: "Zählerstand bitte als Zahl angeben, z. B. 12.345,6.",
	},
	"js.changed": {
		en: "Changed: %s on %s",
		de: "Geändert: %s am %s",
	},
	"js.columns": {
		en: "Columns: %s",
		de: "Spalten: %s",
	},
	"js.duplicates": {
		en: "Already there",
		de: "Schon vorhanden",
	},
	"js.exists": {
		en: "Already there: %s on %s",
		de: "Schon vorhanden: %s am %s",
	},
	"js.file_too_large": {
		en: "The file is larger than %s MiB.",
		de: "Die Datei ist größer als %s MiB.",
	},
	"js.held": {
		en: "Unusual: %s – save anyway?",
		de: "Auffällig: %s – trotzdem speichern?",
	},
	"js.http_error": {
		en: "Error %d",
		de: "Fehler %d",
	},
	"js.imported": {
		en: "Imported: %s",
		de: "Übernommen: %s",
	},
	"js.last_reading": {
		en: "Last reading: %s %s on %s",
		de: "Letzter Stand: %s %s am %s",
	},
	"js.no": {
		en: "No",
		de: "Nein",
	},
	"js.no_connection": {
		en: "No connection to meterd.",
		de: "Keine Verbindung zu meterd.",
	},
	"js.no_reading": {
		en: "No reading stored yet.",
		de: "Noch kein Zählerstand gespeichert.",
	},
	"js.no_valid_readings": {
		en: "No valid readings in the file.",
		de: "Keine gültigen Zählerstände in der Datei.",
	},
	"js.none": {
		en: "none",
		de: "keine",
	},
	"js.parsed": {
		en: "Read",
		de: "Gelesen",
	},
	"js.range": {
		en: "First reading: %s %s on %s · Last reading: %s %s on %s",
		de: "Erster Stand: %s %s am %s · Letzter Stand: %s %s am %s",
	},
	"js.rejected": {
		en: "Rejected",
		de: "Abgelehnt",
	},
	"js.rejected_rows": {
		en: "Rejected rows",
		de: "Abgelehnte Zeilen",
	},
	"js.row": {
		en: "Row %d: %s",
		de: "Zeile %d: %s",
	},
	"js.row_n": {
		en: "Row %d",
		de: "Zeile %d",
	},
	"js.saved": {
		en: "Saved: %s on %s",
		de: "Gespeichert: %s am %s",
	},
	"js.sheet": {
		en: "Sheet %s",
		de: "Blatt %s",
	},
	"js.the_file": {
		en: "(file)",
		de: "(Datei)",
	},
	"js.undo": {
		en: "Undo",
		de: "Rückgängig",
	},
	"js.undo_done": {
		en: "Import %d undone: %d readings removed, %d restored.",
		de: "Import %d rückgängig gemacht: %d Stände entfernt, %d wiederhergestellt.",
	},
	"js.undo_really": {
		en: "Really undo",
		de: "Wirklich rückgängig machen",
	},
	"js.undone": {
		en: "undone",
		de: "rückgängig gemacht",
	},
	"js.updated": {
		en: "Changed",
		de: "Geändert",
	},
	"js.warning": {
		en: "Warning: %s",
		de: "Warnung: %s",
	},
	"js.warnings": {
		en: "Warnings",
		de: "Warnungen",
	},
	"js.would_change": {
		en: "Would be changed: %s on %s",
		de: "Würde geändert: %s am %s",
	},
	"js.would_save": {
		en: "Would be saved: %s on %s",
		de: "Würde gespeichert: %s am %s",
	},
	"js.would_update": {
		en: "Would be changed",
		de: "Würde geändert",
	},
	"js.would_write": {
		en: "Would be written",
		de: "Würde neu geschrieben",
	},
	"js.written": {
		en: "Written",
		de: "Neu geschrieben",
	},

	"json.empty_list": {
		en: "the list of readings is empty: send at least one {\"time\": ..., \"value\": ...}",
		de: "die Liste der Zählerstände ist leer: senden Sie mindestens einen {\"time\": ..., \"value\": ...}",
	},
	"json.not_object_or_list": {
		en: "it is neither a JSON object nor a list",
		de: "sie ist weder ein JSON-Objekt noch eine Liste",
	},
	"json.readings_shape": {
		en: "the body must be JSON {\"time\": \"2025-11-04T07:30:00+01:00\", \"value\": 12345.6} or a list of them: %s",
		de: "die Anfrage muss JSON der Form {\"time\": \"2025-11-04T07:30:00+01:00\", \"value\": 12345.6} sein oder eine Liste davon: %s",
	},
	"json.time_invalid": {
		en: "time %s is neither RFC 3339 (2025-11-04T07:30:00+01:00) nor a local date-time (2025-11-04T07:30)",
		de: "time %s ist weder RFC 3339 (2025-11-04T07:30:00+01:00) noch eine lokale Zeit (2025-11-04T07:30)",
	},
	"json.time_missing": {
		en: "time is missing",
		de: "time fehlt",
	},
	"json.time_not_string": {
		en: "time %s is not a string such as \"2025-11-04T07:30:00+01:00\"",
		de: "time %s ist keine Zeichenkette wie \"2025-11-04T07:30:00+01:00\"",
	},
	"json.trailing": {
		en: "there is more after the list",
		de: "nach der Liste folgt noch etwas",
	},
	"json.value_decimal_point": {
		en: "value %s is not a number (use a decimal point: 12345.6)",
		de: "value %s ist keine Zahl (mit Dezimalpunkt: 12345.6)",
	},
	"json.value_missing": {
		en: "value is missing",
		de: "value fehlt",
	},
	"json.value_not_number": {
		en: "value %s is not a number",
		de: "value %s ist keine Zahl",
	},

	"list.more": {
		en: "and %d more",
		de: "und %d weitere",
	},

	"meter.not_physical": {
		en: "meter %s is a %s meter, computed from others: readings belong to its physical meters",
		de: "der Zähler %s ist vom Typ %s, aus anderen berechnet: Stände gehören zu seinen physischen Zählern",
	},
	"meter.unknown": {
		en: "unknown meter %s",
		de: "unbekannter Zähler %s",
	},
	"meter.unknown_see_list": {
		en: "unknown meter %s: see GET /api/v1/meters for the configured ones",
		de: "unbekannter Zähler %s: GET /api/v1/meters listet die eingerichteten",
	},

	"month.invalid": {
		en: "%s is not a month (YYYY-MM)",
		de: "%s ist kein Monat (JJJJ-MM)",
	},

	"note.bad_id": {
		en: "no annotation %s: ids are the numbers GET /api/v1/annotations lists",
		de: "keine Notiz %s: die Nummern listet GET /api/v1/annotations",
	},
	"note.bad_meter": {
		en: "meter: %s (or leave it out for a note on the whole household)",
		de: "meter: %s (oder lassen Sie es weg für eine Notiz zum ganzen Haus)",
	},
	"note.end_before": {
		en: "end %s is before time %s",
		de: "end %s liegt vor time %s",
	},
	"note.not_found": {
		en: "no annotation %d: see GET /api/v1/annotations",
		de: "keine Notiz %d: siehe GET /api/v1/annotations",
	},
	"note.shape": {
		en: "the body must be JSON like %s: %s",
		de: "die Anfrage muss JSON wie %s sein: %s",
	},
	"note.text_empty": {
		en: "text is empty: say what happened",
		de: "text ist leer: schreiben Sie, was geschah",
	},
	"note.text_long": {
		en: "text has %d characters; at most %d fit",
		de: "text hat %d Zeichen; höchstens %d passen",
	},
	"note.time_missing": {
		en: "time is missing: give the instant the note is about, e.g. %s",
		de: "time fehlt: geben Sie den Zeitpunkt der Notiz an, z. B. %s",
	},

	"number.invalid": {
		en: "%s is not a number",
		de: "%s ist keine Zahl",
	},
	"number.invalid_comma": {
		en: "%s is not a number (write 12345,6 or 12.345,6)",
		de: "%s ist keine Zahl (schreiben Sie 12345,6 oder 12.345,6)",
	},
	"number.invalid_dot": {
		en: "%s is not a number (write 12345.6)",
		de: "%s ist keine Zahl (schreiben Sie 12345.6)",
	},

	"page.all_meters": {
		en: "All meters",
		de: "Alle Zähler",
	},
	"page.anomalies_json": {
		en: "Anomalies (JSON)",
		de: "Auffälligkeiten (JSON)",
	},
	"page.cancel": {
		en: "Cancel",
		de: "Abbrechen",
	},
	"page.changed": {
		en: "Changed",
		de: "Geändert",
	},
	"page.chart_label": {
		en: "Consumption of %s per month: this period beside the period before",
		de: "Verbrauch von %s je Monat: dieser Zeitraum neben dem vorigen",
	},
	"page.check": {
		en: "Check",
		de: "Prüfen",
	},
	"page.choose_columns": {
		en: "Choose the columns",
		de: "Spalten wählen",
	},
	"page.choose_hint": {
		en: "meterd does not recognise this file's header row. Choose where the readings are; the choice also holds for the next file of this shape.",
		de: "meterd erkennt die Kopfzeile dieser Datei nicht. Wählen Sie, wo die Zählerstände stehen; die Wahl gilt auch für die nächste Datei dieser Form.",
	},
	"page.compared_with": {
		en: "compared with",
		de: "verglichen mit",
	},
	"page.component": {
		en: "Part",
		de: "Teil",
	},
	"page.components": {
		en: "Components",
		de: "Dienste",
	},
	"page.confirm_implausible": {
		en: "The unusual readings are right: import them anyway",
		de: "Die auffälligen Stände stimmen: trotzdem übernehmen",
	},
	"page.cost": {
		en: "Cost",
		de: "Kosten",
	},
	"page.covered": {
		en: "incomplete: covers %s to %s only",
		de: "unvollständig: nur %s bis %s erfasst",
	},
	"page.csv": {
		en: "Download as CSV",
		de: "Als CSV herunterladen",
	},
	"page.date": {
		en: "Date",
		de: "Datum",
	},
	"page.date_in": {
		en: "Date in column",
		de: "Datum in Spalte",
	},
	"page.date_placeholder": {
		en: "YYYY-MM-DD",
		de: "TT.MM.JJJJ",
	},
	"page.export": {
		en: "Export (CSV)",
		de: "Export (CSV)",
	},
	"page.file": {
		en: "File",
		de: "Datei",
	},
	"page.from": {
		en: "From",
		de: "Von",
	},
	"page.header_row": {
		en: "Header row",
		de: "Kopfzeile",
	},
	"page.import": {
		en: "Import",
		de: "Übernehmen",
	},
	"page.incomplete": {
		en: "incomplete",
		de: "unvollständig",
	},
	"page.job": {
		en: "Job",
		de: "Auftrag",
	},
	"page.jobs": {
		en: "Jobs",
		de: "Aufträge",
	},
	"page.last_error": {
		en: "Last error",
		de: "Letzter Fehler",
	},
	"page.last_per_meter": {
		en: "Last reading per meter",
		de: "Letzter Stand je Zähler",
	},
	"page.last_reading": {
		en: "Last reading",
		de: "Letzter Stand",
	},
	"page.last_run": {
		en: "Last run",
		de: "Letzter Lauf",
	},
	"page.manual": {
		en: "Enter one reading",
		de: "Einzelnen Zählerstand eintragen",
	},
	"page.manual_only": {
		en: "by hand only",
		de: "nur von Hand",
	},
	"page.message": {
		en: "Message",
		de: "Meldung",
	},
	"page.meter": {
		en: "Meter",
		de: "Zähler",
	},
	"page.month": {
		en: "Month",
		de: "Monat",
	},
	"page.nav_consumption": {
		en: "Consumption",
		de: "Verbrauch",
	},
	"page.nav_status": {
		en: "Status",
		de: "Status",
	},
	"page.nav_upload": {
		en: "Readings",
		de: "Zählerstände",
	},
	"page.never": {
		en: "never",
		de: "noch nie",
	},
	"page.new": {
		en: "New",
		de: "Neu",
	},
	"page.next_run": {
		en: "Next run",
		de: "Nächster Lauf",
	},
	"page.no": {
		en: "No.",
		de: "Nr.",
	},
	"page.no_data": {
		en: "(no readings)",
		de: "(keine Stände)",
	},
	"page.no_meters": {
		en: "No meters configured yet: add them under meters: in the configuration (see config.example.yaml).",
		de: "Noch keine Zähler konfiguriert: tragen Sie sie unter meters: in der Konfiguration ein (siehe config.example.yaml).",
	},
	"page.none": {
		en: "None.",
		de: "Keine.",
	},
	"page.open_anomalies": {
		en: "Open anomalies",
		de: "Offene Auffälligkeiten",
	},
	"page.overall": {
		en: "Overall",
		de: "Gesamtstatus",
	},
	"page.period": {
		en: "Period",
		de: "Zeitraum",
	},
	"page.period_billing": {
		en: "Billing year",
		de: "Abrechnungsjahr",
	},
	"page.period_calendar": {
		en: "Calendar year",
		de: "Kalenderjahr",
	},
	"page.period_range": {
		en: "Free range",
		de: "Freier Zeitraum",
	},
	"page.preview": {
		en: "Preview",
		de: "Vorschau",
	},
	"page.preview_choice": {
		en: "Preview with this choice",
		de: "Vorschau mit dieser Wahl",
	},
	"page.previous_period": {
		en: "Period before",
		de: "Vorzeitraum",
	},
	"page.reading": {
		en: "Reading",
		de: "Zählerstand",
	},
	"page.readings": {
		en: "readings",
		de: "Zählerstände",
	},
	"page.recent_imports": {
		en: "Recent imports",
		de: "Letzte Importe",
	},
	"page.rule": {
		en: "Rule",
		de: "Regel",
	},
	"page.save": {
		en: "Save",
		de: "Speichern",
	},
	"page.schedule": {
		en: "Schedule",
		de: "Zeitplan",
	},
	"page.sheet": {
		en: "Sheet",
		de: "Blatt",
	},
	"page.show": {
		en: "Show",
		de: "Anzeigen",
	},
	"page.since": {
		en: "Since",
		de: "Seit",
	},
	"page.source": {
		en: "Source",
		de: "Quelle",
	},
	"page.status": {
		en: "Status",
		de: "Status",
	},
	"page.strict": {
		en: "all or nothing (strict)",
		de: "nur ganz oder gar nicht (strict)",
	},
	"page.this_period": {
		en: "This period",
		de: "Dieser Zeitraum",
	},
	"page.time": {
		en: "Time",
		de: "Uhrzeit",
	},
	"page.time_in": {
		en: "Time in column",
		de: "Uhrzeit in Spalte",
	},
	"page.timezone": {
		en: "time zone",
		de: "Zeitzone",
	},
	"page.to_exclusive": {
		en: "To (exclusive)",
		de: "Bis (ausschließlich)",
	},
	"page.total": {
		en: "Total",
		de: "Summe",
	},
	"page.type": {
		en: "Type",
		de: "Typ",
	},
	"page.undo_hint": {
		en: "A wrong import can be undone: what it wrote is removed, what it replaced comes back.",
		de: "Ein falscher Import lässt sich rückgängig machen: was er geschrieben hat, wird entfernt, was er ersetzt hat, kommt zurück.",
	},
	"page.unit": {
		en: "Unit",
		de: "Einheit",
	},
	"page.upload": {
		en: "Upload a file",
		de: "Datei hochladen",
	},
	"page.upload_hint": {
		en: "Excel (.xlsx, .xls) or CSV with the columns Datum/Ab-Datum (date), Uhrzeit/Ab-Zeit (time, optional) and Zählerstand/Stand/Wert (reading).",
		de: "Excel (.xlsx, .xls) oder CSV mit den Spalten Datum/Ab-Datum, Uhrzeit/Ab-Zeit (optional) und Zählerstand/Stand/Wert.",
	},
	"page.utility": {
		en: "Utility",
		de: "Sparte",
	},
	"page.value_in": {
		en: "Reading in column",
		de: "Zählerstand in Spalte",
	},
	"page.value_placeholder": {
		en: "12345.6",
		de: "12.345,6",
	},
	"page.version": {
		en: "version",
		de: "Version",
	},
	"page.when": {
		en: "Time",
		de: "Zeit",
	},
	"page.year": {
		en: "Year",
		de: "Jahr",
	},
	"page.year_before": {
		en: "a year before",
		de: "ein Jahr davor",
	},

	"param.limit": {
		en: "limit must be a whole number from 1 to 1000",
		de: "limit muss eine ganze Zahl von 1 bis 1000 sein",
	},
	"param.problem": {
		en: "%s: %s",
		de: "%s: %s",
	},

	"reader.panic": {
		en: "the %s could not be read (the reader failed: %s): save it as .xlsx or CSV",
		de: "die Datei (%s) war nicht lesbar (der Leser scheiterte: %s): speichern Sie sie als .xlsx oder CSV",
	},

	"reading.future": {
		en: "%s is in the future (later than %s): check the year and the clock of what sent it",
		de: "%s liegt in der Zukunft (nach %s): prüfen Sie das Jahr und die Uhr des Absenders",
	},
	"reading.too_early": {
		en: "%s is before %s, the earliest reading meterd takes (storage.earliest): check the year",
		de: "%s liegt vor dem %s, dem frühesten Stand, den meterd annimmt (storage.earliest): prüfen Sie das Jahr",
	},

	"report.none": {
		en: "no report for %s yet: it is made on the 1st of the next month, or now with POST /api/v1/jobs/monthly_report/run (for the month before the current one)",
		de: "noch kein Bericht für %s: er entsteht am 1. des Folgemonats, oder jetzt mit POST /api/v1/jobs/monthly_report/run (für den Vormonat)",
	},
	"report.which_month": {
		en: "say which month: ?month=YYYY-MM",
		de: "geben Sie den Monat an: ?month=JJJJ-MM",
	},

	"row.no_meter": {
		en: "the row names no meter",
		de: "die Zeile nennt keinen Zähler",
	},
	"row.other_meter": {
		en: "the row is for meter %s, not %s",
		de: "die Zeile gehört zum Zähler %s, nicht zu %s",
	},
	"row.problem": {
		en: "row %d: %s",
		de: "Zeile %d: %s",
	},
	"row.unreadable": {
		en: "row %d cannot be read: %s",
		de: "Zeile %d ist nicht lesbar: %s",
	},

	"rule.decrease": {
		en: "decrease",
		de: "Rückgang",
	},
	"rule.negative": {
		en: "negative",
		de: "negativ",
	},
	"rule.silence": {
		en: "silence",
		de: "Funkstille",
	},
	"rule.spike": {
		en: "spike",
		de: "Spitze",
	},
	"rule.tibber_token": {
		en: "Tibber token",
		de: "Tibber-Token",
	},
	"rule.year_over_year": {
		en: "year over year",
		de: "Vorjahresvergleich",
	},

	"sheet.unreadable": {
		en: "the sheet %s cannot be read: %s",
		de: "das Tabellenblatt %s ist nicht lesbar: %s",
	},
	"sheet.unreadable_after": {
		en: "the sheet cannot be read after row %d: %s",
		de: "das Tabellenblatt ist nach Zeile %d nicht lesbar: %s",
	},

	"status.degraded": {
		en: "degraded",
		de: "eingeschränkt",
	},
	"status.down": {
		en: "down",
		de: "ausgefallen",
	},
	"status.failed": {
		en: "failed",
		de: "fehlgeschlagen",
	},
	"status.ok": {
		en: "ok",
		de: "in Ordnung",
	},
	"status.running": {
		en: "running",
		de: "läuft",
	},

	"time.invalid": {
		en: "%s is not a time (HH:MM or HH:MM:SS)",
		de: "%s ist keine Uhrzeit (HH:MM oder HH:MM:SS)",
	},
	"time.not_of_day": {
		en: "%s is not a time of day",
		de: "%s ist keine Uhrzeit des Tages",
	},

	"type.master": {
		en: "master",
		de: "Master",
	},
	"type.physical": {
		en: "physical",
		de: "physisch",
	},
	"type.virtual": {
		en: "virtual",
		de: "virtuell",
	},

	"undo.already": {
		en: "import %d was undone already, at %s",
		de: "Import %d wurde schon rückgängig gemacht, am %s",
	},
	"undo.bad_id": {
		en: "no import %s: ids are the numbers GET /api/v1/imports lists",
		de: "kein Import %s: die Nummern listet GET /api/v1/imports",
	},
	"undo.later_import": {
		en: "import %d changed some of the same readings later: undo import %d first",
		de: "Import %d hat später einige derselben Stände geändert: machen Sie zuerst Import %d rückgängig",
	},
	"undo.no_import": {
		en: "no import %d: see GET /api/v1/imports",
		de: "kein Import %d: siehe GET /api/v1/imports",
	},
	"undo.note": {
		en: "import %d (%s) undone: %d readings removed, %d restored",
		de: "Import %d (%s) rückgängig gemacht: %d Stände entfernt, %d wiederhergestellt",
	},

	"upload.bad_choice": {
		en: "%s must be a row or column number from 1",
		de: "%s muss eine Zeilen- oder Spaltennummer ab 1 sein",
	},
	"upload.many_files": {
		en: "one file per upload: this request has %d in the field \"file\"; send them one at a time",
		de: "eine Datei je Hochladen: diese Anfrage hat %d im Feld \"file\"; senden Sie sie einzeln",
	},
	"upload.multipart": {
		en: "send the file as multipart/form-data in the field \"file\": %s",
		de: "senden Sie die Datei als multipart/form-data im Feld \"file\": %s",
	},
	"upload.no_file": {
		en: "no file: send it in the multipart field \"file\"",
		de: "keine Datei: senden Sie sie im Feld \"file\"",
	},
	"upload.one_file": {
		en: "one file per upload, in the multipart field \"file\"",
		de: "eine Datei je Hochladen, im Feld \"file\"",
	},

	"utility.electricity": {
		en: "electricity",
		de: "Strom",
	},
	"utility.gas": {
		en: "gas",
		de: "Gas",
	},
	"utility.heat": {
		en: "heat",
		de: "Wärme",
	},
	"utility.other": {
		en: "other",
		de: "Sonstiges",
	},
	"utility.water": {
		en: "water",
		de: "Wasser",
	},

	"value.empty": {
		en: "is empty",
		de: "ist leer",
	},
	"value.not_finite": {
		en: "value %s is not a finite number",
		de: "der Wert %s ist keine endliche Zahl",
	},

	"warn.above_next": {
		en: "reading %s is above the next reading %s (%s): excluded from analysis; if the meter was replaced, declare a reset or a master meter period",
		de: "der Stand %s liegt über dem nächsten Stand %s (%s): von der Auswertung ausgenommen; wurde der Zähler getauscht, tragen Sie einen Reset oder einen Zeitraum eines Master-Zählers ein",
	},
	"warn.after_removal": {
		en: "reading %s at %s is after the meter's removal (%s): kept, but not analysed",
		de: "der Stand %s am %s liegt nach dem Ausbau des Zählers (%s): gespeichert, aber nicht ausgewertet",
	},
	"warn.below_previous": {
		en: "reading %s is below the previous reading %s (%s): excluded from analysis; if the meter was replaced, declare a reset or a master meter period",
		de: "der Stand %s liegt unter dem vorigen Stand %s (%s): von der Auswertung ausgenommen; wurde der Zähler getauscht, tragen Sie einen Reset oder einen Zeitraum eines Master-Zählers ein",
	},
	"warn.does_not_fit": {
		en: "reading %s at %s does not fit the counter's other readings: excluded from analysis; if the meter was replaced, declare a reset or a master meter period",
		de: "der Stand %s am %s passt nicht zu den übrigen Ständen des Zählwerks: von der Auswertung ausgenommen; wurde der Zähler getauscht, tragen Sie einen Reset oder einen Zeitraum eines Master-Zählers ein",
	},

	"workbook.no_sheets": {
		en: "the workbook has no sheets",
		de: "die Arbeitsmappe hat keine Tabellenblätter",
	},
	"workbook.no_such_sheet": {
		en: "the workbook has no sheet %s (it has %s)",
		de: "die Arbeitsmappe hat kein Tabellenblatt %s (sie hat %s)",
	},
	"workbook.no_such_sheet_short": {
		en: "the workbook has no sheet %s",
		de: "die Arbeitsmappe hat kein Tabellenblatt %s",
	},

	"xls.sheet_unreadable": {
		en: "sheet %d cannot be read (%s): save it as .xlsx or CSV",
		de: "Tabellenblatt %d ist nicht lesbar (%s): speichern Sie es als .xlsx oder CSV",
	},
	"xls.too_large": {
		en: "legacy .xls files are read up to %d MiB: save it as .xlsx or CSV",
		de: "alte .xls-Dateien werden bis %d MiB gelesen: speichern Sie sie als .xlsx oder CSV",
	},
	"xls.unreadable": {
		en: "the .xls file cannot be read (%s): save it as .xlsx or CSV",
		de: "die .xls-Datei ist nicht lesbar (%s): speichern Sie sie als .xlsx oder CSV",
	},

	"xlsx.cell_too_long": {
		en: "the workbook holds a text of more than 32,767 characters (in %s), more than Excel puts in a cell: this is no sheet of readings",
		de: "die Arbeitsmappe enthält einen Text mit mehr als 32.767 Zeichen (in %s), mehr als Excel in eine Zelle schreibt: das ist keine Tabelle von Zählerständen",
	},
	"xlsx.part_unreadable": {
		en: "the workbook part %s cannot be read: %s",
		de: "der Teil %s der Arbeitsmappe ist nicht lesbar: %s",
	},
	"xlsx.too_large": {
		en: "the workbook's unpacked size exceeds %d MiB: split it, or export CSV",
		de: "die Arbeitsmappe ist entpackt größer als %d MiB: teilen Sie sie oder exportieren Sie CSV",
	},
	"xlsx.unreadable": {
		en: "the file is not a readable .xlsx workbook (%s): save it again as .xlsx, or export CSV",
		de: "die Datei ist keine lesbare .xlsx-Arbeitsmappe (%s): speichern Sie sie erneut als .xlsx oder exportieren Sie CSV",
	},
}
