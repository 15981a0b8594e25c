"""Markdown tables of bench/peers/estimation.py's WORK/results.json: times and ratios
(peer / joindots), then estimates with intervals and the models chosen.

    python3 bench/peers/estimation_report.py WORK/results.json
"""
import json
import sys


def fmt_n(x):
    return "—" if x is None else f"{x:,.0f}"


def fmt_est(x, iv=None):
    if x is None:
        return "—"
    if iv and len(iv) == 2 and None not in iv:
        return f"{x:,.0f} ({iv[0]:,.0f}–{iv[1]:,.0f})"
    return f"{x:,.0f} (no interval)" if iv is not None else f"{x:,.0f}"


def fmt_s(x):
    if x is None:
        return "—"
    return f"{x:.2f}" if x < 10 else f"{x:.0f}"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return "—"
    r = a / b
    return f"{r:.2f}" if r < 10 else f"{r:.0f}"


def pairs(names):
    """Interactions as a set of unordered list pairs: 'A:B' strings."""
    return frozenset(frozenset(t.split(":")) for t in names if t)


class Table:
    def __init__(self, runs):
        self.runs = {r["run"]: r for r in runs}
        first = runs[0]
        self.name, self.k, self.observed, self.empty = first["table"], first["k"], first["observed"], first["empty"]

    def get(self, run):
        return self.runs.get(run)

    def status(self, run):
        r = self.get(run)
        if r is None:
            return "not run"
        if r["timeout"]:
            return f"timeout {r['timeout_seconds']:.0f} s"
        if r["rc"] != 0:
            return f"exit {r['rc']}"
        return None

    def joindots(self, run):
        r = self.get(run)
        return r.get("json") if r and not r["timeout"] and r["rc"] == 0 else None

    def peer_line(self, run, stage):
        r = self.get(run)
        for line in (r or {}).get("lines", []):
            if line.get("stage") == stage:
                return line
        return None

    def cpu(self, run):
        r = self.get(run)
        return None if r is None or r["timeout"] or r["rc"] != 0 else r["cpu"]

    def wall(self, run):
        r = self.get(run)
        return None if r is None or r["timeout"] or r["rc"] != 0 else r["wall"]


def time_rows(t):
    auto_c, step_c = t.cpu("joindots_auto"), t.cpu("joindots_stepwise")
    lc_c, lcd_c = t.cpu("joindots_lcmcr"), t.cpu("joindots_lcmcr_lcmcrdefaults")
    smse = t.peer_line("sparsemse", "interval")
    smse_skip = t.peer_line("sparsemse", "skipped")
    smse_point = t.peer_line("sparsemse", "point")
    if smse:
        smse_cell = fmt_s(smse["cpu_seconds"])
        smse_ratio = ratio(smse["cpu_seconds"], step_c)
    elif smse_skip:
        smse_cell = f"not run: projected {fmt_s(smse_skip['projected_cpu_seconds'])} CPU"
        smse_ratio = f"≈ {ratio(smse_skip['projected_cpu_seconds'], step_c)} (projected)"
    else:
        smse_cell = t.status("sparsemse") or "failed"
        if smse_point and t.get("sparsemse")["timeout"]:
            smse_ratio = f"> {ratio(t.get('sparsemse')['cpu'], step_c)}"
        else:
            smse_ratio = "—"
    point_cell = fmt_s(smse_point["cpu_seconds"]) if smse_point else "—"
    rc = t.peer_line("rcapture", "interval")
    rc_cell = fmt_s(rc["cpu_seconds"]) if rc else (t.status("rcapture") or "failed")
    lc = t.peer_line("lcmcr", "interval")
    lc_cell = fmt_s(lc["cpu_seconds"]) if lc else (t.status("lcmcr") or "failed")

    def jd(run, c):
        return fmt_s(c) if c is not None else t.status(run) or "failed"

    loads = [r["load_before"] for r in t.runs.values()]
    return [
        t.name, str(t.k), f"{t.observed:,}", str(t.empty), f"{min(loads):.1f}–{max(loads):.1f}",
        jd("joindots_auto", auto_c), jd("joindots_stepwise", step_c), point_cell, smse_cell, smse_ratio,
        rc_cell, ratio(rc["cpu_seconds"] if rc else None, auto_c),
        jd("joindots_lcmcr", lc_c), jd("joindots_lcmcr_lcmcrdefaults", lcd_c), lc_cell,
        ratio(lc["cpu_seconds"] if lc else None, lcd_c),
    ]


