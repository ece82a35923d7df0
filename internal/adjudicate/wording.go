package adjudicate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"truce"
	"truce/internal/i18n"
)

// wording is a piece of an explanation as data: a message of the catalogue
// (internal/i18n/locales) and its arguments, rendered in a language only
// when it is shown. The stored judgement keeps the English rendering, as
// it always has; other languages render the same phrases at read time
// (Judge.Explain).
type wording struct {
	id string
	// raw, when id is "", is a fragment not yet in the catalogue: shown
	// as it is (in English) in every language.
	raw     string
	count   int
	counted bool
	args    []any // name, value pairs; values are rendered by speaker.arg
	// parts, when id is "", are phrases rendered one after another, with
	// the message sep (if any) between them.
	parts []wording
	sep   string
	// en, when not "", is the wording already rendered in English, for a
	// wording of the agreement that every report repeats (a window's
	// why): English, the stored language, writes it as it is.
	en string
}

// msg returns the wording of message id with arguments kv (name, value, …).
func msg(id string, kv ...any) wording { return wording{id: id, args: kv} }

// msgN is msg for a message with plural forms chosen by n.
func msgN(id string, n int, kv ...any) wording {
	return wording{id: id, count: n, counted: true, args: kv}
}

// raw returns a wording that reads s in every language.
func raw(s string) wording { return wording{raw: s} }

// seq returns the phrases ps joined by message sep ("": nothing between).
func seq(sep string, ps ...wording) wording { return wording{parts: ps, sep: sep} }

func (p wording) isZero() bool { return p.id == "" && p.raw == "" && len(p.parts) == 0 }

// Argument kinds, each rendered by the language's rules.
type (
	quoted    string           // words of a report: "…" in English, «…» otherwise
	dist      float64          // meters: "850 m", "12.3 km"
	civilDay  time.Time        // a calendar date in the agreement's zone
	instant   time.Time        // a date and time of day, with the zone
	zoneRef   truce.ZoneID     // a zone, by its name
	phaseRef  truce.PhaseID    // a phase, by its name
	catRef    truce.CategoryID // a target category, by its name
	catLower  truce.CategoryID // the same in lower case
	partyList []truce.PartyID  // "RU and UA"
	actList   []truce.Action   // "shelling or drone attack"
	actRef    truce.Action     // "drone attack"
	// capitalized is a wording whose rendering starts with a capital.
	capitalized wording
)

// speaker renders phrases in one language for one agreement.
type speaker struct {
	l *i18n.Localizer
	a *truce.Agreement
}

// say renders p.
func (s speaker) say(p wording) string {
	if p.id == "" && p.parts == nil {
		return p.raw
	}
	var b strings.Builder
	s.write(&b, p)
	return b.String()
}

// write renders p into b.
func (s speaker) write(b *strings.Builder, p wording) {
	if p.en != "" && s.l.Lang() == "en" {
		b.WriteString(p.en)
		return
	}
	switch {
	case p.id == "" && p.parts != nil:
		for i, q := range p.parts {
			if i > 0 && p.sep != "" {
				s.l.Write(b, p.sep, nil, nil)
			}
			s.write(b, q)
		}
		return
	case p.id == "":
		b.WriteString(p.raw)
		return
	}
	fill := func(b *strings.Builder, name string) {
		for i := 0; i+1 < len(p.args); i += 2 {
			if p.args[i] == name {
				s.arg(b, p.args[i+1])
				return
			}
		}
		if name == "Count" && p.counted {
			b.WriteString(s.l.Int(p.count))
			return
		}
		b.WriteString("<no value>")
	}
	if p.counted {
		n := p.count
		s.l.Write(b, p.id, &n, fill)
		return
	}
	s.l.Write(b, p.id, nil, fill)
}

