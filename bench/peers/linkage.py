#!/usr/bin/python3
"""Linkage side by side (issue 12): fastLink (R, built by scripts/install-bench-peers)
against `joindots link`, with no config and with the shipped one, on visible sets of
$JOINDOTS_DATA_DIR/linkage and two of joindots_link_corrupt's variants, one timed command at a
time, each bounded by a timeout.

    bench/peers/linkage.py [--joindots build/bin/joindots] [--corrupt build/bin/joindots_link_corrupt]
                           [--work DIR] [--timeout 1200] [--only NAME] [--report-only]

Sets: febrl4 (two files of 5,000, one to one) with every field and with given name, surname,
suburb and postcode only (the data README's harder form); febrl3 (5,000, de-duplication);
register5_places (five files of 8,486 records from 3,000 persons, one record per person per
file, correlated suburb and postcode, no dates) and dedupe_typos (one file of 10,168 records
from 4,600 persons, typos in names and dates), both written by joindots_link_corrupt from
zingg_febrl_20k with seed 1.

Scores, computed here the same way for both from the truth column: cluster F1 (precision and
recall over the pairs of records put in one cluster: joindots' clusters.csv; fastLink's
matched pairs closed transitively) and, for fastLink, pairwise F1 of its matched pairs
(posterior >= 0.85) before closure. Wall, CPU and peak resident memory from GNU time of the
whole command (for fastLink the R process: its forked workers' memory is not added).
fastLink runs on 2 cores (n.cores = 2), joindots with its default 2 threads.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import timed  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
FEBRL_ALL = ("given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id",
             "given_name,surname,address_1,address_2,suburb")
FEBRL_NAMES_POSTCODE = ("given_name,surname,suburb,postcode", "given_name,surname,suburb")


def reduced_copy(src, dst, columns):
    with open(src, newline="") as f, open(dst, "w", newline="") as g:
        r = csv.DictReader(f)
        w = csv.DictWriter(g, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for row in r:
            w.writerow(row)


def sets(data, scratch, corrupt):
    """(name, files, id column, truth column, fastLink fields, string fields, shipped config)."""
    link = os.path.join(data, "linkage")
    f4 = [f"{link}/febrl4/febrl4a.csv", f"{link}/febrl4/febrl4b.csv"]
    reduced = []
    for path in f4:
        dst = os.path.join(scratch, os.path.basename(path))
        reduced_copy(path, dst, ["entity_id", "rec_id", "given_name", "surname", "suburb", "postcode"])
        reduced.append(dst)
    variants = os.path.join(scratch, "variants")
    small, large = os.path.join(variants, "p3000"), os.path.join(variants, "p4600")
    base = f"{link}/zingg_febrl_20k/febrl_20k.csv"
    for d, persons in ((small, 3000), (large, 4600)):
        subprocess.run([corrupt, base, d, "1", str(persons)], check=True, capture_output=True)
    shipped = os.path.join(REPO, "configs", "link")
    return [
        ("febrl4", f4, "rec_id", "entity_id", *FEBRL_ALL, f"{shipped}/febrl.toml"),
        ("febrl4_names_postcode", reduced, "rec_id", "entity_id", *FEBRL_NAMES_POSTCODE,
         f"{shipped}/febrl4_names_postcode.toml"),
        ("febrl3", [f"{link}/febrl3/febrl3.csv"], "rec_id", "entity_id", *FEBRL_ALL, f"{shipped}/febrl.toml"),
        ("register5_places", sorted(f"{small}/register5_places/{f}" for f in os.listdir(f"{small}/register5_places")),
         "record_id", "entity_id", "givenname,lastname,zip,suburb", "givenname,lastname,suburb", None),
        ("dedupe_typos_10k", [f"{large}/dedupe_typos/party_1.csv"], "record_id", "entity_id",
         "givenname,lastname,birth_date,zip,suburb", "givenname,lastname,suburb", None),
    ]


def truth_of(files, id_col, truth_col):
    entity = {}
    for path in files:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                entity[(os.path.basename(path), row[id_col])] = row[truth_col]
    return entity


def pairs_of_counts(counts):
    return sum(n * (n - 1) // 2 for n in counts)


def cluster_scores(clusters, entity):
    """clusters: record key -> cluster label (records absent are singletons)."""
    true_pairs = pairs_of_counts(Counter(entity.values()).values())
    members = defaultdict(list)
    for key, c in clusters.items():
        members[c].append(entity[key])
    found = sum(pairs_of_counts([len(m)]) for m in members.values())
    tp = sum(pairs_of_counts(Counter(m).values()) for m in members.values())
    return scores(tp, found, true_pairs) | {"largest_cluster": max((len(m) for m in members.values()), default=1)}


def scores(tp, found, true_pairs):
    p = tp / found if found else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "found_pairs": found, "true_pairs": true_pairs}


def closure(pairs):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {x: find(x) for x in parent}


def score_fastlink(pairs_csv, entity):
    with open(pairs_csv, newline="") as f:
        pairs = [((r["file_a"], r["id_a"]), (r["file_b"], r["id_b"])) for r in csv.DictReader(f)]
    unique = {tuple(sorted(p)) for p in pairs}
    true_pairs = pairs_of_counts(Counter(entity.values()).values())
    tp = sum(1 for a, b in unique if entity[a] == entity[b])
    return {"pairwise": scores(tp, len(unique), true_pairs), "cluster": cluster_scores(closure(unique), entity)}


def score_joindots(out_dir, entity):
    clusters = {}
    with open(os.path.join(out_dir, "clusters.csv"), newline="") as f:
        for r in csv.DictReader(f):
            clusters[(r["source"], r["id"])] = r["cluster"]
    unknown = [k for k in clusters if k not in entity]
    if unknown:
        raise RuntimeError(f"clusters.csv names records not in the inputs, e.g. {unknown[0]}")
    return {"cluster": cluster_scores(clusters, entity)}


def gnu_time(command, work, label, timeout, env):
    tfile = os.path.join(work, f"{label}.time")
    res = timed.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tfile, *command], timeout, env=env,
                    stdout_path=os.path.join(work, f"{label}.out"))
    if not res["timeout"]:
        with open(tfile) as f:
            e, u, s, m = f.read().split()[-4:]
        res.update({"wall": float(e), "cpu": float(u) + float(s), "peak_rss_mb": int(m) / 1024.0})
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--joindots", default="build/bin/joindots")
    ap.add_argument("--corrupt", default="build/bin/joindots_link_corrupt")
    ap.add_argument("--data", default=os.environ.get("JOINDOTS_DATA_DIR", "../shared/data"))
    ap.add_argument("--work", default="")
    ap.add_argument("--timeout", type=float, default=1200)
    ap.add_argument("--only", default="")
    ap.add_argument("--report-only", action="store_true")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="joindots-peers-linkage-")
    os.makedirs(work, exist_ok=True)
    results_path = os.path.join(work, "results.json")
    if a.report_only:
        report(results_path)
        return 0
    env = dict(os.environ)
    env["R_LIBS"] = os.environ.get("PEERS_RLIB", os.path.expanduser("~/.cache/joindots-peers/rlib"))
    version = subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('fastLink')))"], env=env,
                             capture_output=True, text=True)
    if version.returncode != 0:
        print("bench/peers/linkage.py: fastLink is not installed in $PEERS_RLIB; "
              "scripts/install-bench-peers builds it", file=sys.stderr)
        return 3
    for binary in (a.joindots, a.corrupt):
        if not os.access(binary, os.X_OK):
            print(f"bench/peers/linkage.py: no {binary}; build it first", file=sys.stderr)
            return 1
    header = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "uptime": timed.uptime(),
              "fastlink": version.stdout, "cores": os.cpu_count(), "timeout": a.timeout,
              "joindots": subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                                         capture_output=True, text=True).stdout.strip()}
    records = []
    scratch = os.path.join(work, "inputs")
    os.makedirs(scratch, exist_ok=True)
    all_sets = sets(a.data, scratch, a.corrupt)
    names = {s[0] for s in all_sets}
    # --only: a set's exact name selects that set alone, anything else every name containing it
    wanted = [w for w in a.only.split(",") if w]
    for name, files, id_col, truth_col, fields, strings, config in all_sets:
        if wanted and not any(w == name if w in names else w in name for w in wanted):
            continue
        entity = truth_of(files, id_col, truth_col)
        print(f"{name}: {len(files)} file(s), {len(entity):,} records; load {timed.load_average()[0]:.2f}",
              file=sys.stderr, flush=True)
        runs = [("joindots none", None), ("joindots shipped", config)] if config else [("joindots none", None)]
        for label, cfg in runs:
            out_dir = os.path.join(work, f"{name}.{label.split()[1]}")
            cmd = [a.joindots, "link", "--quiet", "--json", "--truth-column", truth_col, "--out", out_dir,
                   "--input", *files]
            if cfg:
                cmd += ["--config", cfg]
            res = gnu_time(cmd, work, f"{name}.{label.split()[1]}", a.timeout, env)
            if not res["timeout"] and res["rc"] == 0:
                res["scores"] = score_joindots(out_dir, entity)
                with open(os.path.join(work, f"{name}.{label.split()[1]}.out")) as f:
                    j = json.load(f)
                res["own_f1"] = j.get("f1")
                res["warnings"] = [w.get("code") for w in j.get("warnings", [])]
            records.append(res | {"set": name, "run": label, "records": len(entity)})
            print(f"  {label}: {res['wall']:.1f} s, {res.get('scores', {}).get('cluster', {}).get('f1')}",
                  file=sys.stderr, flush=True)
        pairs_csv = os.path.join(work, f"{name}.fastlink.csv")
        cmd = ["Rscript", os.path.join(HERE, "fastlink_peer.R"), pairs_csv, id_col, fields, strings, "2", *files]
        res = gnu_time(cmd, work, f"{name}.fastlink", a.timeout, env)
        if not res["timeout"] and res["rc"] == 0:
            res["scores"] = score_fastlink(pairs_csv, entity)
            with open(os.path.join(work, f"{name}.fastlink.out")) as f:
                res["peer"] = json.loads(f.read().strip().splitlines()[-1])
        records.append(res | {"set": name, "run": "fastLink", "records": len(entity), "fields": fields})
        print(f"  fastLink: {res['wall']:.1f} s, {res.get('scores', {}).get('cluster', {}).get('f1')}",
              file=sys.stderr, flush=True)
        timed.save_results(results_path, header, records)
    timed.save_results(results_path, header, records, finished=True)
    report(results_path)
    return 0


def report(path):
    with open(path) as f:
        data = json.load(f)
    h = data["header"]
    print(f"Run {h['started']} to {h.get('finished', '(unfinished)')}, {h['cores']} cores, joindots {h['joindots']}, "
          f"fastLink {h['fastlink']}, timeout {h['timeout']:.0f} s; uptime before: {h['uptime']}"
          + (f"; after: {h['uptime_after']}" if "uptime_after" in h else ""))
    print()
    print("| set | records | run | cluster F1 (P / R) | pairwise F1 | largest cluster | wall s | CPU s | peak MB | "
          "load | fastLink / joindots wall | CPU | memory |")
    print("|" + "---|" * 13)
    by_set = defaultdict(list)
    for r in data["runs"]:
        by_set[r["set"]].append(r)
    for name, runs in by_set.items():
        fl = next((r for r in runs if r["run"] == "fastLink"), None)
        for r in runs:
            if r["timeout"] or r["rc"] != 0:
                state = f"timeout {r['timeout_seconds']:.0f} s" if r["timeout"] else f"exit {r['rc']}"
                print(f"| {name} | {r['records']:,} | {r['run']} | {state} | | | | | | {r['load_before']:.1f} | | | |")
                continue
            c = r["scores"]["cluster"]
            pw = r["scores"].get("pairwise")
            cf1 = f"{c['f1']:.4f} ({c['precision']:.3f} / {c['recall']:.3f})"
            if r.get("own_f1") is not None and abs(r["own_f1"] - c["f1"]) > 1e-4:
                cf1 += f" (joindots' own: {r['own_f1']:.4f})"
            if r.get("warnings"):
                cf1 += f"; warnings: {', '.join(r['warnings'])}"
            ratios = ["", "", ""]
            if r["run"] != "fastLink" and fl and not fl["timeout"] and fl["rc"] == 0:
                ratios = [f"{fl['wall'] / r['wall']:.1f}", f"{fl['cpu'] / max(r['cpu'], 0.01):.1f}",
                          f"{fl['peak_rss_mb'] / r['peak_rss_mb']:.1f}"]
            print(f"| {name} | {r['records']:,} | {r['run']} | {cf1} | {pw['f1']:.4f} |" if pw else
                  f"| {name} | {r['records']:,} | {r['run']} | {cf1} | — |", end="")
            print(f" {c['largest_cluster']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_rss_mb']:.0f} | "
                  f"{r['load_before']:.1f} | " + " | ".join(ratios) + " |")


if __name__ == "__main__":
    sys.exit(main())
