package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"time"
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
		return "", inputErrorf("%s is named like an Excel workbook but is not one: save it again as .xlsx, or export CSV", filepath.Base(name))
	case ext == ".ods" || ext == ".numbers" || ext == ".pdf":
		return "", inputErrorf("%s files are not read: save the sheet as .xlsx or CSV", ext)
	}
	return FormatCSV, nil
}

// ParseFile reads a .xlsx, .xls or .csv file of readings. Local times are in
// loc. Errors about the file as a whole are Invalid faults; nothing of such a
// file may be imported.
func ParseFile(name string, f FileSource, size int64, loc *time.Location, maxRows int) (*ParsedFile, error) {
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
		return nil, inputErrorf("%s is empty", filepath.Base(name))
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
		var src rowSource
		switch format {
		case FormatXLSX:
			xs, closeFn, err := openXLSX(f, size)
			if err != nil {
				return err
			}
			defer closeFn()
			src = xs
		case FormatXLS:
			xs, err := newXLSSource(f, size)
			if err != nil {
				return err
			}
			src = xs
		default:
			cs, err := newCSVSource(f)
			if err != nil {
				return err
			}
			src = cs
		}
		t, err := readTable(src, loc, maxRows)
		p.Table = t
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