// arg renders one argument of a wording into b.
func (s speaker) arg(b *strings.Builder, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case int:
		b.WriteString(s.l.Int(v))
	case wording:
		s.write(b, v)
	case quoted:
		if s.l.Lang() == "en" {
			b.WriteString(strconv.Quote(string(v)))
			return
		}
		b.WriteString("«" + string(v) + "»")
	case dist:
		if v < 1000 {
			b.WriteString(s.l.T("unit.m", "N", s.l.Decimal(float64(v), 0)))
			return
		}
		b.WriteString(s.l.T("unit.km", "N", s.l.Decimal(float64(v)/1000, 1)))
	case civilDay:
		b.WriteString(s.l.Date(time.Time(v).In(s.a.Timezone)))
	case instant:
		t := time.Time(v).In(s.a.Timezone)
		b.WriteString(s.l.T("date.instant", "Date", s.l.Date(t), "Time", t.Format("15:04 MST")))
	case zoneRef:
		b.WriteString(s.zone(truce.ZoneID(v)))
	case phaseRef:
		b.WriteString(s.phase(truce.PhaseID(v)))
	case catRef:
		b.WriteString(s.category(truce.CategoryID(v)))
	case catLower:
		b.WriteString(strings.ToLower(s.category(truce.CategoryID(v))))
	case partyList:
		b.WriteString(s.and(v))
	case actList:
		b.WriteString(s.or(v))
	case actRef:
		b.WriteString(s.action(truce.Action(v)))
	case capitalized:
		b.WriteString(capitalize(s.say(wording(v))))
	default:
		fmt.Fprint(b, v)
	}
}

// category, zone and phase name a category, zone and phase in the
// speaker's language as the agreement writes them, else in English.
func (s speaker) category(id truce.CategoryID) string {
	if id == truce.CategoryAny {
		return s.l.T("target.any")
	}
	if c, ok := s.a.Category(id); ok && c.Name != "" {
		return c.Names.In(s.l.Lang(), c.Name)
	}
	return string(id)
}

func (s speaker) zone(id truce.ZoneID) string {
	if z, ok := s.a.Zone(id); ok && z.Name != "" {
		return z.Names.In(s.l.Lang(), z.Name)
	}
	return string(id)
}

func (s speaker) phase(id truce.PhaseID) string {
	for i := range s.a.Phases {
		if p := &s.a.Phases[i]; p.ID == id {
			return p.Names.In(s.l.Lang(), p.Name)
		}
	}
	return string(id)
}

func (s speaker) and(ps []truce.PartyID) string {
	switch len(ps) {
	case 0:
		return ""
	case 1:
		return string(ps[0])
	}
	head := make([]string, len(ps)-1)
	for i, p := range ps[:len(ps)-1] {
		head[i] = string(p)
	}
	return s.l.T("list.and", "Head", strings.Join(head, ", "), "Last", string(ps[len(ps)-1]))
}

func (s speaker) or(as []truce.Action) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = s.action(a)
	}
	switch len(names) {
	case 0:
		return s.l.T("list.nothing")
	case 1:
		return names[0]
	}
	return s.l.T("list.or", "Head", strings.Join(names[:len(names)-1], ", "), "Last", names[len(names)-1])
}

// action names an action as explanations do: "drone attack".
func (s speaker) action(a truce.Action) string {
	return s.l.T("action." + strings.ReplaceAll(actionNames[a], " ", "_"))
}

// en renders p in English, as judgements are stored.
func (c *rcase) en(p wording) string { return speaker{l: i18n.English(), a: c.j.a}.say(p) }

// actorHowIDs are the catalogue's messages for how the text names the
// attacker (textReading's actorHow).
var actorHowIDs = map[string]string{
	"accused":                               "how.accused",
	"their forces or weapons named as such": "how.forces",
	"agent":                                 "how.agent",
	"possessor of the attack":               "how.possessor",
	"the outlet's word for the other side":  "how.outlet_word",
	"subject":                               "how.subject",
	"a weapon only Russia uses in this war": "how.russian_weapon",
}

func actorHow(s string) wording {
	if id, ok := actorHowIDs[s]; ok {
		return msg(id)
	}
	return raw(s)
}
