package ingest

import (
	"bytes"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sheetScanner reads a worksheet's XML as it is unzipped. excelize decodes
// every cell with encoding/xml's reflection, which costs about a second
// per 100,000 rows on a small machine, and holds the whole worksheet; a
// worksheet is a flat list of <row><c r t><v>…</v></c></row>, so a byte
// scanner reads it several times faster through a window of a few dozen
// kilobytes and, unlike excelize's raw values, knows each cell's type.
type sheetScanner struct {
	rd     io.Reader // what is still to come of the part; nil at its end
	rc     io.Closer
	err    error // how reading the part failed
	t      tokenizer
	chunk  int // how much to read at a time
	sst    *sharedStrings
	lastNo int
	is1904 bool
	buf    []cell
	// size is the part's unpacked size; rows the last row its <dimension>
	// names (0 if none).
	size, rows int
	// read counts the bytes read from the part, first where its first row
	// starts, seen the rows returned: what a row takes, where <dimension>
	// does not say how many there are.
	read, first, seen int
}

// minRowBytes is the shortest row that holds a value: <row><c><v>1</v></c></row>.
const minRowBytes = len("<row><c><v>1</v></c></row>")

// rowsHint believes the sheet's <dimension> only as far as its size
// allows: a file that claims a million rows in a few kilobytes gets room
// for what the kilobytes can hold.
func (s *sheetScanner) rowsHint() int {
	if s.rows > 1 {
		return min(s.rows, s.size/minRowBytes)
	}
	// Some writers (excelize's stream writer among them) say only "A1":
	// estimate from the rows read so far, with a little to spare.
	used := s.read - (len(s.t.data) - s.t.pos) - s.first
	if s.seen == 0 || used <= 0 {
		return 0
	}
	return int(float64(s.size-s.first) / (float64(used) / float64(s.seen)) * 1.05)
}

// scanChunk is how much of a worksheet is read at a time. The window
// holds the row being read and at most about as much before it.
const scanChunk = 32 << 10

func (s *sheetScanner) close() {
	if s.rc != nil {
		s.rc.Close()
	}
}

// more appends the next chunk of the part to t.data; false at its end.
// Data already read is never moved while a row is read, so tags and
// positions taken from it stay good.
func (s *sheetScanner) more(t *tokenizer) bool {
	for s.rd != nil {
		t.data = slices.Grow(t.data, s.chunk)
		n, err := s.rd.Read(t.data[len(t.data) : len(t.data)+s.chunk])
		t.data = t.data[:len(t.data)+n]
		s.read += n
		if err != nil {
			if err != io.EOF {
				s.err = err
			}
			s.rd = nil
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// compact drops what is read, between rows, while there is more to read
// into the window (the window is the scanner's own then).
func (s *sheetScanner) compact() {
	if t := &s.t; s.rd != nil && t.pos > 0 && t.pos >= len(t.data)/2 {
		n := copy(t.data, t.data[t.pos:])
		t.data, t.pos = t.data[:n], 0
	}
}

// sharedStrings indexes the <si> elements of the shared strings part
// that excelize holds in memory; a string is decoded only when a cell
// asks for it. Copying every string out would double what a workbook
// full of remarks costs.
type sharedStrings struct {
	data       []byte
	start, end []uint32 // each <si>'s content in data
}

func indexSharedStrings(b []byte) *sharedStrings {
	s := &sharedStrings{data: b}
	t := tokenizer{data: b}
	var open uint32
	for {
		before := t.pos
		tok, ok := t.next()
		if !ok {
			return s
		}
		switch {
		case tok.name == "si" && tok.kind == tagOpen:
			open = uint32(t.pos)
		case tok.name == "si" && tok.kind == tagClose:
			s.start = append(s.start, open)
			s.end = append(s.end, uint32(before+bytes.IndexByte(b[before:], '<')))
		case tok.name == "si" && tok.kind == tagEmpty:
			s.start = append(s.start, uint32(t.pos))
			s.end = append(s.end, uint32(t.pos))
		}
	}
}

func (s *sharedStrings) len() int { return len(s.start) }

// get is the text of string i: its <t> runs joined (rich text has
// several), phonetic runs (<rPh>) left out.
func (s *sharedStrings) get(i int) string {
	var cur strings.Builder
	skip := 0
	t := tokenizer{data: s.data[s.start[i]:s.end[i]]}
	for {
		tok, ok := t.next()
		if !ok {
			return cur.String()
		}
		switch {
		case tok.name == "rPh" && tok.kind == tagOpen:
			skip++
		case tok.name == "rPh" && tok.kind == tagClose:
			skip--
		case tok.name == "t" && tok.kind == tagOpen && skip == 0:
			cur.WriteString(unescapeOOXML(t.text("t")))
		}
	}
}

func (s *sheetScanner) next() (int, []cell, bool, error) {
	s.compact()
	t := &s.t
	if s.rd != nil && t.more == nil {
		t.more = s.more
	}
	for {
		tok, ok := t.next()
		if !ok {
			if s.err != nil {
				return 0, nil, false, inputError("sheet.unreadable_after", s.lastNo, s.err)
			}
			return 0, nil, false, nil
		}
		if tok.name == "dimension" {
			// ref="A1:C100001": the last row is the number after the colon.
			ref := tok.rawAttr("ref")
			if i := bytes.IndexByte(ref, ':'); i >= 0 {
				ref = ref[i+1:]
			}
			s.rows, _ = strconv.Atoi(string(bytes.TrimLeft(ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$")))
			s.rows = max(s.rows, 0)
		}
		if tok.name != "row" || tok.kind == tagClose {
			continue
		}
		if s.seen == 0 {
			s.first = s.read - (len(t.data) - t.pos)
		}
		s.seen++
		no := s.lastNo + 1
		if r := tok.rawAttr("r"); len(r) > 0 {
			if n, err := strconv.Atoi(string(r)); err == nil && n > 0 {
				no = n
			}
		}
		s.lastNo = no
		if tok.kind == tagEmpty {
			return no, nil, true, nil
		}
		cells := s.cells(t)
		if s.err != nil {
			return 0, nil, false, inputError("sheet.unreadable_after", s.lastNo, s.err)
		}
		return no, cells, true, nil
	}
}

// cells reads the <c> elements up to </row>. The slice is reused for the
// next row: readTable keeps only what it copies out.
func (s *sheetScanner) cells(t *tokenizer) []cell {
	cells := s.buf[:0]
	defer func() { s.buf = cells[:0] }()
	col := -1
	for {
		tok, ok := t.next()
		if !ok || (tok.name == "row" && tok.kind == tagClose) {
			return cells
		}
		if tok.name != "c" || tok.kind == tagClose {
			continue
		}
		col++
		if c, ok := columnOf(tok.rawAttr("r")); ok && c >= col {
			col = c
		}
		typ := string(tok.rawAttr("t"))
		var value, inline string
		var hasValue bool
		rowEnded := false
		phonetic := 0 // inside <rPh>: a reading aid, not the cell's text
		if tok.kind == tagOpen {
			for {
				in, ok := t.next()
				if !ok || (in.name == "c" && in.kind == tagClose) {
					break
				}
				if in.name == "row" { // a cell left open: the row ends here
					rowEnded = true
					break
				}
				switch {
				case in.name == "v" && in.kind == tagOpen:
					value, hasValue = t.text("v"), true
				case in.name == "rPh" && in.kind == tagOpen:
					phonetic++
				case in.name == "rPh" && in.kind == tagClose:
					phonetic--
				case in.name == "t" && in.kind == tagOpen && phonetic == 0:
					inline += unescapeOOXML(t.text("t"))
				}
			}
		}
		for len(cells) < col {
			cells = append(cells, cell{})
		}
		cells = append(cells, s.typed(typ, value, hasValue, inline))
		if rowEnded {
			return cells
		}
	}
}

func (s *sheetScanner) typed(typ, v string, hasValue bool, inline string) cell {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || s.sst == nil || i >= s.sst.len() {
			return cell{}
		}
		return cell{text: s.sst.get(i)}
	case "inlineStr":
		return cell{text: inline}
	case "str":
		return cell{text: unescapeOOXML(v)}
	case "e", "b", "d":
		return cell{text: v}
	}
	if !hasValue {
		return cell{}
	}
	f, ok := parseDecimal(strings.TrimSpace(v))
	if !ok { // Inf, NaN, hex or out of range: text, which the value rules refuse
		return cell{text: v}
	}
	return cell{num: f, isNum: true}
}

func (s *sheetScanner) spreadsheet() bool { return true }
func (s *sheetScanner) date1904() bool    { return s.is1904 }

type tagKind int

const (
	tagOpen tagKind = iota
	tagClose
	tagEmpty
)

type tag struct {
	name  string // local name, prefix dropped
	kind  tagKind
	attrs []byte // raw attribute text
}

// rawAttr returns an attribute's value as written, without copying.
func (tg tag) rawAttr(name string) []byte {
	a := tg.attrs
	for len(a) > 0 {
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil
		}
		key := bytes.TrimSpace(a[:eq])
		if i := bytes.IndexByte(key, ':'); i >= 0 {
			key = key[i+1:]
		}
		rest := bytes.TrimLeft(a[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil
		}
		if string(key) == name {
			return rest[1 : 1+end]
		}
		a = rest[2+end:]
	}
	return nil
}

// columnOf reads the column of a cell reference such as "AB12" (0-based);
// ok is false for anything else.
func columnOf(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || i == len(ref) || col > 1<<14 {
		return 0, false
	}
	return col - 1, true
}

// tokenizer walks the tags of an XML document; it skips comments,
// processing instructions and declarations and never panics on bad input.
// With more set, data is a window on a longer document: where a tag or a
// text runs past its end, more appends the rest.
type tokenizer struct {
	data []byte
	pos  int
	more func(t *tokenizer) bool
}

func (t *tokenizer) refill() bool { return t.more != nil && t.more(t) }

func (t *tokenizer) next() (tag, bool) {
	for {
		i := bytes.IndexByte(t.data[t.pos:], '<')
		if i < 0 {
			if t.refill() {
				continue
			}
			t.pos = len(t.data)
			return tag{}, false
		}
		start := t.pos + i + 1
		end := bytes.IndexByte(t.data[start:], '>')
		if end < 0 {
			if t.refill() {
				continue
			}
			t.pos = len(t.data)
			return tag{}, false
		}
		body := t.data[start : start+end]
		if len(body) == 0 || body[0] == '?' || body[0] == '!' {
			next := start + end + 1
			if bytes.HasPrefix(body, []byte("!--")) && !bytes.HasSuffix(body, []byte("--")) {
				// A comment may contain '>': skip to its real end.
				j := bytes.Index(t.data[start:], []byte("-->"))
				if j < 0 && t.refill() {
					continue
				}
				if j >= 0 {
					next = start + j + 3
				}
			}
			t.pos = next
			continue
		}
		t.pos = start + end + 1
		kind := tagOpen
		if body[0] == '/' {
			kind, body = tagClose, body[1:]
		} else if body[len(body)-1] == '/' {
			kind, body = tagEmpty, body[:len(body)-1]
		}
		nameEnd := bytes.IndexAny(body, " \t\r\n")
		if nameEnd < 0 {
			nameEnd = len(body)
		}
		name := body[:nameEnd]
		if j := bytes.IndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		return tag{name: intern(name), kind: kind, attrs: body[nameEnd:]}, true
	}
}

// intern returns the names the scanner looks for without allocating; any
// other tag gets one placeholder name.
func intern(b []byte) string {
	switch string(b) {
	case "row":
		return "row"
	case "c":
		return "c"
	case "v":
		return "v"
	case "t":
		return "t"
	case "is":
		return "is"
	case "si":
		return "si"
	case "rPh":
		return "rPh"
	case "dimension":
		return "dimension"
	}
	return "?"
}

// text reads the character data up to the closing tag of name: escaped
// text and CDATA sections, in any mix.
func (t *tokenizer) text(name string) string {
	var out strings.Builder
	for {
		i := bytes.IndexByte(t.data[t.pos:], '<')
		if i < 0 {
			if t.refill() {
				continue
			}
			out.WriteString(unescapeXML(t.data[t.pos:]))
			t.pos = len(t.data)
			return out.String()
		}
		if len(t.data)-(t.pos+i) < len("<![CDATA[") && t.refill() {
			continue // too little to tell a CDATA section from a tag
		}
		out.WriteString(unescapeXML(t.data[t.pos : t.pos+i]))
		t.pos += i
		if !bytes.HasPrefix(t.data[t.pos:], []byte("<![CDATA[")) {
			return out.String()
		}
		j := bytes.Index(t.data[t.pos:], []byte("]]>"))
		for j < 0 && t.refill() {
			j = bytes.Index(t.data[t.pos:], []byte("]]>"))
		}
		if j < 0 {
			t.pos = len(t.data)
			return out.String()
		}
		out.Write(t.data[t.pos+9 : t.pos+j])
		t.pos += j + 3
	}
}

// ooxmlEscape is OOXML's escape of a character XML cannot hold: _xHHHH_
// (Excel writes a carriage return in a cell as _x000D_, and a literal
// "_x" sequence as _x005F_x…).
var ooxmlEscape = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)

func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return ooxmlEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 32)
		return string(rune(n))
	})
}

var xmlEntities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`, "apos": "'"}

func unescapeXML(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	var out strings.Builder
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			out.Write(b)
			break
		}
		out.Write(b[:i])
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			out.WriteByte('&')
			b = b[1:]
			continue
		}
		ent := string(b[1:semi])
		switch {
		case xmlEntities[ent] != "":
			out.WriteString(xmlEntities[ent])
		case strings.HasPrefix(ent, "#x"):
			if n, err := strconv.ParseUint(ent[2:], 16, 32); err == nil {
				out.WriteRune(rune(n))
			}
		case strings.HasPrefix(ent, "#"):
			if n, err := strconv.ParseUint(ent[1:], 10, 32); err == nil {
				out.WriteRune(rune(n))
			}
		default:
			out.Write(b[:semi+1])
		}
		b = b[semi+1:]
	}
	return out.String()
}
