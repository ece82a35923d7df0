package agreement

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// voices reads a party's voices: phrases in the keyword syntax (see
// checkName), each naming one of the party's officials or bodies.
func (p *parser) voices(n *yaml.Node, party string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range items(n) {
		if c.Kind != yaml.ScalarNode {
			continue
		}
		v := strings.TrimSpace(c.Value)
		if v == "" {
			p.add(c, "party %q: empty voice", party)
			continue
		}
		if why := checkName(v); why != "" {
			p.add(c, "party %q voice: %s", party, strings.TrimPrefix(why, "name "))
			continue
		}
		if k := strings.ToLower(v); seen[k] {
			p.add(c, "party %q: voice %q is listed twice", party, v)
		} else {
			seen[k] = true
		}
		out = append(out, v)
	}
	return out
}

// checkOutlets reports an outlet listed twice, or by two parties: an
// outlet is controlled by one party at most. Outlets compare
// case-insensitively, as a report's Source and Outlet are written.
func (p *parser) checkOutlets(n *yaml.Node) {
	owner := map[string]string{}
	for _, c := range items(n) {
		party := str(field(c, "id"))
		for _, o := range items(field(c, "outlets")) {
			if o.Kind != yaml.ScalarNode {
				continue
			}
			k := strings.ToLower(strings.TrimSpace(o.Value))
			switch prev, ok := owner[k]; {
			case k == "":
				p.add(o, "party %q: empty outlet", party)
			case ok && prev == party:
				p.add(o, "party %q: outlet %q is listed twice", party, o.Value)
			case ok:
				p.add(o, "outlet %q is listed by both %q and %q: an outlet is controlled by one party at most", o.Value, prev, party)
			default:
				owner[k] = party
			}
		}
	}
}

// claimReach reads the list of places (as claims record a site's country:
// "UA", "UA-occupied", "RU") where the record's independent sources report.
func (p *parser) claimReach(n *yaml.Node) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range items(n) {
		if c.Kind != yaml.ScalarNode {
			continue
		}
		if seen[c.Value] {
			p.add(c, "claim_reach: %q is listed twice", c.Value)
			continue
		}
		seen[c.Value] = true
		out = append(out, c.Value)
	}
	return out
}
