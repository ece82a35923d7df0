package adjudicate

import (
	"slices"
	"strconv"

	"truce"
)

// Reading a report's text the way an analyst does: find each attack the
// text reports (a trigger word), decide whether it happened as reported
// (modality: denied, planned, foiled, negated, ...), bind it to the party
// that did it (the subject or agent of the same clause, in any case form and
// word order, never a party word that is only a place or an object), and to
// the object it struck (a covered target word of the same sentence, unless
// that word only says power was lost, names people, or a place near it).

// lexPat is one compiled lexicon or party pattern.
type lexPat struct {
	p     phrase
	class wclass
	label string
	party truce.PartyID
	role  partyRole
}

// lexIndex finds lexicon patterns in a text. A pattern whose first word
// is whole is found by that word; one whose first word is a stem ("атак*")
// by the stem's first two letters (one if it has one), so a text word is
// compared with the few patterns that can match it, not with every pattern
// of its first letter.
type lexIndex struct {
	exact  map[string][]lexPat
	prefix map[string][]lexPat
}

func (x *lexIndex) add(lp lexPat) {
	if x.exact == nil {
		x.exact, x.prefix = map[string][]lexPat{}, map[string][]lexPat{}
	}
	w := lp.p.words[0]
	if !w.prefix {
		x.exact[w.s] = append(x.exact[w.s], lp)
		return
	}
	k := firstRunes(w.s, 2)
	x.prefix[k] = append(x.prefix[k], lp)
}

// firstRunes returns the first n runes of s (fewer if s is shorter).
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// mention is a lexicon pattern found at words [i, i+n).
type mention struct {
	lexPat
	i, n int
}

func (x *lexIndex) findAll(ws []string) []mention {
	var out []mention
	try := func(lps []lexPat, i int) {
		for _, lp := range lps {
			if lp.p.matchAt(ws, i) {
				out = append(out, mention{lexPat: lp, i: i, n: len(lp.p.words)})
			}
		}
	}
	for i, w := range ws {
		try(x.exact[w], i)
		one, two := firstRunes(w, 1), firstRunes(w, 2)
		try(x.prefix[one], i)
		if two != one {
			try(x.prefix[two], i)
		}
	}
	return out
}

func newLexicons(a *truce.Agreement) (words, parties *lexIndex) {
	words, parties = &lexIndex{}, &lexIndex{}
	for _, e := range lexicon {
		for _, s := range e.phrases {
			if p, ok := compilePhrase(s); ok {
				words.add(lexPat{p: p, class: e.class, label: e.label})
			}
		}
	}
	has := map[truce.PartyID]bool{}
	for _, p := range a.Parties {
		has[p.ID] = true
		for _, s := range p.Attribution {
			if ph, ok := compilePhrase(s); ok {
				parties.add(lexPat{p: ph, party: p.ID, role: roleSubject})
			}
		}
	}
	for _, e := range partyWords {
		if !has[e.party] {
			continue
		}
		for _, s := range e.phrases {
			if ph, ok := compilePhrase(s); ok {
				parties.add(lexPat{p: ph, party: e.party, role: e.role})
			}
		}
	}
	return words, parties
}

// event is one attack a text reports.
type event struct {
	trig     mention
	action   truce.Action
	weapon   *mention
	actor    truce.PartyID
	actorM   *mention
	actorHow string // "subject", "agent", "weapon", "accused", "russian-only weapon", "voice"
	modality string
	modM     *mention
	repelled bool
	target   *catMention
	outage   *mention
	happened bool
}

// catMention is a target category named in the text, and what the words
// around it say about it.
type catMention struct {
	cat truce.CategoryID
	i   int
	n   int
	rel string // "": struck or damaged; "outage", "near", "person": see targetRel
	by  *mention
}

// textReading is what the text of one report says.
type textReading struct {
	t      *text
	events []*event
	best   *event
	multi  []truce.PartyID // actors of other happened events with targets
}

