package agreement

import (
	"slices"

	"go.yaml.in/yaml/v3"

	"truce"
)

// release reads one release clause of phase ph, written on the phase (cm
// nil) or on its commitment cm, fills in its defaults and checks that
// every party and commitment it names makes sense.
//
// Defaults: on a commitment, the released parties are those it binds and
// it releases from that commitment; the breaching parties are the other
// parties the phase binds, and the breaches are of the phase's
// commitments that bind them; it starts at the breach and rests on a
// breach a monitor verified.
func (p *parser) release(n *yaml.Node, a *truce.Agreement, ph *truce.Phase, cm *truce.Commitment) truce.Release {
	rl := truce.Release{
		Starts:  truce.ReleaseStart(str(field(n, "starts"))),
		RestsOn: truce.ReleaseBasis(str(field(n, "rests_on"))),
		Source:  str(field(n, "source")),
		Note:    str(field(n, "note")),
	}
	if rl.Starts == "" {
		rl.Starts = truce.ReleaseAtBreach
	}
	if rl.RestsOn == "" {
		rl.RestsOn = truce.ReleaseOnVerified
	}
	if dn := field(n, "delay"); dn != nil {
		d, err := parseDuration(str(dn))
		if err != nil {
			p.add(dn, "%v", err)
		}
		rl.Delay = d
	}
	rl.Released = p.releaseParties(field(n, "released"), a)
	rl.By = p.releaseParties(field(n, "by"), a)
	for _, rn := range items(field(n, "readings")) {
		p.partyRef(rn, a, false)
		rl.Readings = append(rl.Readings, truce.PartyID(rn.Value))
	}
	bound := phaseBound(ph)
	switch {
	case len(rl.Released) > 0:
	case cm != nil:
		rl.Released = slices.Clone(cm.Bound)
	default:
		p.add(n, "release of phase %q names no released parties: give released", ph.ID)
	}
	if len(rl.By) == 0 {
		for _, b := range bound {
			if !slices.Contains(rl.Released, b) {
				rl.By = append(rl.By, b)
			}
		}
		if len(rl.By) == 0 {
			p.add(n, "release of phase %q: no other party is bound by the phase, so no breach can release %s; give by", ph.ID, partyList(rl.Released))
		}
	}
	for _, b := range rl.By {
		if slices.Contains(rl.Released, b) {
			p.add(field(n, "by"), "release of phase %q: party %q cannot be released by its own breach", ph.ID, b)
		}
	}
	rl.From = p.releaseCommitments(field(n, "from"), ph, "from")
	if len(rl.From) == 0 {
		if cm != nil {
			rl.From = []truce.CommitmentID{cm.ID}
		} else {
			rl.From = bindingAny(ph, rl.Released)
		}
	}
	rl.Of = p.releaseCommitments(field(n, "of"), ph, "of")
	if len(rl.Of) == 0 {
		rl.Of = bindingAny(ph, rl.By)
	}
	for _, id := range rl.From {
		if c := phaseCommitment(ph, id); c != nil && !bindsAny(c, rl.Released) {
			p.add(n, "release of phase %q: commitment %q does not bind %s, so it cannot release them from it", ph.ID, id, partyList(rl.Released))
		}
	}
	for _, id := range rl.Of {
		if c := phaseCommitment(ph, id); c != nil && !bindsAny(c, rl.By) {
			p.add(n, "release of phase %q: commitment %q does not bind %s, so they cannot breach it", ph.ID, id, partyList(rl.By))
		}
	}
	return rl
}

// releaseParties reads a list of bound (not mediator) parties.
func (p *parser) releaseParties(n *yaml.Node, a *truce.Agreement) []truce.PartyID {
	var out []truce.PartyID
	for _, pn := range items(n) {
		p.partyRef(pn, a, true)
		out = append(out, truce.PartyID(pn.Value))
	}
	return out
}

// releaseCommitments reads a list of commitments of phase ph.
func (p *parser) releaseCommitments(n *yaml.Node, ph *truce.Phase, key string) []truce.CommitmentID {
	var out []truce.CommitmentID
	for _, cn := range items(n) {
		id := truce.CommitmentID(cn.Value)
		if phaseCommitment(ph, id) == nil {
			p.add(cn, "release %s: unknown commitment %q: a release names commitments of its own phase (%q)", key, cn.Value, ph.ID)
			continue
		}
		out = append(out, id)
	}
	return out
}

func phaseCommitment(ph *truce.Phase, id truce.CommitmentID) *truce.Commitment {
	for i := range ph.Commitments {
		if ph.Commitments[i].ID == id {
			return &ph.Commitments[i]
		}
	}
	return nil
}

// phaseBound lists the parties any commitment of ph binds, in order.
func phaseBound(ph *truce.Phase) []truce.PartyID {
	var out []truce.PartyID
	for _, c := range ph.Commitments {
		for _, b := range c.Bound {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
}

// bindingAny lists the commitments of ph that bind one of ps.
func bindingAny(ph *truce.Phase, ps []truce.PartyID) []truce.CommitmentID {
	var out []truce.CommitmentID
	for i := range ph.Commitments {
		if bindsAny(&ph.Commitments[i], ps) {
			out = append(out, ph.Commitments[i].ID)
		}
	}
	return out
}

func bindsAny(c *truce.Commitment, ps []truce.PartyID) bool {
	for _, p := range ps {
		if c.Binds(p) {
			return true
		}
	}
	return false
}

func partyList(ps []truce.PartyID) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += string(p)
	}
	return s
}
