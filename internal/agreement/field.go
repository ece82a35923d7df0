package agreement

import (
	"slices"

	"go.yaml.in/yaml/v3"

	"truce"
)

// access parses a phase's access commitments (issue 19): the parties give
// the monitors freedom of movement. Their ids share the commitments'
// namespace (ids).
func (p *parser) access(n *yaml.Node, a *truce.Agreement, ids map[string]bool) []truce.AccessCommitment {
	var out []truce.AccessCommitment
	for _, cn := range items(n) {
		c := truce.AccessCommitment{ID: truce.CommitmentID(str(field(cn, "id"))), Description: str(field(cn, "description")),
			Source: str(field(cn, "source"))}
		if c.ID != "" {
			if ids[string(c.ID)] {
				p.add(field(cn, "id"), "duplicate commitment id %q", c.ID)
			}
			ids[string(c.ID)] = true
		}
		for _, pn := range items(field(cn, "bound")) {
			p.partyRef(pn, a, true)
			c.Bound = append(c.Bound, truce.PartyID(pn.Value))
		}
		for _, zn := range items(field(cn, "zones")) {
			p.zoneRef(zn, a)
			c.Zones = append(c.Zones, truce.ZoneID(zn.Value))
		}
		out = append(out, c)
	}
	return out
}

// recommitments parses the days the parties recommitted to the ceasefire,
// and sorts them oldest first.
func (p *parser) recommitments(n *yaml.Node) []truce.Recommitment {
	var out []truce.Recommitment
	seen := map[string]*yaml.Node{}
	for _, c := range items(n) {
		dn := field(c, "date")
		if first := seen[str(dn)]; first != nil {
			p.add(dn, "recommitment on %s listed twice (first at line %d)", str(dn), first.Line)
		}
		seen[str(dn)] = dn
		r := truce.Recommitment{Source: str(field(c, "source")), Note: str(field(c, "note"))}
		if dn != nil {
			r.Start, _ = p.time(dn, false)
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(x, y truce.Recommitment) int { return x.Start.Compare(y.Start) })
	return out
}
