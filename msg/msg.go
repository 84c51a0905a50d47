// Package msg gives every text meterd shows a person an id and its
// parameters, so a page, an alert or an error reply is written in one
// language (ui.language) from start to end. A message is never a finished
// English sentence translated afterwards: the code that finds a problem
// says which message it is and with which values, and whoever shows it
// picks the language. The catalog (catalog.go) holds each message in
// every language side by side; docs/i18n.md says how to add one.
package msg

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Lang is a language the catalog has.
type Lang string

// The languages of the catalog. German is the default: meterd's first
// users read German meters and German utility bills.
const (
	DE Lang = "de"
	EN Lang = "en"
)

// Langs lists the catalog's languages.
var Langs = []Lang{DE, EN}

// ParseLang accepts "de" or "en" (any case).
func ParseLang(s string) (Lang, bool) {
	switch Lang(strings.ToLower(strings.TrimSpace(s))) {
	case DE:
		return DE, true
	case EN:
		return EN, true
	}
	return "", false
}

// Text is one message: its catalog id and the values it names. Args may
// be strings, integers, Num (a measured value), Text (a message within a
// message) or List (several).
type Text struct {
	ID   string
	Args []any
}

// New is the message id with args.
func New(id string, args ...any) Text { return Text{ID: id, Args: args} }

// IsZero says that t names no message.
func (t Text) IsZero() bool { return t.ID == "" }

// String is the English text, for logs and for callers that have no
// language (tests, the Go error interface).
func (t Text) String() string { return t.In(EN) }

// In writes t in lang. A message missing from the catalog is written as
// its id and arguments rather than lost; TestEveryIDIsInTheCatalog keeps
// that from happening to ids in the code.
func (t Text) In(lang Lang) string {
	e, ok := catalog[t.ID]
	if !ok {
		return t.ID + fmt.Sprint(t.Args...)
	}
	format := e.en
	if lang == DE {
		format = e.de
	}
	if len(t.Args) == 0 {
		return format
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		args[i] = render(a, lang)
	}
	return fmt.Sprintf(format, args...)
}

// render turns an argument into what the format's %v or %s prints.
func render(a any, lang Lang) any {
	switch v := a.(type) {
	case Text:
		return v.In(lang)
	case Num:
		return v.In(lang)
	case Fixed:
		return v.In(lang)
	case List:
		parts := make([]string, len(v))
		for i, t := range v {
			parts[i] = t.In(lang)
		}
		return strings.Join(parts, "; ")
	case error:
		if t, ok := TextOf(v); ok {
			return t.In(lang)
		}
		return v.Error()
	}
	return a
}

// Num is a measured value (a reading, a consumption): written with as many
// digits as it has, with a decimal comma in German.
type Num float64

// In writes n for lang: 1234.5 or 1234,5.
func (n Num) In(lang Lang) string {
	return localize(strconv.FormatFloat(float64(n), 'f', -1, 64), lang)
}

// Fixed is a value written with Prec decimals (12.300), for figures a
// message rounds to stay readable.
type Fixed struct {
	V    float64
	Prec int
}

// In writes f for lang: 12.300 or 12,300.
func (f Fixed) In(lang Lang) string {
	return localize(strconv.FormatFloat(f.V, 'f', f.Prec, 64), lang)
}

// localize gives a number written with a decimal point a decimal comma
// in German.
func localize(s string, lang Lang) string {
	if lang == DE {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}

// List is several messages written one after the other, separated by "; ".
type List []Text

// Error is an error that is a message: its Error() is the English text, and
// TextOf finds it through any wrapping so a caller can write it in the
// reader's language.
type Error struct{ Text Text }

func (e *Error) Error() string { return e.Text.String() }

// Unwrap is the first error among the arguments (the cause the message
// names), so errors.Is and errors.As still see it.
func (e *Error) Unwrap() error {
	for _, a := range e.Text.Args {
		if err, ok := a.(error); ok {
			return err
		}
	}
	return nil
}

// Err is an error carrying the message id with args.
func Err(id string, args ...any) error { return &Error{Text: New(id, args...)} }

// TextOf is the message of the first *Error in err's chain.
func TextOf(err error) (Text, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Text, true
	}
	return Text{}, false
}

