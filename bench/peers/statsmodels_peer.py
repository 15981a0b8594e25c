#!/usr/bin/python3
"""The statsmodels peer of `joindots estimate` (bench only; run by bench/peers/run).

Log-linear capture-recapture the textbook way: a Poisson GLM (statsmodels' IRLS) on the
2^K - 1 observed cells of the capture table, with an explicit 0/1 design (column t is 1 on
cell c when the term t is a subset of c, the coding joindots uses), N^ = n + exp(beta_0).

  statsmodels_peer.py fit --table F.csv --model "[123,14,34]"   (or "[12,3]+Poisson2")
      one given hierarchical model, with a heterogeneity column if named: N^, a Wald interval on log mu_0 (statsmodels has no
      profile interval for N), deviance, df, BIC.
  statsmodels_peer.py search --table F.csv [--criterion bic|aic]
      every two-way model (main effects + any set of pairs, 2^(K choose 2) models), the
      minimum-BIC one (--every N: every N-th model only, to time a sample); no existence check (statsmodels has none), so models whose MLE does
      not exist are fitted like the others and counted in `suspect` when IRLS does not
      converge or a coefficient runs past |20|.
  statsmodels_peer.py simulate --out F.csv --kind six|dependent --seed 1
      a simulated table (the shapes of bench/estimate_bench.cpp and the coverage study).

JSON on stdout. `seconds` (wall) and `cpu_seconds` are the work alone (reading, design, fitting), not Python's start
or the import of statsmodels, which `import_seconds` gives.
"""
import argparse
import itertools
import json
import math
import sys
import time
import warnings

T_IMPORT = time.perf_counter()
import numpy as np  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - T_IMPORT
DIGITS = "123456789ABCDEF"  # list j (0-based) is DIGITS[j], as joindots and Rcapture write it



def about(table, k, n):
    """The keys every line of output starts with: who answered, on what."""
    return {"peer": "statsmodels", "version": sm.__version__, "table": table, "k": k, "observed": int(n)}

