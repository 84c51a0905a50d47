package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/meterd/meterd/msg"
)

// File formats meterd reads.
const (
	FormatXLSX = "xlsx"
	FormatXLS  = "xls"
	FormatCSV  = "csv"
)

// FileSource is an uploaded or local file: readable, seekable, sized.
type FileSource interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// ParsedFile is a file turned into readings.
type ParsedFile struct {
	Name   string
	Format string
	SHA256 string
	// Sheet is the workbook sheet the readings were on ("" for CSV).
	Sheet string
	*Table
}

// Source is the reading source a format records: excel or csv.
func (p *ParsedFile) Source() string {
	if p.Format == FormatCSV {
		return "csv"
	}
	return "excel"
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// DetectFormat tells the format from the first bytes, not the name alone: a
// file named .xlsx that is no workbook gets a clear error.
func DetectFormat(name string, head []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, oleMagic):
		return FormatXLS, nil
	case ext == ".xlsx" || ext == ".xlsm" || ext == ".xls":
		return "", inputError("file.not_excel", filepath.Base(name))
	case ext == ".ods" || ext == ".numbers" || ext == ".pdf":
		return "", inputError("file.type_unsupported", ext)
	}
	return FormatCSV, nil
}

// Options steer ParseFile: MaxRows bounds the data rows (0: the default),
// Choice says where the readings are when the header is not recognised.
type Options struct {
	MaxRows int
	Choice  Choice
	// Lang is the language of the rejected rows' texts (zero: English).
	Lang msg.Lang
	// Domain, when set, rejects a row outside it as it is read, naming its
	// date cell as the row wrote it.
	Domain *Domain
}

// SheetPreview is the start of a sheet as a person sees it, for choosing
// the header row and columns: the texts of its first rows.
type SheetPreview struct {
	Name string     `json:"name"`
	Rows [][]string `json:"rows"`
}

// NoHeaderError is a file without a recognised header row, with the first
// rows of each sheet to choose from.
type NoHeaderError struct {
	err    error
	Sheets []SheetPreview
}

func (e *NoHeaderError) Error() string { return e.err.Error() }
func (e *NoHeaderError) Unwrap() error { return e.err }

// previewRows is how many rows a preview shows.
const previewRows = 12

// preview reads the first rows of a source as text.
func preview(name string, src rowSource) SheetPreview {
	p := SheetPreview{Name: name, Rows: [][]string{}}
	for len(p.Rows) < previewRows {
		row, cells, ok, err := src.next()
		if err != nil || !ok {
			break
		}
		for len(p.Rows) < row-1 && len(p.Rows) < previewRows {
			p.Rows = append(p.Rows, []string{}) // an empty row the source skipped
		}
		texts := make([]string, len(cells))
		for i, c := range cells {
			if c.isNum {
				texts[i] = formatNum(c.num)
			} else {
				texts[i] = clip(c.text)
			}
		}
		if len(p.Rows) < previewRows {
			p.Rows = append(p.Rows, texts)
		}
	}
	return p
}

// ParseFile reads a .xlsx, .xls or .csv file of readings. Local times are in
// loc. Errors about the file as a whole are Invalid faults; nothing of such a
// file may be imported. A workbook's readings are on the first sheet with a
// recognised header (a cover sheet before it is passed over), or on the
// sheet chosen; a file without a recognised header is a *NoHeaderError
// with the first rows of its sheets.
func ParseFile(name string, f FileSource, size int64, loc *time.Location, o Options) (*ParsedFile, error) {
	if err := o.Choice.check(); err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n == 0 {
		return nil, inputError("file.empty", filepath.Base(name))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	format, err := DetectFormat(name, head[:n])
	if err != nil {
		return nil, err
	}
	p := &ParsedFile{Name: filepath.Base(name), Format: format, SHA256: hex.EncodeToString(h.Sum(nil))}
	err = guard(format+" file", func() error {
		sheets, open, closeBook, err := openSheets(format, f, size)
		if err != nil {
			return err
		}
		defer closeBook()
		candidates := sheets
		if o.Choice.Sheet != "" {
			if !slices.Contains(sheets, o.Choice.Sheet) {
				return inputError("workbook.no_such_sheet", Quoted(o.Choice.Sheet), strings.Join(quotedAll(sheets), ", "))
			}
			candidates = []string{o.Choice.Sheet}
		}
		var firstErr error
		for _, sheet := range candidates {
			src, done, err := open(sheet)
			if err != nil {
				return err
			}
			t, err := readTable(src, loc, o)
			done()
			if errors.Is(err, errNoHeader) {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			p.Table, p.Sheet = t, sheet
			return err
		}
		// No sheet has a header: show their starts to choose from.
		return &NoHeaderError{err: firstErr, Sheets: previewSheets(sheets, open)}
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// sheetOpener opens one sheet of a file as rows; done releases it.
type sheetOpener func(sheet string) (src rowSource, done func(), err error)

// openSheets opens a file of format for reading sheet by sheet: its sheet
// names (a CSV file has one, named "") and how to open each. closeBook
// releases the file once no sheet is read any more.
func openSheets(format string, f FileSource, size int64) (sheets []string, open sheetOpener, closeBook func(), err error) {
	switch format {
	case FormatXLSX:
		wb, err := openWorkbook(f, size)
		if err != nil {
			return nil, nil, nil, err
		}
		return wb.sheets, wb.source, func() { wb.Close() }, nil
	case FormatXLS:
		book, err := newXLSBook(f, size)
		if err != nil {
			return nil, nil, nil, err
		}
		return book.sheets, book.source, func() {}, nil
	}
	open = func(string) (rowSource, func(), error) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		cs, err := newCSVSource(f)
		return cs, func() {}, err
	}
	return []string{""}, open, func() {}, nil
}

// previewSheets reads the first rows of each sheet that opens: one sheet
// that cannot be read does not hide the others.
func previewSheets(sheets []string, open sheetOpener) []SheetPreview {
	var out []SheetPreview
	for _, sheet := range sheets {
		if src, done, err := open(sheet); err == nil {
			out = append(out, preview(sheet, src))
			done()
		}
	}
	return out
}

func quotedAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Quoted(s)
	}
	return out
}

// Preview reads the first rows of every sheet of a file (of a CSV file:
// its one "sheet" named ""), for choosing where its readings are; ok is
// false for a file that cannot be read.
func Preview(name string, f FileSource, size int64) (sheets []SheetPreview, ok bool) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, false
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	format, err := DetectFormat(name, head[:n])
	if err != nil {
		return nil, false
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, false
	}
	err = guard(format+" file", func() error {
		names, open, closeBook, err := openSheets(format, f, size)
		if err != nil {
			return err
		}
		defer closeBook()
		sheets = previewSheets(names, open)
		return nil
	})
	return sheets, err == nil
}
