// meterd upload page: dry-run preview, confirm, progress, manual reading.
// Plain JavaScript, no framework; German number and date formats in and out.
(function () {
  'use strict';
  var body = document.body;
  var tz = body.dataset.timezone || 'Europe/Berlin';
  var maxBytes = Number(body.dataset.maxBytes) || 0;
  var numFmt = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 10 });
  var timeFmt = new Intl.DateTimeFormat('de-DE', {
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

  document.querySelectorAll('.de-number').forEach(function (e) { e.textContent = fmtNum(Number(e.textContent)); });
  document.querySelectorAll('.de-time').forEach(function (e) { e.textContent = '(' + fmtTime(e.textContent) + ')'; });

  var meterSel = $('meter');
  if (!meterSel) return;

  function showLast() {
    var o = meterSel.selectedOptions[0];
    var p = $('last-reading');
    if (o && o.dataset.lastTime) {
      p.textContent = 'Letzter Stand: ' + fmtNum(Number(o.dataset.lastValue)) + ' ' + o.dataset.unit + ' am ' + fmtTime(o.dataset.lastTime);
    } else {
      p.textContent = 'Noch kein Zählerstand gespeichert.';
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

  function send(file, dryRun) {
    return new Promise(function (resolve, reject) {
      var fd = new FormData();
      fd.append('file', file);
      if (dryRun) fd.append('dry_run', 'true');
      if ($('strict').checked) fd.append('strict', 'true');
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
        else reject(new Error((j && j.error) || ('Fehler ' + xhr.status)));
      };
      xhr.onerror = function () { reject(new Error('Keine Verbindung zu meterd.')); };
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
    $('preview').hidden = true;
    showError('');
  }

  function counts(dl, sum) {
    dl.textContent = '';
    [['Gelesen', sum.parsed], ['Neu', sum.written], ['Geändert', sum.updated],
     ['Schon vorhanden', sum.duplicates], ['Abgelehnt', sum.rejected.length], ['Warnungen', sum.warnings.length]
    ].forEach(function (kv) {
      dl.appendChild(el('dt', kv[0]));
      dl.appendChild(el('dd', String(kv[1])));
    });
  }

  function problems(box, sum) {
    box.textContent = '';
    if (sum.rejected.length) {
      box.appendChild(el('h4', 'Abgelehnte Zeilen'));
      var ul = el('ul', undefined, 'problems');
      sum.rejected.forEach(function (r) { ul.appendChild(el('li', 'Zeile ' + r.row + ': ' + r.error, 'error')); });
      box.appendChild(ul);
    }
    if (sum.warnings.length) {
      box.appendChild(el('h4', 'Warnungen'));
      var wl = el('ul', undefined, 'problems');
      sum.warnings.forEach(function (w) { wl.appendChild(el('li', 'Zeile ' + w.row + ': ' + w.warning, 'warn')); });
      box.appendChild(wl);
    }
  }

  function rangeText(sum) {
    var rs = sum.readings;
    if (!rs.length) return 'Keine gültigen Zählerstände in der Datei.';
    var unit = meterSel.selectedOptions[0].dataset.unit;
    var first = rs[0], last = rs[rs.length - 1];
    return 'Erster Stand: ' + fmtNum(first.value) + ' ' + unit + ' am ' + fmtTime(first.time) +
      ' · Letzter Stand: ' + fmtNum(last.value) + ' ' + unit + ' am ' + fmtTime(last.time);
  }

  $('upload-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    resetUpload();
    $('result').hidden = true;
    var file = $('file').files[0];
    if (!file) return;
    if (maxBytes && file.size > maxBytes) {
      showError('Die Datei ist größer als ' + fmtNum(maxBytes / 1048576) + ' MiB.');
      return;
    }
    $('preview-button').disabled = true;
    send(file, true).then(function (sum) {
      pendingFile = file;
      counts($('preview-counts'), sum);
      $('preview-range').textContent = rangeText(sum);
      problems($('preview-problems'), sum);
      $('confirm-button').disabled = sum.parsed === 0;
      $('preview').hidden = false;
    }).catch(function (e) { showError(e.message); })
      .then(function () { $('preview-button').disabled = false; });
  });

  $('cancel-button').addEventListener('click', resetUpload);

  $('confirm-button').addEventListener('click', function () {
    if (!pendingFile) return;
    $('confirm-button').disabled = true;
    send(pendingFile, false).then(function (sum) {
      $('preview').hidden = true;
      var r = $('result');
      r.textContent = '';
      r.appendChild(el('h3', 'Übernommen: ' + sum.file));
      var dl = el('dl', undefined, 'counts');
      counts(dl, sum);
      r.appendChild(dl);
      var box = el('div');
      problems(box, sum);
      r.appendChild(box);
      r.hidden = false;
      pendingFile = null;
      refreshMeters();
    }).catch(function (e) { showError(e.message); })
      .then(function () { $('confirm-button').disabled = false; });
  });

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

  // German numbers: "12.345,6", "12345,6", "12.345" (thousands) or "12345.6".
  function parseNumber(s) {
    var t = s.replace(/\s/g, '');
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
  $('manual-date').value = pad(now.getDate()) + '.' + pad(now.getMonth() + 1) + '.' + now.getFullYear();

  $('manual-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var out = $('manual-result');
    out.className = '';
    var date = parseDate($('manual-date').value), clock = parseClock($('manual-time').value), value = parseNumber($('manual-value').value);
    var bad = !date ? 'Datum bitte als TT.MM.JJJJ angeben.' : !clock ? 'Uhrzeit bitte als HH:MM angeben.' : value === null ? 'Zählerstand bitte als Zahl angeben, z. B. 12.345,6.' : '';
    if (bad) { out.textContent = bad; out.className = 'error'; return; }
    fetch('/api/v1/meters/' + encodeURIComponent(meterSel.value) + '/readings', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ time: date + 'T' + clock, value: value })
    }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || ('Fehler ' + r.status)); return j; });
    }).then(function (sum) {
      if (sum.rejected.length) throw new Error(sum.rejected[0].error);
      var rd = sum.readings[0];
      var what = sum.written ? 'Gespeichert' : sum.updated ? 'Geändert' : 'Schon vorhanden';
      out.textContent = what + ': ' + fmtNum(rd.value) + ' am ' + fmtTime(rd.time) + (sum.warnings.length ? ' – Warnung: ' + sum.warnings[0].warning : '');
      out.className = sum.warnings.length ? 'warn' : '';
      refreshMeters();
    }).catch(function (e) { out.textContent = e.message; out.className = 'error'; });
  });
})();
