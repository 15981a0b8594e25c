#!/usr/bin/env python3
"""End to end on countries from the independent generator (generate.py, issue 11 acceptance).

For each scenario x seed: generate a country -> `joindots ingest --db` -> `joindots link --db
--truth DIR --json` (victim F1, the link's warnings) -> `joindots estimate --db --json` (the
defaults: linkage draws and the unseen-links correction on) -> `joindots estimate --table` on
the TRUE capture table (perfect linkage, truth/capture_table.csv). Prints one line per country
and, per scenario, mean error, mean |error|, 95% coverage of each, and how often the report
cautioned beyond the caution it always prints. A country's row is kept in WORK/<scenario>/s<seed>/
row.json, so a rerun with the same WORK only adds what is missing.

With --encoded, each country's agency files are encoded at source first (`joindots encode`
with a secret kept in WORK) and only the encodings are ingested and linked (docs/linkage.md
"Linkage on encodings"); the rows then also give victim precision and the encoded fit's
choices (u fixed or among candidates, the labelled pairs' errors of each).

Usage: study.py [--joindots BIN] [--work DIR] [--children N] [--scenarios a,b] [--seeds 1-5|1,2] [--encoded]
"""
import argparse
import base64
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from generate import SCENARIOS  # noqa: E402

TAGS = [("Methods disagree", "disagree"), ("Linkage error may be much", "linkage_big"),
        ("Linkage error matters", "linkage"), ("The total hangs on the match threshold", "threshold"),
        ("The models fit the lists poorly", "poor_fit"), ("The headline comes from LCMCR", "lcmcr_modes"),
        ("The link that made", "link_warned"), ("Only two lists", "two_lists"),
        ("The linkage may have missed many", "missed_matches"), ("The linkage left many matches apart", "missed_many"),
        ("A model in which the most visible", "logit_normal_preferred"),
        ("Another form of unequal visibility", "form_as_close")]
ALWAYS = "Assumed, and not testable"


def run(cmd, out=None):
    cmd = ["nice", "-n", "10"] + cmd
    with open(out, "w") if out else open(os.devnull, "w") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-2000:]}")
    return p.stderr


def linkage_checks(d):
    """The link's own view of its errors against the truth's: pair recall, blocking recall as
    the truth gives it and as the link estimates it (estimate's unseen-links correction), and
    the false non-links the linkage draws expect."""
    role = next(r for r in json.load(open(f"{d}/link.json"))["roles"] if r["role"] == "victim")
    lk = json.load(open(f"{d}/estimate.json")).get("linkage") or {}
    u = lk.get("unseen_links") or {}
    return dict(pair_recall=role["evaluation"]["recall"], pair_precision=role["evaluation"]["precision"],
                recall_estimated=u.get("recall"), recall_sample=u.get("recall_sample"),
                unseen_applied=u.get("applied"), split_rate=u.get("split_rate"), split_sample=u.get("split_sample"), expected_fn=(lk.get("expected_errors") or {}).get("false_non_links"))


