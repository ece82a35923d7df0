#!/usr/bin/env python3
"""Draw the blind sample (drawn after the judge was tuned; scored once).

320 VIINA reports of 15 March .. 20 April 2025 drawn at random (seed
20261206) from those whose headline is not in sample.csv: the background a
mission receives. Usage: python3 sample_blind.py > blind.csv
(columns: id, date, key).
"""
import csv, hashlib, random, re, sys, unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent


def key(h):
    s = unicodedata.normalize("NFC", h).lower()
    return hashlib.sha256(re.sub(r"\W+", " ", s).strip().encode()).hexdigest()[:10]


sample = list(csv.DictReader(open(HERE / "sample.csv", encoding="utf-8")))
ids = {r["id"] for r in sample}
keys = {key(r["headline"]) for r in sample}
rows = []
for f in ["viina_incidents_202503.csv", "viina_incidents_202504.csv"]:
    with open(HERE.parent / "reports" / f, encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            row["id"] = f"{f}:{i + 2}"
            rows.append(row)
pool = [r for r in rows if "2025-03-15" <= r["datetime"][:10] <= "2025-04-20"
        and r["id"] not in ids and key(r["headline"]) not in keys]
pick = random.Random(20261206).sample(pool, 320)
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "date", "key"])
for r in sorted(pick, key=lambda r: (r["datetime"], r["id"])):
    w.writerow([r["id"], r["datetime"], key(r["headline"])])
