#!/usr/bin/env python3
"""The victims' capture table under perfect linkage: the simulator's truth (which record is
whom, DIR/truth/records.csv) joined to the store's source types, as a capture-history CSV for
`joindots estimate --table`. Usage: perfect_linkage_table.py HUB.DB COUNTRY_DIR OUT.csv"""
import csv
import sqlite3
import sys
from collections import Counter, defaultdict

db, country, out = sys.argv[1:4]
conn = sqlite3.connect(db)
type_of = {}
for org, record_id, source_type in conn.execute(
        "SELECT r.source_org, r.record_id, s.source_type FROM records r JOIN sources s USING (source_id) "
        "WHERE r.role = 'victim'"):
    type_of[(org, record_id)] = source_type
lists = ["police", "children_services", "health", "nrm", "charity", "education", "youth_justice"]
lists = [l for l in lists if l in set(type_of.values())]
seen = defaultdict(set)
with open(f"{country}/truth/records.csv", newline="") as f:
    for row in csv.DictReader(f):
        t = type_of.get((row["source_org"], row["record_id"]))
        if t:
            seen[row["person_id"]].add(t)
patterns = Counter(tuple(int(l in s) for l in lists) for s in seen.values())
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(lists + ["count"])
    for p, n in sorted(patterns.items()):
        w.writerow(list(p) + [n])
