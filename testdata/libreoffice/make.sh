#!/bin/sh
# Regenerates the fixtures of this folder with LibreOffice, the way people's
# spreadsheet files are written: zaehler.fods (a cover sheet, a header with
# a unit, a line break and rich text, date and time cells, an error cell, a
# mistyped 2031 and 1925, text cells) and einfach.fods (one sheet). CI does
# not run this; the files it writes are committed. Needs Debian's
# libreoffice-calc:
#   apt-get install --no-install-recommends libreoffice-calc
set -eu
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
convert() { soffice --headless --norestore -env:UserInstallation=file://"$out"/profile --convert-to "$1" --outdir "$out" "$2" >/dev/null; }
convert xlsx zaehler.fods
convert xls zaehler.fods
convert xlsx einfach.fods
convert xls einfach.fods
# Windows-1252 CSV with ';' and '"' (the filter's 1 is MS-1252), as a German
# Excel or LibreOffice saves "CSV (Trennzeichen-getrennt)".
convert 'csv:Text - txt - csv (StarCalc):59,34,1,1' einfach.fods
mv "$out"/zaehler.xlsx "$out"/zaehler.xls "$out"/einfach.xlsx "$out"/einfach.xls .
mv "$out"/einfach.csv einfach-1252.csv