func (j *Judge) read(r *truce.Report) *textReading {
	t := analyse(r.Text)
	tr := &textReading{t: t}
	if len(t.words) == 0 {
		return tr
	}
	ms := j.words.findAll(t.ss)
	ps := j.parties.findAll(t.ss)
	cats := j.catMentions(t)
	byClass := func(s int, cl ...wclass) []mention {
		var out []mention
		for _, m := range ms {
			if t.words[m.i].sent == s && slices.Contains(cl, m.class) {
				out = append(out, m)
			}
		}
		return out
	}
	nsent := t.words[len(t.words)-1].sent + 1
	for s := 0; s < nsent; s++ {
		weapons := byClass(s, wWeapon)
		damage := byClass(s, wDamage)
		trigs := byClass(s, wAttack, wIntercept, wExplosion, wGround)
		// Damage is the result of the sentence's attack when it names
		// one; on its own it is an attack only if a weapon or a party
		// did it ("Russians damaged a tank"), never a cause left unsaid.
		if len(damage) > 0 && len(trigs) == 0 && (len(weapons) > 0 || subjectIn(t, ms, ps, s)) {
			trigs = append(trigs, damage...)
		}
		trigs = dedupeMentions(trigs)
		var evs []*event
		for _, tg := range trigs {
			e := &event{trig: tg, action: truce.Action(tg.label)}
			if tg.class == wDamage {
				e.action = truce.ActionAttack
			}
			if w := nearestMention(t, weapons, tg); w != nil {
				e.weapon = w
				if e.action == truce.ActionAttack || tg.class == wIntercept || tg.class == wExplosion {
					e.action = truce.Action(w.label)
				}
			}
			e.repelled = tg.class == wIntercept || repelledNear(t, ms, tg)
			j.modality(t, ms, e, r)
			j.bindActor(t, ms, ps, e)
			evs = append(evs, e)
		}
		bindTargets(t, ms, cats, evs, s)
		if len(evs) == 0 && len(tr.events) > 0 {
			// "Russian forces struck Kramatorsk. Damage to energy
			// infrastructure reported." / "Airstrikes on the district.
			// Power cut in several villages.": damage or an outage right
			// after an attack, with no attack of its own, is its result.
			if last := tr.events[len(tr.events)-1]; last.happened && last.target == nil && last.outage == nil && t.words[last.trig.i].sent == s-1 {
				if len(damage) > 0 {
					for _, c := range cats {
						if t.words[c.i].sent == s {
							c.rel, c.by = targetRel(t, ms, c)
							if last.target == nil || betterTarget(&c, last.target) {
								cc := c
								last.target = &cc
							}
						}
					}
				}
				if o := byClass(s, wOutage); len(o) > 0 && last.target == nil {
					last.outage = &o[0]
				}
			}
		}
		tr.events = append(tr.events, evs...)
	}
	tr.choose()
	return tr
}

// subjectIn reports whether sentence s names a party that can act: a
// subject, an agent or a party's forces, not a place or an object
// ("Russians damaged", not "scientists from Ukraine").
func subjectIn(t *text, ms, ps []mention, s int) bool {
	for k := range ps {
		p := &ps[k]
		if t.words[p.i].sent != s {
			continue
		}
		prev := p.i - 1
		afterPrep := prev >= 0 && isClass(ms, prev, wPrep)
		switch p.role {
		case roleSubject, roleAgent, roleVoice:
			if !afterPrep {
				return true
			}
		case roleAdjective:
			if p.i+p.n < len(t.words) && isClass(ms, p.i+p.n, wForce) {
				return true
			}
		}
	}
	return false
}

// dedupeMentions keeps one trigger per word: the longest pattern, then the
// first.
func dedupeMentions(ms []mention) []mention {
	slices.SortStableFunc(ms, func(a, b mention) int {
		if a.i != b.i {
			return a.i - b.i
		}
		return b.n - a.n
	})
	var out []mention
	end := -1
	for _, m := range ms {
		if m.i < end {
			continue
		}
		out = append(out, m)
		end = m.i + m.n
	}
	return out
}

