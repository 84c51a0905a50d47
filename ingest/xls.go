package ingest

import (
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shakinm/xlsReader/xls"
)

// MaxXLSBytes caps legacy .xls files: the reader holds the whole workbook
// in memory and sizes buffers from the file's own header.
const MaxXLSBytes = 16 << 20

// xlsBook is a legacy BIFF8 .xls workbook read into memory. The reader is
// known to panic on some files, so everything it does runs behind guard,
// and it never sees more than MaxXLSBytes.
type xlsBook struct {
	sheets []string
	rows   [][][]cell // per sheet
}

// xlsSource reads one sheet of an xlsBook.
type xlsSource struct {
	rows [][]cell
	i    int
}

func newXLSBook(r io.ReadSeeker, size int64) (*xlsBook, error) {
	if size > MaxXLSBytes {
		return nil, inputError("xls.too_large", MaxXLSBytes>>20)
	}
	b := &xlsBook{}
	err := guard(".xls file", func() error {
		wb, err := xls.OpenReader(r)
		if err != nil {
			return inputError("xls.unreadable", err)
		}
		if wb.GetNumberSheets() == 0 {
			return inputError("workbook.no_sheets")
		}
		total := 0
		for k := 0; k < wb.GetNumberSheets(); k++ {
			sheet, err := wb.GetSheet(k)
			if err != nil {
				return inputError("xls.sheet_unreadable", k+1, err)
			}
			var rows [][]cell
			for i := 0; i < sheet.GetNumberRows(); i++ {
				row, err := sheet.GetRow(i)
				var cells []cell
				if err == nil && row != nil {
					for _, c := range row.GetCols() {
						cells = append(cells, xlsCell(c.GetType(), c))
					}
				}
				rows = append(rows, cells)
				if total++; total > DefaultMaxRows+MaxHeaderRow {
					return inputError("file.too_many_rows", DefaultMaxRows)
				}
			}
			b.sheets = append(b.sheets, latin1(sheet.GetName()))
			b.rows = append(b.rows, rows)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// source reads one sheet of the book.
func (b *xlsBook) source(sheet string) (rowSource, func(), error) {
	k := slices.Index(b.sheets, sheet)
	if k < 0 {
		return nil, nil, inputError("workbook.no_such_sheet_short", Quoted(sheet))
	}
	return &xlsSource{rows: b.rows[k]}, func() {}, nil
}

type xlsCellData interface {
	GetString() string
	GetFloat64() float64
}

func xlsCell(typ string, c xlsCellData) cell {
	switch {
	case strings.HasSuffix(typ, ".Number"), strings.HasSuffix(typ, ".Rk"):
		return cell{num: c.GetFloat64(), isNum: true}
	case strings.HasSuffix(typ, "Blank"):
		return cell{}
	default:
		return cell{text: latin1(c.GetString())}
	}
}

// latin1 decodes BIFF8's one-byte ("compressed") strings, which the .xls
// reader hands over as raw Latin-1 bytes: without it no header with an
// umlaut (Zählerstand) matches. Text that is valid UTF-8 already is kept.
func latin1(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

func (s *xlsSource) next() (int, []cell, bool, error) {
	if s.i >= len(s.rows) {
		return 0, nil, false, nil
	}
	s.i++
	return s.i, s.rows[s.i-1], true, nil
}

func (s *xlsSource) spreadsheet() bool { return true }

// date1904 is false: the reader does not expose the workbook's date
// system, and Windows Excel's default is 1900.
func (s *xlsSource) date1904() bool { return false }