def read_table(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        if header[-1] != "count":
            sys.exit(f"{path}: the last column must be count")
        k = len(header) - 1
        counts = np.zeros(1 << k)
        for line in f:
            line = line.strip()
            if not line:
                continue
            cells = line.split(",")
            mask = sum(1 << j for j in range(k) if cells[j] == "1")
            counts[mask] += float(cells[k])
    return header[:k], counts


# Heterogeneity columns h(s), s = the number of lists recording the cell (Darroch et al. 1993;
# Rcapture's h; joindots' loglinear_model.hpp): "[12,3]+Poisson2".
HETEROGENEITY = {
    "Poisson2": lambda s: 2.0**s - 1.0,
    "Darroch": lambda s: 0.5 * s * s,
    "Gamma3.5": lambda s: -math.log1p(s / 3.5),
}


def split_heterogeneity(text):
    text = text.strip()
    if "+" in text:
        text, h = text.split("+", 1)
        if h not in HETEROGENEITY:
            sys.exit(f"unknown heterogeneity term {h}; valid: {', '.join(HETEROGENEITY)}")
        return text, h
    return text, None


def parse_model(text, k):
    """Generating class "[123,14,34]" -> the closed set of terms (bitmasks), intercept included."""
    text = text.strip().strip("[]")
    generators = [g.strip() for g in text.split(",") if g.strip()]
    terms = {0} | {1 << j for j in range(k)}
    for g in generators:
        mask = sum(1 << DIGITS.index(ch) for ch in g)
        sub = mask
        while sub:  # every subset of a generator
            terms.add(sub)
            sub = (sub - 1) & mask
    return sorted(terms, key=lambda t: (bin(t).count("1"), t))


def model_name(terms, k):
    """The generating class of a set of terms, as joindots prints it."""
    maximal = [t for t in terms if t and not any(u != t and (u & t) == t for u in terms)]
    maximal.sort(key=lambda t: [j for j in range(k) if t >> j & 1])
    return "[" + ",".join("".join(DIGITS[j] for j in range(k) if t >> j & 1) for t in maximal) + "]"


def design(terms, k, heterogeneity=None):
    cells = np.arange(1, 1 << k)
    X = np.array([[1.0 if (c & t) == t else 0.0 for t in terms] for c in cells])
    if heterogeneity:
        h = HETEROGENEITY[heterogeneity]
        X = np.column_stack([X, [h(bin(c).count("1")) for c in cells]])
    return X


def fit(y, X, start=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = sm.GLM(y, X, family=sm.families.Poisson()).fit(
            start_params=start, tol=1e-12, maxiter=200
        )
    return res


def cmd_fit(args):
    t0, c0 = time.perf_counter(), time.process_time()
    lists, counts = read_table(args.table)
    k = len(lists)
    generating, heterogeneity = split_heterogeneity(args.model)
    terms = parse_model(generating, k)
    name = model_name(terms, k) + (f"+{heterogeneity}" if heterogeneity else "")
    y = counts[1:]
    n = y.sum()
    X = design(terms, k, heterogeneity)
    try:
        res = fit(y, X)
    except (ConvergenceWarning, PerfectSeparationError, np.linalg.LinAlgError, ValueError) as e:
        # the MLE is on the boundary (a zero cell fitted at 0): IRLS cannot reach it
        print(json.dumps({**about(args.table, k, n), "model": name,
                          "estimate": None, "error": f"{type(e).__name__}: {e}",
                          "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}))
        return
    b0, se0 = res.params[0], res.bse[0]
    z = 1.959963984540054
    out = {
        **about(args.table, k, n),
        "model": name,
        "parameters": X.shape[1],
        "estimate": n + math.exp(b0),
        "unobserved": math.exp(b0),
        "interval": [n + math.exp(b0 - z * se0), n + math.exp(b0 + z * se0)],
        "interval_kind": "Wald on log mu_0 (statsmodels has no profile interval)",
        "deviance": res.deviance,
        "df": int(res.df_resid),
        "bic": -2 * res.llf + math.log(n) * X.shape[1],
        "iterations": int(res.fit_history["iteration"]),
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "import_seconds": IMPORT_SECONDS,
    }
    print(json.dumps(out))


def cmd_search(args):
    t0, c0 = time.perf_counter(), time.process_time()
    lists, counts = read_table(args.table)
    k = len(lists)
    y = counts[1:]
    n = y.sum()
    pairs = [(1 << a) | (1 << b) for a, b in itertools.combinations(range(k), 2)]
    full_terms = [0] + [1 << j for j in range(k)] + pairs
    X_full = design(full_terms, k)
    penalty = math.log(n) if args.criterion == "bic" else 2.0
    best = None
    fitted = suspect = failed = index = 0
    for r in range(len(pairs) + 1):
        for chosen in itertools.combinations(range(len(pairs)), r):
            index += 1
            if (index - 1) % args.every:
                continue
            cols = list(range(k + 1)) + [k + 1 + i for i in chosen]
            try:
                res = fit(y, X_full[:, cols])
            except (ConvergenceWarning, PerfectSeparationError, np.linalg.LinAlgError, ValueError):
                failed += 1
                continue
            fitted += 1
            if np.max(np.abs(res.params)) > 20:
                suspect += 1
            crit = -2 * res.llf + penalty * len(cols)
            if best is None or crit < best[0]:
                terms = [full_terms[c] for c in cols]
                best = (crit, terms, n + math.exp(res.params[0]))
    out = {
        **about(args.table, k, n),
        "criterion": args.criterion,
        "models": 1 << len(pairs),
        "every": args.every,
        "fitted": fitted,
        "failed": failed,
        "suspect": suspect,
        "model": model_name(best[1], k) if best else None,
        "estimate": best[2] if best else None,
        "criterion_value": best[0] if best else None,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "import_seconds": IMPORT_SECONDS,
    }
    print(json.dumps(out))


def cmd_simulate(args):
    rng = np.random.default_rng(args.seed)
    if args.kind == "six":  # two latent classes, six lists, N = 20,000 (heterogeneous capture)
        size, k = 20000, 6
        klass = rng.random(size) < 0.3
        p = np.where(klass[:, None], [0.35, 0.30, 0.40, 0.25, 0.30, 0.20], [0.12, 0.10, 0.15, 0.08, 0.10, 0.06])
        caught = rng.random((size, k)) < p
    else:  # the coverage study's "dependent" scenario: four lists, N = 2,000
        size, k = 2000, 4
        base = np.array([0.25, 0.20, 0.30, 0.15])
        caught = rng.random((size, k)) < base
        second = rng.random(size) < np.minimum(0.95, 2 * base[1])
        caught[:, 1] = np.where(caught[:, 0], second, caught[:, 1])
    masks = (caught * (1 << np.arange(k))).sum(axis=1)
    counts = np.bincount(masks, minlength=1 << k)
    with open(args.out, "w") as f:
        f.write(",".join(f"L{j + 1}" for j in range(k)) + ",count\n")
        for mask in range(1, 1 << k):
            f.write(",".join(str(mask >> j & 1) for j in range(k)) + f",{counts[mask]}\n")
    print(json.dumps({"out": args.out, "k": k, "size": size, "observed": int(counts[1:].sum())}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fit")
    f.add_argument("--table", required=True)
    f.add_argument("--model", required=True)
    s = sub.add_parser("search")
    s.add_argument("--table", required=True)
    s.add_argument("--criterion", choices=["bic", "aic"], default="bic")
    s.add_argument("--every", type=int, default=1, help="fit every N-th model only (timing a sample)")
    m = sub.add_parser("simulate")
    m.add_argument("--out", required=True)
    m.add_argument("--kind", choices=["six", "dependent"], default="six")
    m.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    {"fit": cmd_fit, "search": cmd_search, "simulate": cmd_simulate}[args.cmd](args)


if __name__ == "__main__":
    main()
