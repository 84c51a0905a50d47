package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// csvSource reads a CSV file row by row. The separator is ';' when the
// file's first lines have one (German spreadsheets), else ','; text is
// UTF-8 (a BOM is dropped) or, when it is not valid UTF-8, Windows-1252.
type csvSource struct {
	r    *csv.Reader
	rows int // at most this many rows: see rowsHint
}

func newCSVSource(rs io.ReadSeeker) (*csvSource, error) {
	utf8OK, sep, breaks, size, err := sniffCSV(rs)
	if err != nil {
		return nil, err
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rs, 64<<10)
	var r io.Reader = br
	if utf8OK {
		if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
		}
	} else {
		r = charmap.Windows1252.NewDecoder().Reader(br)
	}
	cr := csv.NewReader(r)
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvSource{r: cr, rows: min(breaks, size/minCSVRowBytes) + 1}, nil
}

// minCSVRowBytes is the shortest line that holds a reading: "1.1.25;1\n".
// A file of empty lines gets room for what its bytes could hold, not a
// slot per line.
const minCSVRowBytes = len("1.1.25;1\n")

func (s *csvSource) rowsHint() int { return s.rows }

// sniffCSV reads the file once, in constant memory, to learn whether it is
// UTF-8, which separator its first lines use, and how many line breaks
// and bytes it has.
func sniffCSV(r io.Reader) (utf8OK bool, sep rune, breaks, size int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	utf8OK, sep = true, ','
	var carry []byte // an incomplete UTF-8 sequence at a chunk's end
	lines := 0
	buf := make([]byte, 64<<10)
	for {
		n, rerr := br.Read(buf)
		breaks += bytes.Count(buf[:n], []byte{'\n'})
		size += n
		chunk := append(carry, buf[:n]...)
		carry = nil
		if lines < MaxHeaderRow {
			for _, b := range chunk {
				if b == '\n' {
					lines++
					if lines >= MaxHeaderRow {
						break
					}
				}
				if b == ';' {
					sep = ';'
				}
			}
		}
		if utf8OK {
			// Keep up to 3 trailing bytes that may start a rune cut by the
			// chunk boundary.
			end := len(chunk)
			for k := 1; k <= 3 && k <= len(chunk); k++ {
				if utf8.RuneStart(chunk[len(chunk)-k]) {
					if !utf8.FullRune(chunk[len(chunk)-k:]) {
						end = len(chunk) - k
					}
					break
				}
			}
			if !utf8.Valid(chunk[:end]) {
				utf8OK = false
			}
			carry = append([]byte(nil), chunk[end:]...)
		}
		if rerr == io.EOF {
			if len(carry) > 0 {
				utf8OK = false
			}
			return utf8OK, sep, breaks, size, nil
		}
		if rerr != nil {
			return false, 0, 0, 0, rerr
		}
	}
}

func (s *csvSource) next() (int, []cell, bool, error) {
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, false, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return 0, nil, false, inputError("csv.line_unreadable", pe.Line, pe.Err)
		}
		return 0, nil, false, err
	}
	line, _ := s.r.FieldPos(0)
	cells := make([]cell, len(rec))
	for i, f := range rec {
		cells[i] = cell{text: f}
	}
	return line, cells, true, nil
}

func (s *csvSource) spreadsheet() bool { return false }
func (s *csvSource) date1904() bool    { return false }
