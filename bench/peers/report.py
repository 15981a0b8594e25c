#!/usr/bin/python3
"""Reads the JSON that bench/peers/run left in WORK/<table>/ and prints the markdown table.

Exit code 1 when statsmodels and joindots disagree, beyond a relative 1e-6, on N^ of the
same log-linear model (where joindots' MLE is interior: no zero cell fitted at 0, so both
fit the same likelihood on the same cells), or when a step of the run left no result.

  report.py WORK TABLE...
"""
import json
import os
import sys

TOLERANCE = 1e-6


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def times(path):
    """GNU time's "%e %U %S" then the wall clock to the microsecond: wall, CPU (user + system)."""
    try:
        with open(path) as f:
            fields = f.read().split()
        e, u, s = fields[-4:-1] if len(fields) >= 4 else fields[-3:]
        wall = float(fields[-1]) if len(fields) >= 4 else float(e)
        return wall, float(u) + float(s)
    except (OSError, ValueError):
        return None, None


def num(x):
    return "—" if x is None else f"{x:,.0f}"


def est(x, interval=None):
    if x is None:
        return "—"
    if interval and None not in interval:
        return f"{x:,.0f} ({interval[0]:,.0f}–{interval[1]:,.0f})"
    return f"{x:,.0f}"


def secs(x):
    if x is None:
        return "—"
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def ratio(a, b, resolution=0.0):
    """a / b; with a resolution (GNU time's CPU seconds: 0.01 s), a bound when b is below it."""
    if a is None or b is None:
        return "—"
    if b < max(resolution, 1e-9):
        return f"> {a / resolution:.0f}" if resolution and a >= resolution else "—"
    r = a / b
    return f"{r:.2f}" if r < 10 else f"{r:.0f}"


def terms(model):
    return None if model is None else frozenset(model.strip("[]").split(","))


