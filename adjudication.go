package truce

import "time"

// Outcome is the result of judging a report against a commitment. Outcomes
// are ordered by severity: a report's outcome is the most severe of its
// findings.
type Outcome uint8

// Outcomes, least severe first.
const (
	OutcomeNotProhibited Outcome = iota + 1
	OutcomeUndetermined
	OutcomeDisputed
	OutcomeViolation
)

var outcomeNames = [...]string{"", "not_prohibited", "undetermined", "disputed", "violation"}

// String returns the outcome's wire name, e.g. "not_prohibited".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && o != 0 {
		return outcomeNames[o]
	}
	return "unknown"
}

// ParseOutcome returns the outcome named s.
func ParseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if i > 0 && n == s {
			return Outcome(i), true
		}
	}
	return 0, false
}

// Outcomes lists every outcome, most severe first.
func Outcomes() []Outcome {
	return []Outcome{OutcomeViolation, OutcomeDisputed, OutcomeUndetermined, OutcomeNotProhibited}
}

// Basis says how a fact about a report was established.
type Basis string

// Bases for established facts.
const (
	BasisNone     Basis = ""
	BasisExplicit Basis = "explicit" // a field of the report states it
	BasisSite     Basis = "site"     // a protected site near the report
	BasisText     Basis = "text"     // keywords or phrases in the report's text
	BasisActor    Basis = "actor"    // the report's actor fields
	BasisEvent    Basis = "event"    // the source's event type (a coder's field, e.g. ACLED's)
	BasisTag      Basis = "tag"      // a machine classifier's tag (e.g. VIINA's event_type): corroborates, never establishes
	BasisSensor   Basis = "sensor"   // a point-precise sensor detection (e.g. a FIRMS hotspot)
	BasisPlace    Basis = "place"    // a place the text names, resolved in the agreement's gazetteer
)

// Span is what established one fact of a judgement: the words of the
// report's text (with their offsets) or the field, tag, site or sensor it
// rests on. Start and End are offsets in Unicode code points into the
// report's text, End exclusive; both are 0 when the evidence is not words
// of the text.
type Span struct {
	Fact  string // "attack", "perpetrator", "target", "modality", "place", "outage"
	Basis Basis
	Words string
	Start int
	End   int
	Note  string
}

// Facts are what adjudication established about a report before applying
// any commitment: who acted, how, against what and where.
type Facts struct {
	Perpetrator      PartyID
	PerpetratorBasis Basis
	PerpetratorNote  string // e.g. `actor1 "Military Forces of Russia (2000-)"`
	Actions          []Action
	ActionBasis      Basis
	Category         CategoryID
	CategoryBasis    Basis
	CategoryNote     string // e.g. the keyword that matched
	Site             *SiteMatch
	Zones            []ZoneID // the zones containing the point (common reading)
	// Modality, when set, says why an attack the text mentions did not
	// happen as reported: "denied", "planned", "foiled", "negated",
	// "conditional", "threat", "past", "cessation".
	Modality string
	// Attempted is true when the text says the attack on the target was
	// intercepted or missed.
	Attempted bool
	// Place is the gazetteer place the text names for the event, when it
	// decided where the report is judged.
	Place string
	// Evidence lists what established each fact: the words of the text
	// with their offsets, or the field, tag, site or sensor.
	Evidence []Span
}

// SiteMatch is the protected site a report was taken to be about.
type SiteMatch struct {
	ID             SiteID
	Name           string
	Category       CategoryID
	DistanceMeters float64
}

// ReadingResult is the outcome of a commitment under one reading.
type ReadingResult struct {
	Parties []PartyID
	Outcome Outcome
	// Day and Days place the report in the phase under this reading
	// ("day 11 of 31"); zero when the phase was not in force.
	Day, Days int
	Note      string
}

// Finding is the judgement of one report against one commitment.
type Finding struct {
	Commitment CommitmentID
	Phase      PhaseID
	// Party is the bound party the finding is about: the perpetrator if
	// known, else "" (every bound party is a candidate).
	Party       PartyID
	Outcome     Outcome
	Readings    []ReadingResult
	Missing     []string // facts whose absence makes the outcome undetermined
	Reason      string   // why not prohibited
	Zone        ZoneID   // the commitment zone the report falls in, if any
	Explanation string
}

// Judgement is the adjudication of one report against an agreement.
type Judgement struct {
	Report      ReportID
	Outcome     Outcome
	Facts       Facts
	Findings    []Finding
	Explanation string
}

// Breach is a violation verdict known when a report is judged, which may
// release the other side under an agreement's release clauses (see
// Release): an act of Party that breached Commitment at At, in report
// Report of incident Incident, whose review status is Status.
type Breach struct {
	Party      PartyID
	Commitment CommitmentID
	// At is when the act happened, as its report says; End is when it had
	// surely happened (a report of a day ends at the day's end): a
	// release counts from End, so a same-day act is not taken as later.
	At, End  time.Time
	Report   ReportID
	Incident IncidentID
	Status   Status
	// Readings are the parties whose readings found the act a violation
	// (all of them for a violation, some for a disputed verdict).
	Readings []PartyID
}

// Verified reports whether a monitor verified the breach's incident.
func (b *Breach) Verified() bool { return b.Status == StatusVerified }
