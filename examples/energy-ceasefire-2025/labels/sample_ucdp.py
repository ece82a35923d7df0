#!/usr/bin/env python3
"""Draw the UCDP GED sample for the what-if winter draft (blind, scored once).

Every event of 15 November 2022 .. 28 February 2023 in
../reports/ucdp_ged_ukraine_2022_2023.csv whose headline has an energy word,
plus events of the same window drawn at random (seed 2022) up to 110.
Usage: python3 sample_ucdp.py > ucdp.csv (columns: id, date).
"""
import csv, io, random, re, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
raw = (HERE.parent / "reports" / "ucdp_ged_ukraine_2022_2023.csv").read_bytes().decode("cp1252")
rows = list(csv.DictReader(io.StringIO(raw, newline="")))


def day(r):
    m, d, y = r["date_start"].split()[0].split("/")
    return f"{y}-{int(m):02d}-{int(d):02d}"


win = [r for r in rows if "2022-11-15" <= day(r) <= "2023-02-28"]
pat = re.compile(r"energy|power|substation|thermal|grid|electric|oil|fuel|refiner|gas|infrastructure|dam\b|nuclear|light", re.I)
energy = [r for r in win if pat.search(r["source_headline"])]
other = [r for r in win if r not in energy]
pick = energy + random.Random(2022).sample(other, 110 - len(energy))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "date"])
for r in sorted(pick, key=day):
    w.writerow([r["id"], day(r)])