func nearestMention(t *text, ms []mention, to mention) *mention {
	var best *mention
	bd := 1 << 30
	for k := range ms {
		m := &ms[k]
		if t.words[m.i].sent != t.words[to.i].sent {
			continue
		}
		d := abs(m.i - to.i)
		if t.words[m.i].clause != t.words[to.i].clause {
			d += 100
		}
		if d < bd {
			best, bd = m, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Modalities that govern the whole sentence (until a new assertion
// begins), and those that govern only the next few words.
var sentenceModalities = map[string]bool{"denied": true, "planned": true, "foiled": true, "threat": true, "past": true, "staged": true}

func (j *Judge) modality(t *text, ms []mention, e *event, r *truce.Report) {
	tg := e.trig
	s, cl := t.words[tg.i].sent, t.words[tg.i].clause
	e.happened = true
	for k := range ms {
		m := &ms[k]
		if m.class != wModality || t.words[m.i].sent != s || (m.i <= tg.i && tg.i < m.i+m.n) {
			continue
		}
		switch {
		case sentenceModalities[m.label]:
			if m.i < tg.i && speechBetween(t, ms, m.i, tg.i) {
				continue
			}
		case m.label == "conditional":
			if t.words[m.i].clause != cl || m.i > tg.i {
				continue
			}
		default: // negated, future, cessation: the words just before
			if m.i > tg.i || tg.i-(m.i+m.n) > 2 || t.words[m.i].clause != cl {
				continue
			}
		}
		if e.modM == nil || m.label == "denied" {
			e.modality, e.modM, e.happened = m.label, m, false
		}
	}
	if e.happened {
		if y := otherYear(t, s, r); y >= 0 {
			e.modality, e.happened = "past", false
			e.modM = &mention{lexPat: lexPat{class: wModality, label: "past"}, i: y, n: 1}
		}
	}
}

func speechBetween(t *text, ms []mention, from, to int) bool {
	for _, m := range ms {
		if m.class == wSpeech && m.i > from && m.i < to {
			return true
		}
	}
	return false
}

// otherYear returns the index of a year the sentence names that is not the
// report's, or -1.
func otherYear(t *text, s int, r *truce.Report) int {
	for i, w := range t.words {
		if w.sent != s || len(w.s) != 4 || !isDigits(w.s) {
			continue
		}
		y, _ := strconv.Atoi(w.s)
		if y >= 1990 && y <= 2100 && y != r.Start.Year() && y != r.End.Year() {
			return i
		}
	}
	return -1
}

// bindActor finds who did the attack: the accused of an accusation that
// governs it; the subject, agent or possessor of the trigger's clause (or
// of an earlier clause of the sentence); a party's weapons named as such;
// else a weapon only one party uses.
func (j *Judge) bindActor(t *text, ms, ps []mention, e *event) {
	tg := e.trig
	s := t.words[tg.i].sent
	// An accusation: "Кремль звинуватив Україну у вибуху".
	for _, m := range ms {
		if m.class != wAccuse || t.words[m.i].sent != s || m.i > tg.i {
			continue
		}
		for k := range ps {
			p := &ps[k]
			if p.i > m.i && p.i <= m.i+m.n+2 && p.i < tg.i {
				e.actor, e.actorM, e.actorHow = p.party, p, "accused"
				return
			}
		}
	}
	best, bd := -1, 1<<30
	for k := range ps {
		p := &ps[k]
		if t.words[p.i].sent != s || !actorEligible(t, ms, ps, p, tg) || accusedObject(t, ms, p) {
			continue
		}
		d := abs(p.i - tg.i)
		if c1, c2 := t.words[p.i].clause, t.words[tg.i].clause; c1 != c2 {
			if p.i > tg.i {
				continue // a later clause speaks of something else
			}
			d += 100 * (c2 - c1)
		}
		if d < bd {
			best, bd = k, d
		}
	}
	if best >= 0 {
		p := &ps[best]
		e.actor, e.actorM = p.party, p
		switch p.role {
		case roleAdjective:
			e.actorHow = "their forces or weapons named as such"
		case roleAgent:
			e.actorHow = "agent"
		case roleGenitive:
			e.actorHow = "possessor of the attack"
		case roleVoice:
			e.actorHow = "the outlet's word for the other side"
		default:
			e.actorHow = "subject"
		}
		return
	}
	for k := range ms {
		m := &ms[k]
		if m.class == wRUOnly && t.words[m.i].sent == s && j.hasParty("RU") {
			e.actor, e.actorM, e.actorHow = "RU", m, "a weapon only Russia uses in this war"
			return
		}
	}
}

func (j *Judge) hasParty(id truce.PartyID) bool {
	_, ok := j.a.Party(id)
	return ok
}

// actorEligible says whether party mention p can be the actor of trigger
// tg, from its form and the word before it.
func actorEligible(t *text, ms, ps []mention, p *mention, tg mention) bool {
	prev := p.i - 1
	if agentBy(t, p) {
		return true // "attacks by the Armed Forces of Ukraine"
	}
	afterPrep := prev >= 0 && t.words[prev].clause == t.words[p.i].clause && isClass(ms, prev, wPrep)
	if afterPrep && p.role != roleAgent && p.role != roleAdjective {
		return false
	}
	switch p.role {
	case roleObject:
		return false
	case roleVoice:
		return t.lang == langUK
	case roleAdjective:
		// "російські дрони", "удар російського дрона": the adjective
		// must name forces, weapons or an attack.
		for k := p.i + p.n; k < len(t.words) && k <= p.i+p.n+1; k++ {
			if isClass(ms, k, wForce) {
				return true
			}
		}
		return false
	case roleGenitive:
		// "удари Росії", "армія РФ": right after a force or attack word.
		if prev >= 0 && isClass(ms, prev, wForce) {
			return true
		}
		if p.role == roleGenitive && hasRole(ps, p, roleSubject) {
			break // РФ, ЗСУ: also a subject form
		}
		return false
	}
	// A subject: before the trigger, at the start of its clause or after a
	// conjunction, adverb or a force word ("армія РФ"); a noun before an
	// indeclinable name makes it a possessor ("агента РФ", "Міноборони РФ").
	if p.i > tg.i {
		return false
	}
	if prev >= 0 && t.words[prev].clause == t.words[p.i].clause && !isClass(ms, prev, wForce) && !freeBefore[t.words[prev].s] && indeclinable(t.words[p.i].s) {
		return false
	}
	return true
}

// freeBefore are words that may stand before a subject.
var freeBefore = map[string]bool{
	"і": true, "й": true, "та": true, "и": true, "а": true, "але": true, "но": true, "також": true, "также": true, "знову": true, "снова": true,
	"вночі": true, "уночі": true, "ночью": true, "сьогодні": true, "сегодня": true, "вчора": true, "вчера": true, "ранком": true, "утром": true,
	"сама": true, "сам": true, "самі": true, "сами": true, "що": true, "что": true, "and": true, "but": true, "then": true, "again": true,
}

func indeclinable(s string) bool {
	switch s {
	case "рф", "зсу", "всу", "вфу", "сбу", "гур", "сбс":
		return true
	}
	return false
}

func hasRole(ps []mention, p *mention, r partyRole) bool {
	for _, q := range ps {
		if q.i == p.i && q.n == p.n && q.party == p.party && q.role == r {
			return true
		}
	}
	return false
}

func accusedObject(t *text, ms []mention, p *mention) bool {
	for _, m := range ms {
		if m.class == wAccuse && p.i > m.i && p.i <= m.i+m.n+2 && t.words[m.i].sent == t.words[p.i].sent {
			return true
		}
	}
	return false
}

func isClass(ms []mention, i int, cl wclass) bool {
	for _, m := range ms {
		if m.class == cl && m.i <= i && i < m.i+m.n {
			return true
		}
	}
	return false
}

// catMentions finds the agreement's target keywords in the text, dropping
// one found inside a longer one.
func (j *Judge) catMentions(t *text) []catMention {
	var out []catMention
	for i, w := range t.ss {
		for _, e := range j.cats.byFirst[firstRune(w)] {
			if e.p.matchAt(t.ss, i) {
				out = append(out, catMention{cat: e.label, i: i, n: len(e.p.words)})
			}
		}
	}
	var kept []catMention
	for _, c := range out {
		inside := false
		for _, d := range out {
			if d.n > c.n && d.i <= c.i && c.i+c.n <= d.i+d.n {
				inside = true
			}
		}
		if !inside {
			kept = append(kept, c)
		}
	}
	return kept
}

// bindTargets gives each target word of sentence s to the nearest attack
// before it (else after it), and says what the words around it make of it.
func bindTargets(t *text, ms []mention, cats []catMention, evs []*event, s int) {
	if len(evs) == 0 {
		return
	}
	for k := range cats {
		c := cats[k]
		if t.words[c.i].sent != s {
			continue
		}
		c.rel, c.by = targetRel(t, ms, c)
		var to *event
		for _, e := range evs {
			if e.trig.i < c.i && (to == nil || e.trig.i > to.trig.i) {
				to = e
			}
		}
		if to == nil {
			// A target before every attack of the sentence is its object
			// only in the same clause ("Енергетика Одещини опинилась під
			// ударом"), not across a clause that says something else.
			for _, e := range evs {
				if t.words[e.trig.i].clause == t.words[c.i].clause && (to == nil || e.trig.i < to.trig.i) {
					to = e
				}
			}
			if to == nil {
				continue
			}
		}
		if to.target == nil || betterTarget(&c, to.target) {
			cc := c
			to.target = &cc
		}
	}
	for k := range ms {
		m := &ms[k]
		if m.class != wOutage || t.words[m.i].sent != s {
			continue
		}
		for _, e := range evs {
			if e.outage == nil {
				e.outage = m
			}
		}
	}
}

// betterTarget prefers a target struck over one near, cut off or of people.
func betterTarget(a, b *catMention) bool {
	return a.rel == "" && b.rel != ""
}

// targetRel says what the words around a target word make of it: "outage"
// (the object lost power: "знеструмлена ЛЕП"), "near" ("біля НПЗ"),
// "person" ("працівницю ЗАЕС", "енергетиків"), or "" (struck or damaged).
func targetRel(t *text, ms []mention, c catMention) (string, *mention) {
	for k := range ms {
		m := &ms[k]
		if t.words[m.i].clause != t.words[c.i].clause {
			continue
		}
		before := c.i - (m.i + m.n) // words between m and c, m before c
		after := m.i - (c.i + c.n)  // m after c
		overlap := m.i < c.i+c.n && c.i < m.i+m.n
		switch m.class {
		case wPerson:
			if overlap || (before >= 0 && before <= 1) {
				return "person", m
			}
		case wNear:
			if before >= 0 && before <= 1 {
				return "near", m
			}
		case wOutage:
			if (before >= 0 && before <= 1) || (after >= 0 && after <= 1) {
				return "outage", m
			}
		}
	}
	return "", nil
}

// choose picks the event the report is judged on: one that happened, with
// a target struck, with an actor, first in the text.
func (tr *textReading) choose() {
	score := func(e *event) int {
		s := 0
		if e.happened {
			s += 8
		}
		if e.target != nil && e.target.rel == "" {
			s += 4
		} else if e.target != nil || e.outage != nil {
			s += 2
		}
		if e.actor != "" {
			s++
		}
		return s
	}
	for _, e := range tr.events {
		if tr.best == nil || score(e) > score(tr.best) {
			tr.best = e
		}
	}
	if tr.best == nil || !tr.best.happened || tr.best.target == nil || tr.best.target.rel != "" {
		return
	}
	for _, e := range tr.events {
		if e != tr.best && e.happened && e.target != nil && e.target.rel == "" && e.actor != "" && e.actor != tr.best.actor && tr.best.actor != "" {
			tr.multi = append(tr.multi, e.actor)
		}
	}
}

// span returns the text of words [i, i+n) as written, and its offsets in
// code points.
func (t *text) span(i, n int) (string, int, int) {
	a, z := t.words[i], t.words[i+n-1]
	return t.raw[a.bstart:z.bend], a.start, z.end
}

func (t *text) evidence(fact string, m *mention, note string) truce.Span {
	w, st, en := t.span(m.i, m.n)
	return truce.Span{Fact: fact, Basis: truce.BasisText, Words: w, Start: st, End: en, Note: note}
}

// repelledNear reports whether an interception or repelling word governs
// the attack word tg ("відбиття атаки", "отразили атаку", "атаку відбито").
func repelledNear(t *text, ms []mention, tg mention) bool {
	for _, m := range ms {
		if m.class != wIntercept || t.words[m.i].sent != t.words[tg.i].sent {
			continue
		}
		if (m.i < tg.i && tg.i-(m.i+m.n) <= 4) || (m.i > tg.i && m.i-(tg.i+tg.n) <= 1) {
			return true
		}
	}
	return false
}

// agentBy reports whether party mention p is the agent of an English
// passive or nominalised attack: "by" at most three words before it in the
// same clause ("by the Armed Forces of Ukraine", "by Russian drones").
func agentBy(t *text, p *mention) bool {
	for k := p.i - 1; k >= 0 && k >= p.i-4; k-- {
		if t.words[k].clause != t.words[p.i].clause {
			return false
		}
		if t.words[k].s == "by" {
			return true
		}
	}
	return false
}
