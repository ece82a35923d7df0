package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"truce"
)

// PutReports stores rs in st (st.PutReports, one transaction) and returns
// how many were new and the reports of rs that are now stored as given:
// the new ones and those already stored with the same content (importing
// a file again is idempotent); kept is nil if st.PutReports failed, and
// then nothing was stored. A stored report with the same id but other
// content is never skipped silently: its new copy is left out of kept and
// PutReports returns an ECONFLICT error that names the stored report and
// the new one (and counts any others). The rest of rs is stored all the
// same, so callers MUST finish their work on kept (e.g. judge it) before
// returning the error.
//
// Only a batch in which some report was not new costs a lookup per report:
// the first import of a file costs nothing more than st.PutReports.
func PutReports(ctx context.Context, st truce.ReportStore, by truce.Principal, rs []*truce.Report, opt truce.PutOptions) (added int, kept []*truce.Report, err error) {
	added, err = st.PutReports(ctx, by, rs, opt)
	if err != nil {
		return added, nil, err
	}
	if added == len(rs) {
		return added, rs, nil
	}
	kept, err = CheckStored(ctx, st, rs)
	return added, kept, err
}

// CheckStored compares reports rs, whose ids are stored, with the stored
// reports and returns those stored as given (SameReport); if any is
// stored with other content, it also returns an ECONFLICT error that
// names the first stored report and its new copy (and counts the others).
func CheckStored(ctx context.Context, st truce.ReportStore, rs []*truce.Report) (kept []*truce.Report, err error) {
	kept = make([]*truce.Report, 0, len(rs))
	var first [2]*truce.Report // the first conflict: stored, new
	conflicts := 0
	for _, r := range rs {
		old, err := st.Report(ctx, r.ID)
		if err != nil {
			return nil, fmt.Errorf("check report %s against the stored one: %w", r.ID, err)
		}
		if SameReport(old, r) {
			kept = append(kept, r)
			continue
		}
		if conflicts == 0 {
			first = [2]*truce.Report{old, r}
		}
		conflicts++
	}
	if conflicts == 0 {
		return kept, nil
	}
	more := ""
	if conflicts > 1 {
		more = fmt.Sprintf(" (and %d more reports of this batch)", conflicts-1)
	}
	return kept, truce.Errorf(truce.ECONFLICT, "report %s is already stored with different content: stored %s, new %s%s; not stored",
		first[1].ID, describe(first[0]), describe(first[1]), more)
}

// SameReport reports whether a and b are the same report, so that storing
// b where a is stored loses nothing. Two copies of one source record (the
// same source and source id, e.g. an ACLED event in two overlapping
// exports) are the same when everything the source says is equal,
// wherever each copy was read from; a report without a source id is
// named after where it was read (FILE:LINE), so there the record as read
// must be equal too. The stores keep times to the nanosecond in UTC and no
// empty action list, so times are compared as instants and a nil action
// list equals an empty one.
func SameReport(a, b *truce.Report) bool {
	if a.SourceID == "" || a.Source != b.Source || a.SourceID != b.SourceID {
		if a.File != b.File || a.Line != b.Line || a.Original != b.Original {
			return false
		}
	}
	return a.ID == b.ID && a.Source == b.Source && a.SourceID == b.SourceID && a.Outlet == b.Outlet &&
		a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Precision == b.Precision &&
		a.Location == b.Location && a.LocationPrecisionMeters == b.LocationPrecisionMeters && a.Place == b.Place &&
		a.Actor1 == b.Actor1 && a.Actor2 == b.Actor2 && a.Perpetrator == b.Perpetrator && slices.Equal(a.Actions, b.Actions) &&
		a.EventType == b.EventType && a.Category == b.Category && a.Site == b.Site && a.Text == b.Text &&
		a.Fatalities == b.Fatalities
}

// maxQuoted bounds the original record quoted in a conflict message.
const maxQuoted = 80

// describe names where a report came from, for a conflict message:
// "from FILE line N (source S: "record…")".
func describe(r *truce.Report) string {
	var b strings.Builder
	if r.File != "" {
		fmt.Fprintf(&b, "from %s line %d ", r.File, r.Line)
	}
	fmt.Fprintf(&b, "(source %s", r.Source)
	if r.SourceID != "" {
		fmt.Fprintf(&b, " id %s", r.SourceID)
	}
	if o := r.Original; o != "" {
		if len(o) > maxQuoted {
			o = truncate(o, maxQuoted) + "…"
		}
		fmt.Fprintf(&b, ": %q", o)
	}
	b.WriteString(")")
	return b.String()
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
