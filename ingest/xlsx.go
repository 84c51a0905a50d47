package ingest

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
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

// workbook is an .xlsx within its unzip limits. Its sheets are read
// straight from the zip, a worksheet streamed through the scanner
// (xlsxscan.go); excelize opens the file only for what the scanner does
// not read: a workbook whose parts are not where they should be, or
// shared strings too large to hold.
type workbook struct {
	r      FileSource
	zr     *zip.Reader
	sheets []string // in the workbook's order
	parts  []string // each sheet's worksheet part in the zip; "" if unknown
	sst    string   // the shared strings part; "" if none
	is1904 bool

	strings *sharedStrings // read on the first sheet that needs them
	f       *excelize.File // opened only when needed (excel)
}

// openWorkbook checks the workbook's cells (checkCellSizes) and reads its
// list of sheets.
func openWorkbook(r FileSource, size int64) (*workbook, error) {
	if err := checkCellSizes(r, size); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, inputError("xlsx.unreadable", err)
	}
	w := &workbook{r: r, zr: zr}
	if !w.readParts() {
		// Not laid out as Excel and LibreOffice write it: excelize
		// decides what the file holds, or what is wrong with it.
		f, err := w.excel()
		if err != nil {
			return nil, err
		}
		w.sheets, w.parts = f.GetSheetList(), nil
		if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
			w.is1904 = *props.Date1904
		}
	}
	if len(w.sheets) == 0 {
		w.Close()
		return nil, inputError("workbook.no_sheets")
	}
	return w, nil
}

// readParts finds the sheets' names and worksheet parts, the shared
// strings and the date system in xl/workbook.xml and its relationships.
func (w *workbook) readParts() bool {
	wb, ok := w.readPart("xl/workbook.xml")
	if !ok {
		return false
	}
	rels, ok := w.readPart("xl/_rels/workbook.xml.rels")
	if !ok {
		return false
	}
	var book struct {
		Props struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(wb, &book) != nil || xml.Unmarshal(rels, &r) != nil || len(book.Sheets) == 0 {
		return false
	}
	target := func(t string) string {
		if strings.HasPrefix(t, "/") {
			return strings.TrimPrefix(t, "/")
		}
		return path.Join("xl", t)
	}
	byID := map[string]string{}
	for _, rel := range r.Rels {
		byID[rel.ID] = target(rel.Target)
		if strings.HasSuffix(rel.Type, "/sharedStrings") {
			w.sst = target(rel.Target)
		}
	}
	for _, sh := range book.Sheets {
		w.sheets = append(w.sheets, sh.Name)
		w.parts = append(w.parts, byID[sh.ID])
	}
	w.is1904 = book.Props.Date1904 == "1" || book.Props.Date1904 == "true"
	return true
}

// readPart reads a small part whole; ok is false when it is missing or
// unreadable.
func (w *workbook) readPart(name string) ([]byte, bool) {
	f := w.part(name)
	if f == nil {
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, unzipXMLSizeLimit+1))
	return b, err == nil && int64(len(b)) <= unzipXMLSizeLimit
}

func (w *workbook) part(name string) *zip.File {
	for _, f := range w.zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// excel opens the workbook with excelize, once.
func (w *workbook) excel() (*excelize.File, error) {
	if w.f != nil {
		return w.f, nil
	}
	if _, err := w.r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(w.r, excelize.Options{UnzipSizeLimit: UnzipSizeLimit, UnzipXMLSizeLimit: unzipXMLSizeLimit})
	if err != nil {
		return nil, inputError("xlsx.unreadable", err)
	}
	w.f = f
	return f, nil
}

func (w *workbook) Close() error {
	if w.f != nil {
		return w.f.Close()
	}
	return nil
}

// source reads a sheet with the scanner where it can, else with
// excelize's row iterator; done releases it.
func (w *workbook) source(sheet string) (rowSource, func(), error) {
	if sc, ok := w.scanner(slices.Index(w.sheets, sheet)); ok {
		return sc, func() { sc.close() }, nil
	}
	xs, err := w.rows(sheet)
	if err != nil {
		return nil, nil, err
	}
	return xs, func() { xs.rows.Close() }, nil
}

// scanner streams sheet number index (in workbook order) from the zip;
// ok is false when the scanner cannot read it: no part found, or shared
// strings larger than UnzipXMLSizeLimit, which it would have to hold.
func (w *workbook) scanner(index int) (*sheetScanner, bool) {
	if index < 0 || index >= len(w.parts) || w.parts[index] == "" {
		return nil, false
	}
	f := w.part(w.parts[index])
	if f == nil {
		return nil, false
	}
	if w.sst != "" && w.strings == nil {
		b, ok := w.readPart(w.sst)
		if !ok && w.part(w.sst) != nil {
			return nil, false
		}
		w.strings = indexSharedStrings(b)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	return &sheetScanner{rd: rc, rc: rc, sst: w.strings, is1904: w.is1904, chunk: scanChunk, size: int(min(f.UncompressedSize64, UnzipSizeLimit))}, true
}

// rows is excelize's own row iterator over a sheet.
func (w *workbook) rows(sheet string) (*xlsxSource, error) {
	f, err := w.excel()
	if err != nil {
		return nil, err
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, inputError("sheet.unreadable", Quoted(sheet), err)
	}
	return &xlsxSource{f: f, sheet: sheet, rows: rows, is1904: w.is1904}, nil
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
