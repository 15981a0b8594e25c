#!/usr/bin/env python3
"""IndependentCountry: one small country from the independent generator
(bench/independent_country/generate.py, not the project's simulator) through ingest, link
and estimate with the defaults; fails if victim linkage F1 falls below 0.97 or the victims'
estimate leaves [0.8, 1.25] x truth. Floors from bench/independent_country/study.py
(docs/estimation.md, "On countries from an independent generator"): on the plain scenario
F1 was 0.985-0.99 over 8 countries of 6,000 and the end-to-end error -1% to +4% (+7.5% on this
1,500-child one, whose interval is wider). Fixed seed: deterministic.
Usage: independent_country_test.py JOINDOTS WORKDIR"""
import json
import os
import shutil
import subprocess
import sys

joindots, work = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
country, db = f"{work}/country", f"{work}/hub.db"


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout


run(sys.executable, f"{root}/bench/independent_country/generate.py", "--seed", "11", "--children", "1500",
    "--scenario", "plain", "--out", country)
truth = json.load(open(f"{country}/truth/summary.json"))["victims"]
run(joindots, "ingest", "--quiet", "--db", db, f"{country}/agencies")
f1 = json.loads(run(joindots, "link", "--quiet", "--db", db, "--truth", country, "--json"))["f1"]
estimate = json.loads(run(joindots, "estimate", "--quiet", "--json", "--db", db))["victims"]["estimate"]
print(f"truth {truth}, victim F1 {f1:.4f}, estimate {estimate:.0f} ({100 * (estimate / truth - 1):+.1f}%)")
failed = []
if f1 < 0.97:
    failed.append(f"victim linkage F1 {f1:.4f} below 0.97")
if not 0.8 * truth <= estimate <= 1.25 * truth:
    failed.append(f"estimate {estimate:.0f} outside [0.8, 1.25] x truth {truth}")
if failed:
    sys.exit("; ".join(failed))