// Of writes err in lang: its message when it has one, else its text as it
// is (an outside library's error, which has no translation).
func Of(err error, lang Lang) string {
	if t, ok := TextOf(err); ok {
		return t.In(lang)
	}
	return err.Error()
}

// stored marks a message kept in the database (an anomaly's), so that a
// text stored before messages had ids is still shown as it is.
const stored = "msg:"

// arg is one argument as stored: exactly one field is set.
type arg struct {
	S *string  `json:"s,omitempty"`
	I *int64   `json:"i,omitempty"`
	N *float64 `json:"n,omitempty"`
	F *string  `json:"f,omitempty"` // a Fixed, as written in English
	T *wire    `json:"t,omitempty"`
	L []wire   `json:"l,omitempty"`
}

type wire struct {
	ID   string `json:"id"`
	Args []arg  `json:"args,omitempty"`
}

func toWire(t Text) wire {
	w := wire{ID: t.ID}
	for _, a := range t.Args {
		var x arg
		switch v := a.(type) {
		case string:
			x.S = &v
		case int:
			i := int64(v)
			x.I = &i
		case int64:
			x.I = &v
		case Num:
			f := float64(v)
			x.N = &f
		case Fixed:
			s := v.In(EN)
			x.F = &s
		case Text:
			tw := toWire(v)
			x.T = &tw
		case List:
			x.L = make([]wire, len(v))
			for i, t := range v {
				x.L[i] = toWire(t)
			}
		default:
			s := fmt.Sprint(render(a, EN))
			x.S = &s
		}
		w.Args = append(w.Args, x)
	}
	return w
}

func fromWire(w wire) Text {
	t := Text{ID: w.ID}
	for _, x := range w.Args {
		switch {
		case x.S != nil:
			t.Args = append(t.Args, *x.S)
		case x.I != nil:
			t.Args = append(t.Args, int(*x.I))
		case x.N != nil:
			t.Args = append(t.Args, Num(*x.N))
		case x.F != nil:
			v, _ := strconv.ParseFloat(*x.F, 64)
			prec := 0
			if _, frac, ok := strings.Cut(*x.F, "."); ok {
				prec = len(frac)
			}
			t.Args = append(t.Args, Fixed{V: v, Prec: prec})
		case x.T != nil:
			t.Args = append(t.Args, fromWire(*x.T))
		default:
			l := make(List, len(x.L))
			for i, w := range x.L {
				l[i] = fromWire(w)
			}
			t.Args = append(t.Args, l)
		}
	}
	return t
}

// Encode is t as one string for storage; Decode reads it back, so a stored
// message is written in the language of whoever reads it later.
func Encode(t Text) string {
	b, _ := json.Marshal(toWire(t)) // strings and numbers always encode
	return stored + string(b)
}

// Decode reads what Encode wrote. A text that Encode did not write (kept
// before messages had ids) comes back as ok false.
func Decode(s string) (Text, bool) {
	rest, ok := strings.CutPrefix(s, stored)
	if !ok {
		return Text{}, false
	}
	var w wire
	if err := json.Unmarshal([]byte(rest), &w); err != nil {
		return Text{}, false
	}
	return fromWire(w), true
}

// Stored writes a stored message in lang; an old plain text as it is.
func Stored(s string, lang Lang) string {
	if t, ok := Decode(s); ok {
		return t.In(lang)
	}
	return s
}

// Prefixed is every message whose id starts with prefix, written in lang
// without arguments: the strings a page's script fills in itself.
func Prefixed(prefix string, lang Lang) map[string]string {
	out := map[string]string{}
	for id, e := range catalog {
		if strings.HasPrefix(id, prefix) {
			out[id] = e.en
			if lang == DE {
				out[id] = e.de
			}
		}
	}
	return out
}
