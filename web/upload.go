package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meterd/meterd/api"
	"github.com/meterd/meterd/fault"
	"github.com/meterd/meterd/ingest"
	"github.com/meterd/meterd/msg"
)

// multipartMemory is how much of an upload is held in memory; the rest
// goes to a temporary file, so a large upload costs disk, not RAM.
const multipartMemory = 1 << 20

func formBool(r *http.Request, name string) bool {
	switch strings.ToLower(r.FormValue(name)) {
	case "true", "1", "on", "yes":
		return true
	}
	return false
}

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.d.MaxUploadBytes)
	if err := r.ParseMultipartForm(multipartMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeErr(w, r, mbe)
			return
		}
		s.fail(w, http.StatusBadRequest, msg.New("upload.multipart", err.Error()))
		return
	}
	defer r.MultipartForm.RemoveAll()
	// One file per upload: a second one would otherwise be dropped silently.
	if n := len(r.MultipartForm.File["file"]); n > 1 {
		s.fail(w, http.StatusBadRequest, msg.New("upload.many_files", n))
		return
	}
	if n := len(r.MultipartForm.File); n > 1 || (n == 1 && r.MultipartForm.File["file"] == nil) {
		s.fail(w, http.StatusBadRequest, msg.New("upload.one_file"))
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.fail(w, http.StatusBadRequest, msg.New("upload.no_file"))
		return
	}
	defer f.Close()
	choice, err := formChoice(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	opts := api.ImportOptions{DryRun: formBool(r, "dry_run"), Strict: formBool(r, "strict"), Confirm: formBool(r, "confirm"), Choice: choice}
	sum, err := s.d.Imports.ImportFile(r.Context(), r.PathValue("id"), hdr.Filename, f, hdr.Size, opts)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, sum)
}

func (s *Server) handleHAState(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	// rest_command sends no Content-Type unless told to, so none is
	// required.
	st, err := ingest.DecodeHAState(r.Body, time.Now())
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	out, err := s.d.Imports.HomeAssistantState(r.Context(), st)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.parseRange(r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	meters := r.URL.Query()["meter"]
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="meterd-export.csv"`)
	if err := s.d.Meters.Export(r.Context(), w, meters, from, to); err != nil {
		if fault.KindOf(err) != fault.Internal {
			w.Header().Del("Content-Disposition")
		}
		s.writeErr(w, r, err)
	}
}

// formChoice reads a person's choice of sheet, header row and columns
// (sheet, header_row, date_column, time_column, value_column; rows and
// columns from 1).
func formChoice(r *http.Request) (ingest.Choice, error) {
	c := ingest.Choice{Sheet: r.FormValue("sheet")}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"header_row", &c.HeaderRow}, {"date_column", &c.Date}, {"time_column", &c.Time}, {"value_column", &c.Value}} {
		v := strings.TrimSpace(r.FormValue(f.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fault.New(fault.Invalid, "upload.bad_choice", f.name)
		}
		*f.dst = n
	}
	return c, nil
}
