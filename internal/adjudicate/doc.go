// Package adjudicate judges incident reports against an agreement. It is
// pure: no I/O, no clock, no globals, so the same agreement, sites and
// report always give byte-identical judgements.
//
// For each report it first establishes facts (who acted, how, against what,
// where: Facts), then tests every commitment of every phase under every
// reading of that phase (Schedule), and combines the readings:
//
//   - violation: breached under every reading;
//   - disputed: breached under some readings and not under others;
//   - undetermined: it may be breached but a named fact is missing (the
//     perpetrator, the kind of facility, the exact time or place);
//   - not_prohibited: with the first reason that rules it out.
package adjudicate