def main():
    work, tables = sys.argv[1], sys.argv[2:]
    rows, problems, notes = [], [], []
    for name in tables:
        d = os.path.join(work, name)
        auto = load(f"{d}/joindots_auto.json")
        if auto is None:
            problems.append(f"{name}: joindots estimate (auto) left no result")
            continue
        k = len(auto["lists"])
        n = auto["observed"]
        ll = auto["methods"].get("loglinear", {})
        avg = auto["methods"].get("loglinear_averaged", {})
        hav = auto["methods"].get("loglinear_heterogeneity_averaged", {})
        lc = auto["methods"].get("lcmcr", {})
        auto_wall, auto_cpu = times(f"{d}/joindots_auto.time")
        head = [name, str(k), f"{n:,}"]

        # (a) one fixed model: the plain one joindots' search chose, then the headline's
        # model with its heterogeneity term (when auto chose one)
        for f, method in (("model", "loglinear"), ("model_h", "loglinear_heterogeneity")):
            jfit, sfit = load(f"{d}/joindots_{f}.json"), load(f"{d}/statsmodels_{f}.json")
            jw, jc = times(f"{d}/joindots_{f}.time")
            if jfit is None and sfit is None and auto["methods"].get(method, {}).get("model") is None:
                if method == "loglinear":
                    notes.append(f"{name}: joindots chose no log-linear model; no fixed-model comparison")
                continue
            if not (jfit and sfit):
                problems.append(f"{name}: the fixed-model comparison ({method}) left no result")
                continue
            jl = jfit["methods"]["loglinear"]
            if sfit.get("estimate") is None:
                if jl.get("boundary_cells", 0) == 0:
                    problems.append(f"{name}: statsmodels could not fit {jl['model']} ({sfit['error']}), "
                                    f"whose MLE joindots finds in the interior")
                rows.append(head + [
                    f"statsmodels GLM {jl['model']}", f"no fit: {sfit['error'].split(':')[0]}",
                    f"loglinear --model {jl['model']} (profile): {est(jl['estimate'], jl['interval'])}; "
                    f"{jl.get('boundary_cells', 0)} cell(s) fitted at 0 on the facial set",
                    secs(sfit["seconds"]), secs(jw), ratio(sfit["seconds"], jw), ratio(sfit["cpu_seconds"], jc, 0.01)])
                continue
            rel = abs(sfit["estimate"] - jl["estimate"]) / jl["estimate"]
            if jl.get("boundary_cells", 0) == 0:
                verdict = f"agree to {rel:.0e}" if rel <= TOLERANCE else f"DISAGREE by {rel:.1e}"
                if rel > TOLERANCE:
                    problems.append(f"{name}: statsmodels {sfit['estimate']:.6f} vs joindots "
                                    f"{jl['estimate']:.6f} for {jl['model']} (relative {rel:.2e})")
            else:
                verdict = (f"{jl['boundary_cells']} cell(s) on the boundary: not comparable "
                           f"(relative {rel:.0e})")
            rows.append(head + [
                f"statsmodels GLM {jl['model']} (Wald)", est(sfit["estimate"], sfit["interval"]),
                f"loglinear --model {jl['model']} (profile): {est(jl['estimate'], jl['interval'])}; {verdict}",
                secs(sfit["seconds"]), secs(jw), ratio(sfit["seconds"], jw), ratio(sfit["cpu_seconds"], jc, 0.01)])

        # (a) exhaustive two-way BIC search
        jsr, ssr = load(f"{d}/joindots_search.json"), load(f"{d}/statsmodels_search.json")
        jw, jc = times(f"{d}/joindots_search.time")
        if jsr and ssr:
            jl = jsr["methods"]["loglinear"]
            same = terms(jl.get("model")) == terms(ssr["model"])
            flag = "same model" if same else "OTHER MODEL"
            if not same and jl.get("boundary_cells"):
                flag += (f" (joindots' has {jl['boundary_cells']} cells fitted at 0 and counts only the "
                         f"{jl.get('parameters')} parameters identified on the facial set in BIC)")
            if ssr["suspect"] or ssr["failed"]:
                flag += f"; statsmodels: {ssr['failed']} failed, {ssr['suspect']} with a coefficient past ±20"
            every = ssr.get("every", 1)
            if every > 1:  # a sample of the models: seconds scaled up to the full search
                ssr["seconds"] *= ssr["models"] / max(1, ssr["fitted"] + ssr["failed"])
                ssr["cpu_seconds"] *= ssr["models"] / max(1, ssr["fitted"] + ssr["failed"])
                flag = (f"statsmodels fitted every {every}th model ({ssr['fitted'] + ssr['failed']:,}); "
                        f"its seconds are scaled to all {ssr['models']:,}")
            rows.append(head + [
                f"statsmodels two-way BIC search, {ssr['models']:,} models: {ssr['model']}",
                est(ssr["estimate"]),
                f"loglinear --max-order 2 ({jl.get('models_valid', 0):,} of "
                f"{jl.get('models_considered', 0):,} valid): {jl.get('model')} {est(jl.get('estimate'))}; {flag}",
                secs(ssr["seconds"]), secs(jw), ratio(ssr["seconds"], jw), ratio(ssr["cpu_seconds"], jc, 0.01)])
        elif os.path.exists(f"{d}/search_skipped"):
            notes.append(f"{name}: two-way search comparison skipped ({open(f'{d}/search_skipped').read().strip()})")
        else:
            problems.append(f"{name}: the two-way search comparison left no result")

        # (b) conting's Bayesian model averaging against auto and LCMCR
        con = load(f"{d}/conting.json")
        if con:
            con_iv = con["interval"]
            auto_text = (f"auto {est(auto['estimate'], auto['interval'])}; "
                         f"averaged {est(avg.get('estimate'), avg.get('interval'))}")
            if hav:
                auto_text += f"; averaged with heterogeneity {est(hav.get('estimate'), hav.get('interval'))}"
            label = (f"conting bict, order {con['maximal_order']}, {con['iterations']:,.0f} it. "
                     f"(median, HPD)")
            rows.append(head + [label, est(con["estimate"], con_iv), auto_text,
                                secs(con["seconds"]), secs(auto_wall), ratio(con["seconds"], auto_wall),
                                ratio(con["cpu_seconds"], auto_cpu, 0.01)])
            if lc:
                rows.append(head + [label, est(con["estimate"], con_iv),
                                    f"lcmcr {est(lc.get('estimate'), lc.get('interval'))} (R-hat {lc.get('rhat', 0):.3f}; sampler only)",
                                    secs(con["seconds"]), secs(lc.get("seconds")),
                                    ratio(con["seconds"], lc.get("seconds")), "—"])
            notes.append(f"{name}: conting's most probable model {con['top_model']} "
                         f"(posterior probability {con['top_model_prob']:.2f}, {con['models_visited']} "
                         f"models visited, mean {con['posterior_mean']:,.0f}, "
                         f"equal-tailed {con['equal_tailed'][0]:,.0f}–{con['equal_tailed'][1]:,.0f})")
        else:
            err = ""
            if os.path.exists(f"{d}/conting.err"):
                text = open(f"{d}/conting.err").read()
                if "Error" in text:  # R's message runs on to the next line
                    err = " ".join(text[text.rindex("Error"):].split("\n")[:2]).strip()
                    err = " ".join(err.split())
            rows.append(head + ["conting bict", f"failed: {err or 'see stderr'}",
                                f"auto {est(auto['estimate'], auto['interval'])}",
                                "—", secs(auto_wall), "—", "—"])

    print("| table | K | n | peer | peer estimate (95%) | joindots estimate (95%) | peer s | joindots s | ratio (wall) | ratio (CPU) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if notes:
        print()
        for note in notes:
            print(f"- {note}")
    if problems:
        print()
        for p in problems:
            print(f"PROBLEM: {p}")
        sys.exit(1)


if __name__ == "__main__":
    main()
