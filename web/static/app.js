// meterd upload page: dry-run preview, confirm, progress, manual reading.
// Plain JavaScript, no framework. Every text comes from the page's
// message catalog (the <script id="strings"> block, in ui.language), and
// numbers and dates are read and written as that language writes them.
(function () {
  'use strict';
  var body = document.body;
  var tz = body.dataset.timezone || 'Europe/Berlin';
  var maxBytes = Number(body.dataset.maxBytes) || 0;
  var lang = document.documentElement.lang === 'en' ? 'en' : 'de';
  var strings = {};
  try { strings = JSON.parse(document.getElementById('strings').textContent); } catch (e) { /* no catalog: ids show */ }
  // S writes the message id with its values in place of each %s or %d.
  function S(id) {
    var args = Array.prototype.slice.call(arguments, 1), i = 0;
    return (strings[id] || id).replace(/%[sd]/g, function () { return String(args[i++]); });
  }
  var locale = lang === 'en' ? 'en-GB' : 'de-DE';
  var numFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 10 });
  var timeFmt = new Intl.DateTimeFormat(locale, {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'
  });
  function $(id) { return document.getElementById(id); }
  function fmtNum(v) { return numFmt.format(v); }
  function fmtTime(s) { return timeFmt.format(new Date(s)); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  var meterSel = $('meter');
  if (!meterSel) return;

  function showLast() {
    var o = meterSel.selectedOptions[0];
    var p = $('last-reading');
    if (o && o.dataset.lastTime) {
      p.textContent = S('js.last_reading', fmtNum(Number(o.dataset.lastValue)), o.dataset.unit, fmtTime(o.dataset.lastTime));
    } else {
      p.textContent = S('js.no_reading');
    }
  }
  meterSel.addEventListener('change', function () { showLast(); resetUpload(); });
  showLast();

  function refreshMeters() {
    fetch('/api/v1/meters', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (j) {
      (j.meters || []).forEach(function (m) {
        var o = meterSel.querySelector('option[value="' + CSS.escape(m.id) + '"]');
        if (o && m.last_reading) {
          o.dataset.lastTime = m.last_reading.time;
          o.dataset.lastValue = m.last_reading.value;
        }
      });
      showLast();
    }).catch(function () {});
  }

  // --- upload -------------------------------------------------------------
  var progress = $('progress');
  var pendingFile = null;
  var choice = null; // the person's column choice for the pending file
  var confirmImplausible = false;

  function send(file, dryRun) {
    return new Promise(function (resolve, reject) {
      var fd = new FormData();
      fd.append('file', file);
      if (dryRun) fd.append('dry_run', 'true');
      if ($('strict').checked) fd.append('strict', 'true');
      if (confirmImplausible) fd.append('confirm', 'true');
      if (choice) {
        Object.keys(choice).forEach(function (k) { if (choice[k] !== '') fd.append(k, choice[k]); });
      }
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/meters/' + encodeURIComponent(meterSel.value) + '/upload');
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) progress.value = Math.round(e.loaded / e.total * 100);
      };
      xhr.onload = function () {
        progress.value = 100;
        var j = null;
        try { j = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 200 && j) resolve(j);
        else {
          var err = new Error((j && j.error) || S('js.http_error', xhr.status));
          if (j && j.code === 'no_header') err.sheets = j.sheets;
          reject(err);
        }
      };
      xhr.onerror = function () { reject(new Error(S('js.no_connection'))); };
      xhr.send(fd);
    });
  }

  function showError(msg) {
    var e = $('upload-error');
    e.textContent = msg;
    e.hidden = !msg;
  }

  function resetUpload() {
    pendingFile = null;
    choice = null;
    confirmImplausible = false;
    $('preview').hidden = true;
    $('chooser').hidden = true;
    showError('');
  }

  // Words that are true: a preview says what would be written.
  function counts(dl, sum) {
    dl.textContent = '';
    var dry = sum.dry_run;
    [[S('js.parsed'), sum.parsed], [S(dry ? 'js.would_write' : 'js.written'), sum.written], [S(dry ? 'js.would_update' : 'js.updated'), sum.updated],
     [S('js.duplicates'), sum.duplicates], [S('js.rejected'), sum.rejected.length], [S('js.warnings'), sum.warnings.length]
    ].forEach(function (kv) {
      dl.appendChild(el('dt', kv[0]));
      dl.appendChild(el('dd', String(kv[1])));
    });
  }

  function problems(box, sum) {
    box.textContent = '';
    if (sum.rejected.length) {
      box.appendChild(el('h4', S('js.rejected_rows')));
      var ul = el('ul', undefined, 'problems');
      sum.rejected.forEach(function (r) { ul.appendChild(el('li', S('js.row', r.row, r.error), 'error')); });
      box.appendChild(ul);
    }
    if (sum.warnings.length) {
      box.appendChild(el('h4', S('js.warnings')));
      var wl = el('ul', undefined, 'problems');
      sum.warnings.forEach(function (w) { wl.appendChild(el('li', S('js.row', w.row, w.warning), 'warn')); });
      box.appendChild(wl);
    }
  }

  // First and last by instant, not by row: files are not always sorted.
  function rangeText(sum) {
    var rs = sum.readings;
    if (!rs.length) return S('js.no_valid_readings');
    var unit = meterSel.selectedOptions[0].dataset.unit;
    var first = rs[0], last = rs[0];
    rs.forEach(function (r) {
      if (new Date(r.time) < new Date(first.time)) first = r;
      if (new Date(r.time) > new Date(last.time)) last = r;
    });
    return S('js.range', fmtNum(first.value), unit, fmtTime(first.time), fmtNum(last.value), unit, fmtTime(last.time));
  }

  $('upload-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    resetUpload();
    $('result').hidden = true;
    var file = $('file').files[0];
    if (!file) return;
    if (maxBytes && file.size > maxBytes) {
      showError(S('js.file_too_large', fmtNum(maxBytes / 1048576)));
      return;
    }
    $('preview-button').disabled = true;
    preview(file).then(function () { $('preview-button').disabled = false; });
  });

  function preview(file) {
    return send(file, true).then(function (sum) {
      pendingFile = file;
      $('chooser').hidden = true;
      counts($('preview-counts'), sum);
      $('preview-range').textContent = rangeText(sum);
      $('preview-columns').textContent = (sum.sheet ? S('js.sheet', sum.sheet) + ' · ' : '') + (sum.columns && sum.columns.length ? S('js.columns', sum.columns.join(', ')) : '');
      problems($('preview-problems'), sum);
      var held = (sum.unconfirmed || []).length > 0;
      $('confirm-implausible-label').hidden = !held && !confirmImplausible;
      $('confirm-button').disabled = sum.parsed === 0 && !held;
      $('preview').hidden = false;
    }).catch(function (e) {
      if (e.sheets) { pendingFile = file; showChooser(e.sheets); return; }
      showError(e.message);
    });
  }

  $('confirm-implausible').addEventListener('change', function () {
    confirmImplausible = $('confirm-implausible').checked;
    if (pendingFile) preview(pendingFile);
  });

  // --- choosing the columns -----------------------------------------------
  var chooserSheets = [];
  function letter(i) { return String.fromCharCode(65 + i); }
  function fillSelect(sel, n, label, none) {
    sel.textContent = '';
    if (none) { var o = el('option', none); o.value = ''; sel.appendChild(o); }
    for (var i = 1; i <= n; i++) { var op = el('option', label(i)); op.value = String(i); sel.appendChild(op); }
  }
  function showChooserSheet() {
    var sheet = chooserSheets[$('chooser-sheet').selectedIndex] || chooserSheets[0];
    var width = 0;
    sheet.rows.forEach(function (r) { width = Math.max(width, r.length); });
    fillSelect($('chooser-header'), sheet.rows.length, function (i) { return S('js.row_n', i); });
    fillSelect($('chooser-date'), width, function (i) { return letter(i - 1); });
    fillSelect($('chooser-time'), width, function (i) { return letter(i - 1); }, S('js.none'));
    fillSelect($('chooser-value'), width, function (i) { return letter(i - 1); });
    if (width > 1) $('chooser-value').value = '2';
    var t = $('chooser-rows');
    t.textContent = '';
    var head = el('tr');
    head.appendChild(el('th', ''));
    for (var c = 0; c < width; c++) head.appendChild(el('th', letter(c)));
    t.appendChild(head);
    sheet.rows.forEach(function (r, i) {
      var tr = el('tr');
      tr.appendChild(el('th', String(i + 1)));
      for (var c = 0; c < width; c++) tr.appendChild(el('td', r[c] || ''));
      t.appendChild(tr);
    });
  }
  function showChooser(sheets) {
    chooserSheets = sheets;
    var ss = $('chooser-sheet');
    ss.textContent = '';
    sheets.forEach(function (s) { ss.appendChild(el('option', s.name || S('js.the_file'))); });
    $('chooser-sheet-label').hidden = sheets.length < 2;
    showChooserSheet();
    $('preview').hidden = true;
    $('chooser').hidden = false;
  }
  $('chooser-sheet').addEventListener('change', showChooserSheet);
  $('chooser-button').addEventListener('click', function () {
    var sheet = chooserSheets[$('chooser-sheet').selectedIndex] || chooserSheets[0];
    choice = {
      sheet: sheet.name, header_row: $('chooser-header').value, date_column: $('chooser-date').value,
      time_column: $('chooser-time').value, value_column: $('chooser-value').value
    };
    showError('');
    preview(pendingFile);
  });

  $('cancel-button').addEventListener('click', resetUpload);

  $('confirm-button').addEventListener('click', function () {
    if (!pendingFile) return;
    $('confirm-button').disabled = true;
    send(pendingFile, false).then(function (sum) {
      $('preview').hidden = true;
      var r = $('result');
      r.textContent = '';
      r.appendChild(el('h3', S('js.imported', sum.file)));
      var dl = el('dl', undefined, 'counts');
      counts(dl, sum);
      r.appendChild(dl);
      var box = el('div');
      problems(box, sum);
      r.appendChild(box);
      r.hidden = false;
      pendingFile = null;
      choice = null;
      confirmImplausible = false;
      $('confirm-implausible').checked = false;
      refreshMeters();
      loadImports();
    }).catch(function (e) { showError(e.message); })
      .then(function () { $('confirm-button').disabled = false; });
  });

  // --- recent imports and undo ------------------------------------------------
  function loadImports() {
    fetch('/api/v1/imports?limit=10&meter=' + encodeURIComponent(meterSel.value), { credentials: 'same-origin' })
      .then(function (r) { return r.json(); }).then(function (j) {
        var tb = $('imports').tBodies[0];
        tb.textContent = '';
        (j.imports || []).forEach(function (im) {
          var tr = el('tr');
          tr.appendChild(el('td', String(im.id)));
          tr.appendChild(el('td', fmtTime(im.time)));
          tr.appendChild(el('td', im.source));
          tr.appendChild(el('td', im.file || ''));
          tr.appendChild(el('td', String(im.written), 'num'));
          tr.appendChild(el('td', String(im.updated), 'num'));
          var td = el('td');
          if (im.undone) {
            td.appendChild(el('span', S('js.undone'), 'muted'));
          } else {
            var b = el('button', S('js.undo'), 'secondary');
            b.type = 'button';
            b.id = 'undo-' + im.id;
            b.addEventListener('click', function () { askUndo(im, td); });
            td.appendChild(b);
          }
          tr.appendChild(td);
          tb.appendChild(tr);
        });
      }).catch(function () {});
  }

  // A second, explicit click confirms: an undo removes readings.
  function askUndo(im, td) {
    td.textContent = '';
    var yes = el('button', S('js.undo_really'));
    yes.type = 'button';
    yes.id = 'undo-confirm-' + im.id;
    var no = el('button', S('js.no'), 'secondary');
    no.type = 'button';
    no.addEventListener('click', loadImports);
    yes.addEventListener('click', function () {
      fetch('/api/v1/imports/' + im.id + '/undo', { method: 'POST', credentials: 'same-origin' }).then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || S('js.http_error', r.status)); return j; });
      }).then(function (res) {
        $('imports-result').textContent = S('js.undo_done', im.id, res.removed.length, res.restored.length);
        $('imports-result').className = '';
        refreshMeters();
        loadImports();
      }).catch(function (e) { $('imports-result').textContent = e.message; $('imports-result').className = 'error'; loadImports(); });
    });
    td.appendChild(yes);
    td.appendChild(no);
  }
  meterSel.addEventListener('change', loadImports);
  loadImports();

  // --- manual reading -----------------------------------------------------
  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // "04.11.2025" or "2025-11-04" → "2025-11-04"; null if no real date.
  function parseDate(s) {
    var m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\s*$/.exec(s), y, mo, d;
    if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; if (m[3].length === 2) y += y < 69 ? 2000 : 1900; }
    else if ((m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(s))) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else return null;
    var t = new Date(Date.UTC(y, mo - 1, d));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
    return y + '-' + pad(mo) + '-' + pad(d);
  }

  function parseClock(s) {
    if (!s.trim()) return '00:00';
    var m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(s);
    if (!m || +m[1] > 23 || +m[2] > 59) return null;
    return pad(+m[1]) + ':' + m[2];
  }

  // German numbers: "12.345,6", "12345,6", "12.345" (thousands) or
  // "12345.6"; English ones: "12,345.6" or "12345.6".
  function parseNumber(s) {
    var t = s.replace(/\s/g, '');
    if (lang === 'en') {
      if (!/^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(t)) return null;
      return Number(t.replace(/,/g, ''));
    }
    if (t.indexOf(',') >= 0) {
      if (!/^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/.test(t)) return null;
      t = t.replace(/\./g, '').replace(',', '.');
    } else if (/^-?\d{1,3}(\.\d{3})+$/.test(t)) {
      t = t.replace(/\./g, '');
    } else if (!/^-?\d+(\.\d+)?$/.test(t)) {
      return null;
    }
    return Number(t);
  }

  var now = new Date();
  $('manual-date').value = lang === 'en' ? now.getFullYear() + '-' + pad(now.getMonth() + 1) + '-' + pad(now.getDate()) :
    pad(now.getDate()) + '.' + pad(now.getMonth() + 1) + '.' + now.getFullYear();

  // The manual reading gets the same preview as a file: checked first
  // (a dry run), saved on confirmation.
  var manualPending = null;
  function postManual(reading, dryRun, confirm) {
    var q = [];
    if (dryRun) q.push('dry_run=true');
    if (confirm) q.push('confirm=true');
    return fetch('/api/v1/meters/' + encodeURIComponent(meterSel.value) + '/readings' + (q.length ? '?' + q.join('&') : ''), {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(reading)
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || S('js.http_error', r.status)); return j; });
    });
  }

  $('manual-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var out = $('manual-result');
    out.className = '';
    out.textContent = '';
    $('manual-preview').hidden = true;
    var date = parseDate($('manual-date').value), clock = parseClock($('manual-time').value), value = parseNumber($('manual-value').value);
    var bad = !date ? S('js.bad_date') : !clock ? S('js.bad_time') : value === null ? S('js.bad_value') : '';
    if (bad) { out.textContent = bad; out.className = 'error'; return; }
    var reading = { time: date + 'T' + clock, value: value };
    postManual(reading, true, false).then(function (sum) {
      var held = (sum.unconfirmed || []).length > 0;
      if (sum.rejected.length && !held) throw new Error(sum.rejected[0].error);
      manualPending = { reading: reading, confirm: held };
      var rd = sum.readings[0];
      var what = held ? S('js.held', sum.rejected[0].error) :
        S(sum.written ? 'js.would_save' : sum.updated ? 'js.would_change' : 'js.exists', fmtNum(rd.value), fmtTime(rd.time));
      $('manual-preview-text').textContent = what + (sum.warnings.length ? ' – ' + S('js.warning', sum.warnings[0].warning) : '');
      $('manual-confirm').disabled = !sum.written && !sum.updated && !held;
      $('manual-preview').hidden = false;
    }).catch(function (e) { out.textContent = e.message; out.className = 'error'; });
  });

  $('manual-cancel').addEventListener('click', function () { manualPending = null; $('manual-preview').hidden = true; });

  $('manual-confirm').addEventListener('click', function () {
    if (!manualPending) return;
    var out = $('manual-result');
    postManual(manualPending.reading, false, manualPending.confirm).then(function (sum) {
      if (sum.rejected.length) throw new Error(sum.rejected[0].error);
      var rd = sum.readings[0];
      out.textContent = S(sum.written ? 'js.saved' : sum.updated ? 'js.changed' : 'js.exists', fmtNum(rd.value), fmtTime(rd.time)) +
        (sum.warnings.length ? ' – ' + S('js.warning', sum.warnings[0].warning) : '');
      out.className = sum.warnings.length ? 'warn' : '';
      $('manual-preview').hidden = true;
      manualPending = null;
      refreshMeters();
      loadImports();
    }).catch(function (e) { out.textContent = e.message; out.className = 'error'; });
  });
})();
