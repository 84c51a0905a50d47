package ingest

import (
	"archive/zip"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// UnzipSizeLimit caps what an .xlsx may unpack to (excelize's default is
// 16 GB, a zip bomb's dream).
const UnzipSizeLimit = 256 << 20

// UnzipXMLSizeLimit is the largest worksheet kept in memory for the fast
// scanner; excelize spills larger ones to a temporary file, read by its own
// (slower) row iterator, so memory stays bounded either way.
const UnzipXMLSizeLimit = 64 << 20

// unzipXMLSizeLimit is UnzipXMLSizeLimit; tests lower it to reach the
// spilled path with small files.
var unzipXMLSizeLimit int64 = UnzipXMLSizeLimit

// workbook is an .xlsx opened through excelize, within its unzip limits.
type workbook struct {
	f      *excelize.File
	sheets []string // in the workbook's order
	is1904 bool
}

// openWorkbook checks the workbook's cells (checkCellSizes) and opens it.
func openWorkbook(r FileSource, size int64) (*workbook, error) {
	if err := checkCellSizes(r, size); err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: UnzipSizeLimit, UnzipXMLSizeLimit: unzipXMLSizeLimit})
	if err != nil {
		return nil, inputError("xlsx.unreadable", err)
	}
	w := &workbook{f: f, sheets: f.GetSheetList()}
	if len(w.sheets) == 0 {
		f.Close()
		return nil, inputError("workbook.no_sheets")
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		w.is1904 = *props.Date1904
	}
	return w, nil
}

func (w *workbook) Close() error { return w.f.Close() }

// source reads a sheet with the fast scanner where it can, else with
// excelize's row iterator; done releases it.
func (w *workbook) source(sheet string) (rowSource, func(), error) {
	if sc, ok := newSheetScanner(w.f, slices.Index(w.sheets, sheet), w.is1904); ok {
		return sc, func() {}, nil
	}
	xs, err := w.rows(sheet)
	if err != nil {
		return nil, nil, err
	}
	return xs, func() { xs.rows.Close() }, nil
}

// rows is excelize's own row iterator over a sheet.
func (w *workbook) rows(sheet string) (*xlsxSource, error) {
	rows, err := w.f.Rows(sheet)
	if err != nil {
		return nil, inputError("sheet.unreadable", Quoted(sheet), err)
	}
	return &xlsxSource{f: w.f, sheet: sheet, rows: rows, is1904: w.is1904}, nil
}

// MaxCellBytes bounds the text of one cell in a workbook's XML: Excel
// holds at most 32,767 characters in a cell, and even written as entities
// (6 bytes each) those fit. A longer text is no sheet of readings, and
// reading it would cost memory many times its size.
const MaxCellBytes = 256 << 10

// checkCellSizes streams the workbook's XML parts once, before excelize
// holds any of them, and refuses a text longer than MaxCellBytes. The
// unpacked total stays within UnzipSizeLimit.
func checkCellSizes(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return inputError("xlsx.unreadable", err)
	}
	tooLarge := inputError("xlsx.too_large", UnzipSizeLimit>>20)
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
	}
	if declared > UnzipSizeLimit {
		return tooLarge
	}
	buf := make([]byte, 64<<10)
	var total int64
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return inputError("xlsx.part_unreadable", f.Name, err)
		}
		run := 0 // bytes since the last '<' or '>'
		for {
			n, rerr := rc.Read(buf)
			total += int64(n)
			if total > UnzipSizeLimit { // the sizes it declared were false
				rc.Close()
				return tooLarge
			}
			// A plain loop: bytes.IndexAny builds its set on every call,
			// and XML has a tag every few bytes.
			for _, c := range buf[:n] {
				if c == '<' || c == '>' {
					run = 0
				} else if run++; run > MaxCellBytes {
					break
				}
			}
			if run > MaxCellBytes {
				rc.Close()
				return inputError("xlsx.cell_too_long", f.Name)
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				rc.Close()
				return inputError("xlsx.part_unreadable", f.Name, rerr)
			}
		}
		rc.Close()
	}
	return nil
}

// xlsxSource streams one sheet of a workbook, one row at a time.
type xlsxSource struct {
	f      *excelize.File
	sheet  string
	rows   *excelize.Rows
	row    int
	is1904 bool
}

// thousandsOnly looks like a number to Go but, in a text cell of a file
// with decimal commas, is 12.345 = 12345. Only such cells need their type.
var thousandsOnly = regexp.MustCompile(`^[+-]?\d{1,3}(\.\d{3})+$`)

func (s *xlsxSource) next() (int, []cell, bool, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, false, inputError("sheet.unreadable_after", s.row, err)
		}
		return 0, nil, false, nil
	}
	s.row++
	raw, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, false, inputError("row.unreadable", s.row, err)
	}
	cells := make([]cell, len(raw))
	for i, v := range raw {
		cells[i] = s.cell(i, v)
	}
	return s.row, cells, true, nil
}

// cell types a raw value. excelize's stream gives raw text for every cell;
// a number cell's raw text is always Go-parsable with a dot, so parsing
// tells numbers from text, except for text like "12.345" which asks the
// sheet for the cell's type.
func (s *xlsxSource) cell(col int, v string) cell {
	f, ok := parseDecimal(v)
	if !ok { // no hex, Inf or NaN
		return cell{text: v}
	}
	if thousandsOnly.MatchString(strings.TrimSpace(v)) {
		name, _ := excelize.CoordinatesToCellName(col+1, s.row)
		if t, err := s.f.GetCellType(s.sheet, name); err == nil && (t == excelize.CellTypeSharedString || t == excelize.CellTypeInlineString) {
			return cell{text: v}
		}
	}
	return cell{num: f, isNum: true}
}

func (s *xlsxSource) spreadsheet() bool { return true }
func (s *xlsxSource) date1904() bool    { return s.is1904 }

// guard turns a panic inside a third-party reader into an error: no file
// may bring the daemon down.
func guard(what string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = inputError("reader.panic", what, fmt.Sprint(p))
		}
	}()
	return fn()
}
