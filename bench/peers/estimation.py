#!/usr/bin/python3
"""Estimation side by side (issues 11 and 13): SparseMSE, Rcapture and LCMCR (R, built by
scripts/install-bench-peers) against `joindots estimate --table` on every table of
$JOINDOTS_DATA_DIR/mse (without covariates) and bench/table_shapes.py's shapes (K = 3..10,
sparse and dense), one timed command at a time, each bounded by a timeout.

    bench/peers/estimation.py [--joindots build/bin/joindots] [--work DIR] [--timeout 600]
                              [--only NAME] [--report-only]

Per table: joindots `auto` (the default), `--method stepwise`, `--method lcmcr` (its
defaults: 4 chains, 10 classes, 20,000 burn-in, 10,000 draws thinned by 10) and `--method
lcmcr` with LCMCR's own defaults (1 chain, 5 classes, 10,000 burn-in, 1,000 draws thinned
by 10, one thread) so that the samplers' times compare like with like; then
bench/peers/mse_peers.R sparsemse (estimatepopulation, p < 0.02, 1,000 bootstrap
replicates, BCa; when its point fit projects the bootstrap past the timeout, the bootstrap
is skipped and the projection recorded), rcapture (closedp.t, the lowest-BIC model of
M0/Mt/Mh/Mth with closedpCI.t's profile interval) and lcmcr (lcmCR defaults). Every run's
wall clock, CPU seconds and 1-minute load average before and after go to WORK/results.json
(one JSON per run), then report.py's markdown tables go to stdout.
Environment: PEERS_RLIB (the scratch R library; default ~/.cache/joindots-peers/rlib).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import timed  # noqa: E402
import table_shapes  # noqa: E402
import estimation_report  # noqa: E402

LCMCR_DEFAULTS = ["--chains", "1", "--classes", "5", "--burn-in", "10000", "--samples", "1000",
                  "--thin", "10", "--threads", "1"]


def tables(mse_dir, scratch):
    """(name, path, K, observed, empty cells): the mse tables, then the shapes."""
    out = []
    for name in sorted(os.listdir(mse_dir)):
        if name.endswith(".csv") and "_by_" not in name:
            path = os.path.join(mse_dir, name)
            with open(path) as f:
                rows = [line.strip().split(",") for line in f][1:]
            k = len(rows[0]) - 1
            empty = sum(1 for r in rows if int(r[-1]) == 0) + (1 << k) - 1 - len(rows)
            out.append((name[:-4], path, k, sum(int(r[-1]) for r in rows), empty))
    for k in range(3, 11):
        for kind, make in (("dense", table_shapes.dense_counts), ("sparse", table_shapes.sparse_counts)):
            counts = make(k, 1000 + k)  # the seeds of bench/table_shapes.py
            path = os.path.join(scratch, f"{kind}{k}.csv")
            table_shapes.write_table(path, k, counts)
            empty = (1 << k) - 1 - sum(1 for v in counts.values() if v > 0)
            out.append((f"{kind}{k}", path, k, sum(counts.values()), empty))
    return out


def json_lines(text):
    lines = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return lines


def runs_for(joindots, path, timeout):
    r = ["Rscript", os.path.join(HERE, "mse_peers.R")]
    return [
        ("joindots_auto", [joindots, "estimate", "--table", path, "--json", "--quiet"]),
        ("joindots_stepwise", [joindots, "estimate", "--table", path, "--json", "--quiet", "--method", "stepwise"]),
        ("joindots_lcmcr", [joindots, "estimate", "--table", path, "--json", "--quiet", "--method", "lcmcr"]),
        ("joindots_lcmcr_lcmcrdefaults",
         [joindots, "estimate", "--table", path, "--json", "--quiet", "--method", "lcmcr", *LCMCR_DEFAULTS]),
        ("sparsemse", [*r, "sparsemse", path, "1000", "0.02", str(timeout)]),
        ("rcapture", [*r, "rcapture", path]),
        ("lcmcr", [*r, "lcmcr", path, "1"]),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--joindots", default="build/bin/joindots")
    ap.add_argument("--data", default=os.environ.get("JOINDOTS_DATA_DIR", "../shared/data"))
    ap.add_argument("--work", default="")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--only", default="", help="tables whose name contains this (comma-separated)")
    ap.add_argument("--report-only", action="store_true", help="re-print the tables of WORK/results.json")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="joindots-peers-estimation-")
    os.makedirs(work, exist_ok=True)
    results_path = os.path.join(work, "results.json")
    if a.report_only:
        estimation_report.main(results_path)
        return 0
    env = dict(os.environ)
    env["R_LIBS"] = os.environ.get("PEERS_RLIB", os.path.expanduser("~/.cache/joindots-peers/rlib"))
    check = subprocess.run(["Rscript", "-e", "for (p in c('SparseMSE','Rcapture','LCMCR')) "
                            "cat(p, as.character(packageVersion(p)), '\\n')"], env=env, capture_output=True, text=True)
    if check.returncode != 0:
        print("bench/peers/estimation.py: the R peers are not installed in $PEERS_RLIB; "
              "scripts/install-bench-peers builds them", file=sys.stderr)
        return 3
    if not os.access(a.joindots, os.X_OK):
        print(f"bench/peers/estimation.py: no {a.joindots}; build it first", file=sys.stderr)
        return 1
    header = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.node()}, {os.cpu_count()} cores",
        "uptime": timed.uptime(),
        "peers": check.stdout.split("\n")[:-1],
        "r": subprocess.run(["Rscript", "-e", "cat(R.version.string)"], capture_output=True, text=True).stdout,
        "joindots": subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                                   text=True).stdout.strip(),
        "timeout": a.timeout,
    }
    only = [s for s in a.only.split(",") if s]
    records = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, path, k, observed, empty in tables(a.data + "/mse", scratch):
            if only and not any(s in name for s in only):
                continue
            print(f"{name} (K = {k}, {observed:,} observed, {empty} empty cells); "
                  f"load {timed.load_average()[0]:.2f}", file=sys.stderr, flush=True)
            for run_name, command in runs_for(a.joindots, path, a.timeout):
                out_path = os.path.join(work, f"{name}.{run_name}.out")
                res = timed.measured(command, a.timeout, env=env, stdout_path=out_path)
                res.update({"table": name, "run": run_name, "k": k, "observed": observed, "empty": empty})
                if run_name.startswith("joindots"):
                    try:
                        res["json"] = json.loads(res["stdout"])
                    except ValueError:
                        res["json"] = None
                else:
                    res["lines"] = json_lines(res["stdout"])
                del res["stdout"]
                records.append(res)
                state = "TIMEOUT" if res["timeout"] else f"rc {res['rc']}"
                print(f"  {run_name}: {res['wall']:.1f} s wall, {res['cpu']:.1f} s CPU, {state}",
                      file=sys.stderr, flush=True)
                timed.save_results(results_path, header, records)
    timed.save_results(results_path, header, records, finished=True)
    print(f"bench/peers/estimation.py: results in {results_path}", file=sys.stderr)
    estimation_report.main(results_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
