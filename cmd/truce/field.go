package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"truce"
	"truce/internal/importer"
)

// Kinds of field monitoring file truce import reads (issue 19).
const (
	importObservationsKind = "observations"
	importRestrictionsKind = "restrictions"
)

// importField imports one open file of observations or restrictions
// (kind) named p, in truce's field format (docs/field-format.md).
func (e *env) importField(ctx context.Context, st truce.Store, f fs.File, p, kind string, strict, published bool) error {
	var in io.Reader = f
	if osf, ok := f.(*os.File); ok {
		var done func()
		in, done = e.progress(osf, p)
		defer done()
	}
	opt := importer.FieldOptions{File: path.Base(p), Strict: strict, Published: published}
	bad := func(re importer.RowError) { fmt.Fprintln(e.stderr, re.Error()) }
	var (
		stats importer.Stats
		added int
		err   error
	)
	if kind == importObservationsKind {
		var obs []*truce.Observation
		stats, err = importer.ReadObservations(in, opt, func(o *truce.Observation) error { obs = append(obs, o); return nil }, bad)
		if err == nil {
			added, err = st.PutObservations(ctx, truce.System, obs)
		}
	} else {
		var rs []*truce.AccessRestriction
		stats, err = importer.ReadRestrictions(in, opt, func(r *truce.AccessRestriction) error { rs = append(rs, r); return nil }, bad)
		if err == nil {
			added, err = st.PutRestrictions(ctx, truce.System, rs)
		}
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", p, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d read, %d accepted, %d rejected; %d new %s stored, %d already stored\n",
		p, stats.Read, stats.Accepted, stats.Rejected, added, kind, stats.Accepted-added)
	return nil
}