def secret_file(work):
    """The hub's secret for --encoded: 48 random bytes in base64, mode 600, kept in WORK."""
    path = f"{work}/secret.txt"
    if not os.path.exists(path):
        os.makedirs(work, exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(base64.b64encode(os.urandom(48)).decode() + "\n")
    return path


def country(jd, work, scenario, seed, children, encoded=False):
    d = f"{work}/{scenario}/s{seed}"
    row_file = f"{d}/row.json"
    if os.path.exists(row_file):
        return dict(json.load(open(row_file)), **linkage_checks(d))
    subprocess.run(["rm", "-rf", d], check=True)
    os.makedirs(d)
    gen = [sys.executable, f"{HERE}/generate.py", "--seed", str(seed), "--out", f"{d}/country", "--scenario", scenario]
    run(gen + (["--children", str(children)] if children else []))
    agencies = f"{d}/country/agencies"
    if encoded:
        run([jd, "encode", "--quiet", "--secret-file", secret_file(work), "--out", f"{d}/encoded", agencies])
        agencies = f"{d}/encoded"
    run([jd, "ingest", "--quiet", "--db", f"{d}/hub.db", agencies])
    link_err = run([jd, "link", "--db", f"{d}/hub.db", "--truth", f"{d}/country", "--json"], f"{d}/link.json")
    run([jd, "estimate", "--quiet", "--json", "--db", f"{d}/hub.db"], f"{d}/estimate.json")
    run([jd, "estimate", "--quiet", "--json", "--table", f"{d}/country/truth/capture_table.csv", "--bootstrap", "0"],
        f"{d}/perfect.json")
    truth = json.load(open(f"{d}/country/truth/summary.json"))
    link = json.load(open(f"{d}/link.json"))
    role = next(r for r in link["roles"] if r["role"] == "victim")
    est = json.load(open(f"{d}/estimate.json"))
    perfect = json.load(open(f"{d}/perfect.json"))
    v = est["victims"]
    lk = est.get("linkage") or {}
    cautions = [c for c in v.get("cautions", []) if not c.startswith(ALWAYS)]
    row = dict(scenario=scenario, seed=seed, truth=truth["victims"], recorded=truth["recorded"],
               records=truth["records"], f1=link["f1"], persons=role["evaluation"]["found_persons"],
               blocking_recall=role["evaluation"].get("blocking_recall"), link_warnings=[w["code"] if isinstance(w, dict) else w for w in role.get("warnings", [])],
               link_implausible=role.get("implausible"),
               link_stderr=[l for l in link_err.splitlines() if "warn" in l.lower()],
               perfect=perfect["estimate"], perfect_interval=perfect["interval"],
               e2e=v["estimate"], e2e_interval=v["interval"], why=v.get("why", ""),
               model_estimate=lk.get("model_estimate"), expected_errors=lk.get("expected_errors"),
               linkage_share=lk.get("linkage_share_of_width"),
               lcmcr=est["victims_methods"]["methods"].get("lcmcr", {}).get("estimate"),
               precision=role["evaluation"]["precision"], encoded=role.get("encoded"),
               cautions=[next((t for p, t in TAGS if c.startswith(p)), c[:40]) for c in cautions],
               caution_text=cautions)
    json.dump(row, open(row_file, "w"), indent=1)
    return dict(row, **linkage_checks(d))


def fig(e, i):
    return f"{e:.0f} ({i[0]:.0f}-{i[1]:.0f})" if i[0] is not None else f"{e:.0f} (-)"


def covers(row, key):
    lo, hi = row[key + "_interval"]
    return lo is not None and lo <= row["truth"] <= hi


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--joindots", default=os.path.join(HERE, "..", "..", "build", "bin", "joindots"))
    ap.add_argument("--work", default="/tmp/joindots-independent")
    ap.add_argument("--children", type=int)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--seeds", default="1-3")
    ap.add_argument("--encoded", action="store_true", help="encode the agencies' files and link on the encodings")
    a = ap.parse_args()
    seeds = []
    for part in a.seeds.split(","):
        lo, _, hi = part.partition("-")
        seeds += range(int(lo), int(hi or lo) + 1)
    rows = []
    print(f"{'scenario':<15} {'seed':>4} {'truth':>6} {'F1':>6} {'persons':>8} {'perfect linkage':<22} "
          f"{'end to end':<22} {'err pl':>6} {'err e2e':>7} cautions / link warnings", flush=True)
    for scenario in a.scenarios.split(","):
        for seed in seeds:
            try:
                r = country(a.joindots, a.work, scenario, seed, a.children, a.encoded)
            except RuntimeError as e:
                print(f"{scenario:<15} {seed:>4} FAILED: {e}", flush=True)
                continue
            rows.append(r)
            t = r["truth"]
            print(f"{scenario:<15} {seed:>4} {t:>6} {r['f1']:>6.4f} {r['persons'] - r['recorded']:>+8} "
                  f"{fig(r['perfect'], r['perfect_interval']):<22} {fig(r['e2e'], r['e2e_interval']):<22} "
                  f"{100 * (r['perfect'] / t - 1):>+5.1f}% {100 * (r['e2e'] / t - 1):>+6.1f}% "
                  f"{','.join(r['cautions']) or '-'} / {','.join(r['link_warnings']) or '-'}", flush=True)
    print()
    print(f"{'scenario':<15} {'n':>3} {'F1 min-max':<13} {'pl err':>7} {'pl |err|':>8} {'pl cov':>6} "
          f"{'e2e err':>7} {'e2e |err|':>9} {'e2e cov':>7} {'cautioned':>9}  blocking recall true/link's, "
          "persons over truth/false non-links expected, true pairs apart/link's split rate")
    for scenario in a.scenarios.split(","):
        rs = [r for r in rows if r["scenario"] == scenario]
        if not rs:
            continue
        n = len(rs)
        err = lambda k: [r[k] / r["truth"] - 1 for r in rs]  # noqa: E731
        mean = lambda xs: 100 * sum(xs) / len(xs)  # noqa: E731
        f1 = [r["f1"] for r in rs]
        print(f"{scenario:<15} {n:>3} {min(f1):.3f}-{max(f1):.3f}  {mean(err('perfect')):>+6.1f}% "
              f"{mean([abs(x) for x in err('perfect')]):>7.1f}% {sum(covers(r, 'perfect') for r in rs):>3}/{n:<2} "
              f"{mean(err('e2e')):>+6.1f}% {mean([abs(x) for x in err('e2e')]):>8.1f}% "
              f"{sum(covers(r, 'e2e') for r in rs):>4}/{n:<2} {sum(bool(r['cautions']) for r in rs):>6}/{n}   "
              f"{mean([r['blocking_recall'] for r in rs]) / 100:.3f}/{mean([r['recall_estimated'] or 0 for r in rs]) / 100:.3f}"
              f"  {mean([r['persons'] - r['recorded'] for r in rs]) / 100:.0f}/"
              f"{mean([r['expected_fn'] or 0 for r in rs]) / 100:.0f}"
              f"  {1 - mean([r['pair_recall'] for r in rs]) / 100:.3f}/{mean([r['split_rate'] or 0 for r in rs]) / 100:.3f}")


if __name__ == "__main__":
    main()
