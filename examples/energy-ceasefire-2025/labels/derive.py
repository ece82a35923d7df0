#!/usr/bin/env python3
"""Derive each sampled report's label from the hand-labelled facts.

facts.csv holds the facts a person read from each distinct headline (see
docs/labelling.md); this script applies the guide's verdict rules to them and
to each report's own date, for each reading of the 2025 energy phase, and
writes labels.csv, the file `truce eval --labels` reads.

Usage: python3 derive.py   (reads sample.csv, blind.csv, ucdp.csv and the
facts files; writes labels.csv and labels-ucdp-winter-2022.csv)
"""
import csv, hashlib, re, unicodedata
from datetime import date

READINGS = [("RU", date(2025, 3, 18)), ("US", date(2025, 3, 18)), ("UA", date(2025, 3, 25))]
END = date(2025, 4, 17)  # the phase ends at the end of this day, Kyiv time
HOLDS = {"RU": {"russia", "ru_held"}, "UA": {"ua_held"}}


def key(headline):
    s = unicodedata.normalize("NFC", headline).lower()
    return hashlib.sha256(re.sub(r"\W+", " ", s).strip().encode()).hexdigest()[:10]


def reading(f, day, start):
    if f["attack"] != "yes" or not (start <= day <= END):
        return "not_prohibited"
    if f["target"] in ("not_covered", "none"):
        return "not_prohibited"
    if f["target"] == "unclear" or f["attacker"] == "unknown":
        return "undetermined"
    if f["place"] == "unknown":
        return "undetermined"
    if f["place"] in HOLDS[f["attacker"]]:
        return "not_prohibited"
    return "violation"


def combine(outs):
    if "violation" in outs and "not_prohibited" in outs:
        return "disputed"
    if all(o == "violation" for o in outs):
        return "violation"
    if "undetermined" in outs:
        return "undetermined"
    return "not_prohibited"


def label(f, rid, half, stratum, day0, readings, end):
    day = date.fromisoformat(f["event_date"] or day0)
    global END
    END = end
    per = [(p, reading(f, day, start)) for p, start in readings]
    outcome = combine([o for _, o in per])
    party = f["attacker"] if outcome in ("violation", "disputed") else ""
    return {
        "id": rid, "half": half, "outcome": outcome, "party": party,
        "readings": " ".join(f"{p}={o}" for p, o in per),
        "stratum": stratum, "date": day0, "key": f["key"],
        "attack": f["attack"], "target": f["target"], "attempted": f["attempted"],
        "attacker": f["attacker"], "place": f["place"], "event_date": f["event_date"],
        "gist": f["gist"],
    }


def write(name, out):
    with open(name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)


# The 2025 agreement: the development and test halves of sample.csv, and
# the blind sample drawn after the judge was tuned (blind.csv).
facts = {r["key"]: r for r in csv.DictReader(open("facts.csv", encoding="utf-8"))}
out = []
for s in csv.DictReader(open("sample.csv", encoding="utf-8")):
    out.append(label(facts[key(s["headline"])], s["id"], s["half"], s["stratum"], s["date"][:10], READINGS, END))
for s in csv.DictReader(open("blind.csv", encoding="utf-8")):
    out.append(label(facts[s["key"]], s["id"], "blind", "background", s["date"][:10], READINGS, END))
write("labels.csv", out)

# The what-if winter draft (agreement-2022-winter-draft.yaml) on UCDP GED
# events: one reading for every party, 15 November 2022 .. 28 February 2023.
ufacts = {r["key"]: r for r in csv.DictReader(open("facts-ucdp.csv", encoding="utf-8"))}
out = []
for s in csv.DictReader(open("ucdp.csv", encoding="utf-8")):
    out.append(label(ufacts[s["id"]], s["id"], "blind", "ucdp", s["date"],
                     [("RU", date(2022, 11, 15))], date(2023, 2, 28)))
write("labels-ucdp-winter-2022.csv", out)