def estimate_rows(t, notes):
    auto = t.joindots("joindots_auto")
    step = t.joindots("joindots_stepwise")
    lcm = t.joindots("joindots_lcmcr")
    smse = t.peer_line("sparsemse", "interval")
    smse_point = t.peer_line("sparsemse", "point")
    rc = t.peer_line("rcapture", "interval") or t.peer_line("rcapture", "point")
    lc = t.peer_line("lcmcr", "interval")

    auto_cell = fmt_est(auto["estimate"], auto["interval"]) + f" {auto['headline_method']}" if auto else t.status("joindots_auto")
    step_cell, same = t.status("joindots_stepwise") or "—", ""
    if step:
        s = step["methods"]["stepwise"]
        step_cell = f"{fmt_est(s.get('estimate'), s.get('interval'))} [{len(s.get('interactions', []))} pairs]"
    if smse_point:
        smse_cell = fmt_est(smse_point["estimate"], smse["interval"] if smse else None)
        smse_cell += f" [{smse_point['interactions']} pairs]"
        if step:
            a = pairs(step["methods"]["stepwise"].get("interactions", []))
            b = pairs(smse_point["model"].split())
            if a == b:
                rel = abs(step["estimate"] - smse_point["estimate"]) / smse_point["estimate"]
                same = "same model" + (f", N̂ differs by {rel:.1e}" if rel > 1e-6 else "")
            else:
                same = "**other model**"
                notes.append(f"{t.name}: SparseMSE's stepwise chose {{{smse_point['model']}}} (N̂ "
                             f"{smse_point['estimate']:,.0f}), joindots --method stepwise "
                             f"{{{' '.join(step['methods']['stepwise'].get('interactions', []))}}} "
                             f"(N̂ {step['estimate']:,.0f})")
    else:
        smse_cell = t.status("sparsemse") or "failed"
    rc_cell = (f"{rc['model']}: {fmt_est(rc['estimate'], rc.get('interval'))}" if rc else t.status("rcapture") or "failed")
    lc_cell = fmt_est(lc["estimate"], lc["interval"]) if lc else t.status("lcmcr") or "failed"
    lcm_cell = fmt_est(lcm["estimate"], lcm["interval"]) if lcm else t.status("joindots_lcmcr") or "failed"
    if lcm and lc:
        a, b = lcm["interval"], lc["interval"]
        if None not in a and (a[1] < b[0] or b[1] < a[0]):
            notes.append(f"{t.name}: LCMCR (R) {fmt_est(lc['estimate'], b)} and joindots --method lcmcr "
                         f"{fmt_est(lcm['estimate'], a)}: the intervals do not overlap")
    return [t.name, auto_cell, step_cell, smse_cell, same, rc_cell, lcm_cell, lc_cell]


def main(*paths):
    """Several results.json (one run resumed with --only and another timeout) print as one."""
    runs, headers = [], []
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        headers.append(data["header"])
        runs += data["runs"]
    by_table = {}
    for r in runs:
        by_table.setdefault(r["table"], []).append(r)
    for h in headers:
        print_header(h)
    print()
    ts = [Table(table_runs) for table_runs in by_table.values()]
    print_tables(ts)


def print_header(h):
    print(f"- Run {h['started']} to {h.get('finished', '(unfinished)')} on {h['machine']}; joindots {h['joindots']}; "
          f"{h['r'].strip()}; {', '.join(p.strip() for p in h['peers'])}; timeout {h['timeout']:.0f} s per run.")
    print(f"  uptime before: {h['uptime']}" + (f"; after: {h['uptime_after']}" if "uptime_after" in h else ""))


def print_tables(ts):
    print("CPU seconds (user + system, the whole command for joindots; the peers' work alone, without "
          "starting R); ratio = peer / joindots CPU.")
    print()
    print("| table | K | observed | empty cells | load (1 min) | joindots auto | joindots stepwise | SparseMSE point | "
          "SparseMSE + bootstrap | ratio SparseMSE / stepwise | Rcapture | ratio Rcapture / auto | joindots lcmcr | "
          "joindots lcmcr, LCMCR's settings | LCMCR (R) | ratio LCMCR / joindots same settings |")
    print("|" + "---|" * 16)
    for t in ts:
        print("| " + " | ".join(time_rows(t)) + " |")
    print()
    print("Estimates (95% intervals): joindots auto's headline and its method; stepwise with the BCa "
          "interval of 1,000 replicates and the number of two-list interactions chosen; Rcapture's "
          "lowest-BIC model with its profile interval; LCMCR posterior median and 2.5–97.5% quantiles.")
    print()
    print("| table | joindots auto | joindots stepwise | SparseMSE | stepwise models | Rcapture | joindots lcmcr | "
          "LCMCR (R) |")
    print("|" + "---|" * 8)
    notes = []
    for t in ts:
        print("| " + " | ".join(estimate_rows(t, notes)) + " |")
    if notes:
        print()
        for n in notes:
            print(f"- {n}")


if __name__ == "__main__":
    main(*sys.argv[1:])
