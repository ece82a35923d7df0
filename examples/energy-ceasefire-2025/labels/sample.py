#!/usr/bin/env python3
"""Draw the labelled sample of the bundled VIINA months (reproducible).

The sample is chosen from the reports alone, never from the judge's output:
  - every report dated 15 March .. 20 April 2025 whose headline has an
    energy-related word stem (the informative stratum: most accusations
    live here, and so do most near-misses);
  - 260 other reports of the same days, drawn at random (seed 2025): the
    background a mission receives, where a false accusation would come from
    a headline with no energy word at all;
  - 60 reports from the days outside the window, drawn at random.
Each report is assigned to the development or the test half by a hash of its
normalised headline, so a headline republished on many days never sits in
both halves.

Usage: python3 sample.py > sample.csv   (columns: id, half, stratum, date,
place, lon, lat, event_type, headline)
"""
import csv, hashlib, random, re, sys, unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = ["viina_incidents_202503.csv", "viina_incidents_202504.csv"]
ENERGY = re.compile(
    r"енерг|энерг|електр|электр|світл|свет|ТЕЦ|ТЭЦ|ТЕС|ТЭС|АЕС|АЭС|ГЕС|ГЭС|підстанц|"
    r"подстанц|НПЗ|нафт|нефт|газ|ЛЕП|ЛЭП|знеструм|обесточ|трансформ|паливн|топлив|"
    r"energy|power|котельн|теплопост", re.I)


def norm(s):
    s = unicodedata.normalize("NFC", s).lower()
    return re.sub(r"\W+", " ", s).strip()


def half(headline):
    h = hashlib.sha256(norm(headline).encode()).digest()
    return "test" if h[0] % 2 else "dev"


rows = []
for f in FILES:
    with open(HERE.parent / "reports" / f, encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            row["id"] = f"{f}:{i + 2}"
            rows.append(row)

inwin = [r for r in rows if "2025-03-15" <= r["datetime"][:10] <= "2025-04-20"]
outwin = [r for r in rows if not ("2025-03-15" <= r["datetime"][:10] <= "2025-04-20")]
energy = [r for r in inwin if ENERGY.search(r["headline"])]
other = [r for r in inwin if not ENERGY.search(r["headline"])]
rng = random.Random(2025)
picked = [(r, "energy") for r in energy]
picked += [(r, "background") for r in rng.sample(other, 260)]
picked += [(r, "outside") for r in rng.sample(outwin, 60)]
picked.sort(key=lambda p: (p[0]["datetime"], p[0]["id"]))

w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "half", "stratum", "date", "place", "lon", "lat", "event_type", "headline"])
for r, stratum in picked:
    w.writerow([r["id"], half(r["headline"]), stratum, r["datetime"], r["place_name"],
                r["lon"], r["lat"], r["event_type"], r["headline"]])
