#!/usr/bin/env python3
"""Cost of the default `joindots estimate --table` per table shape (issue 13).

For K = 3..10 lists, a dense table (N = 20,000 people, capture probabilities 0.15-0.35,
mild heterogeneity: thousands observed, few empty cells) and a sparse one (about 200
observed, each person on one list and 10% on an adjacent second one: most pairs of lists
never overlap, most cells empty), plus every table in ../shared/data/mse (with covariates too): runs the default
command (`--json --quiet`, 2 threads), and prints a markdown table of wall and CPU seconds,
the headline and its interval, and whether the headline lies inside it.

    bench/table_shapes.py build/bin/joindots ../shared/data/mse [--only sparse8] [--extra ARGS]
        [--check] [--max-cpu S] [--keep DIR]

--check exits 1 when any run fails or puts its headline outside its interval; --max-cpu S
also when any run takes more than S CPU seconds (the machine is shared: CPU, not wall, is
the figure that does not depend on the others' load; 60 s wall on an idle 2-core machine
is about 100-120 CPU s with 2 threads). The load average is printed per run.

Tables are simulated with fixed seeds (Python's random), written to a temporary folder.
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time


def write_table(path, k, counts):
    with open(path, "w") as f:
        f.write(",".join(f"L{j + 1}" for j in range(k)) + ",count\n")
        for c in range(1, 1 << k):
            f.write(",".join(str(c >> j & 1) for j in range(k)) + f",{counts.get(c, 0)}\n")


def dense_counts(k, seed, n=20000):
    rnd = random.Random(seed)
    p = [0.15 + 0.2 * rnd.random() for _ in range(k)]
    counts = {}
    for _ in range(n):
        boost = 1.5 if rnd.random() < 0.3 else 0.8
        c = 0
        for j in range(k):
            if rnd.random() < min(1.0, p[j] * boost):
                c |= 1 << j
        if c:
            counts[c] = counts.get(c, 0) + 1
    return counts


def sparse_counts(k, seed, n=200):
    rnd = random.Random(seed)
    w = [1.0 / (1 + j) for j in range(k)]
    counts = {}
    for _ in range(n):
        j = rnd.choices(range(k), weights=w)[0]
        c = 1 << j
        if rnd.random() < 0.1:
            c |= 1 << (j + 1 if j + 1 < k else j - 1)
        counts[c] = counts.get(c, 0) + 1
    return counts


def run(binary, table, extra):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([binary, "estimate", "--table", table, "--json", "--quiet", *extra],
                         capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode != 0:
        return wall, cpu, None, out.stderr.strip().splitlines()[-1:]
    return wall, cpu, json.loads(out.stdout), []


def fmt(v):
    return "-" if v is None else f"{v:,.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("mse_dir")
    ap.add_argument("--only", default="", help="run only shapes whose name contains this")
    ap.add_argument("--extra", default="", help="extra arguments for estimate, space-separated")
    ap.add_argument("--check", action="store_true", help="exit 1 on a failed run or a headline outside its interval")
    ap.add_argument("--max-cpu", type=float, default=0, help="with --check: exit 1 when a run takes more CPU s")
    ap.add_argument("--keep", default="", help="write the simulated tables to this folder and keep them")
    a = ap.parse_args()
    extra = a.extra.split() if a.extra else []
    shapes = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = a.keep or scratch
        os.makedirs(tmp, exist_ok=True)
        for k in range(3, 11):
            for kind, make in (("dense", dense_counts), ("sparse", sparse_counts)):
                counts = make(k, 1000 + k)
                path = os.path.join(tmp, f"{kind}{k}.csv")
                write_table(path, k, counts)
                empty = (1 << k) - 1 - sum(1 for v in counts.values() if v > 0)
                shapes.append((f"{kind}{k}", k, sum(counts.values()), empty, path))
        for name in sorted(os.listdir(a.mse_dir)):
            if name.endswith(".csv"):
                path = os.path.join(a.mse_dir, name)
                with open(path) as f:
                    rows = [line.strip().split(",") for line in f][1:]
                # The list columns are the leading 0/1 ones; covariate columns (the _by_ tables, whose
                # headline is bayes_loglinear) follow them: their empty cells are not counted ("-").
                k = 0
                while k < len(rows[0]) - 1 and all(r[k] in ("0", "1") for r in rows):
                    k += 1
                covariates = k < len(rows[0]) - 1
                empty = "-" if covariates else (sum(1 for r in rows if int(r[-1]) == 0) + (1 << k) - 1 - len(rows))
                shapes.append((name[:-4], k, sum(int(r[-1]) for r in rows), empty, path))
        print("| table | K | observed | empty cells | load | wall s | CPU s | headline | interval | inside | headline method |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        worst = 0.0
        problems = []
        for name, k, n, empty, path in shapes:
            if a.only and a.only not in name:
                continue
            load = os.getloadavg()[0]
            wall, cpu, j, err = run(a.binary, path, extra)
            worst = max(worst, wall)
            if a.max_cpu and cpu > a.max_cpu:
                problems.append(f"{name}: {cpu:.1f} CPU s > {a.max_cpu:g}")
            if j is None:
                print(f"| {name} | {k} | {n:,} | {empty} | {load:.1f} | {wall:.1f} | {cpu:.1f} | error | {err} | - | - |")
                problems.append(f"{name}: failed: {err}")
                continue
            est, iv = j["estimate"], j["interval"]
            weak = " (weak)" if j.get("weak_headline") else ""
            inside = "-" if est is None or iv[0] is None else ("yes" if iv[0] <= est <= (iv[1] or float("inf")) else "NO")
            if inside != "yes":
                problems.append(f"{name}: headline {est} and interval {iv}: inside {inside}")
            print(f"| {name} | {k} | {n:,} | {empty} | {load:.1f} | {wall:.1f} | {cpu:.1f} | {fmt(est)} "
                  f"| {fmt(iv[0])}-{fmt(iv[1])} | {inside} | {j['headline_method']}{weak} |", flush=True)
        print(f"\nslowest: {worst:.1f} s wall")
        if a.check and problems:
            print("problems:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
