#!/usr/bin/env python3
"""How well the encodings of `joindots encode` separate true matches (issue 16, item 3's
groundwork): candidate pairs are records of one role sharing any token (tok_* or blk_*),
scored by the Dice coefficient of their CLKs and labelled by the simulator's truth.

Prints the blocking recall (true pairs that share a token, of all true pairs), the Dice
quantiles of true and false candidate pairs, and the pairwise precision, recall and F1 of
a Dice threshold (the best one, and a few fixed ones). Pairwise figures on candidates:
not the clustered victims F1 of `joindots link`.

usage: encoded_separation.py ENCODED_DIR SIM_DIR [--role victim]
"""
import argparse
import base64
import csv
import glob
import itertools
import os
from collections import defaultdict


def load(encoded_dir, truth_dir, role):
    person = {}
    with open(os.path.join(truth_dir, "truth", "records.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            person[(r["source_org"], r["record_id"])] = r["person_id"]
    records = []  # (person, clk int, weight)
    blocks = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(encoded_dir, "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["role"] != role:
                    continue
                raw = base64.urlsafe_b64decode(r["clk"] + "=" * (-len(r["clk"]) % 4))
                clk = int.from_bytes(raw, "little")
                i = len(records)
                records.append((person[(r["source_org"], r["record_id"])], clk, clk.bit_count()))
                for column, cell in r.items():
                    if column.startswith(("tok_", "blk_")) and cell:
                        for token in cell.split(" "):
                            blocks[(column, token)].append(i)
    return records, blocks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("encoded_dir")
    ap.add_argument("sim_dir")
    ap.add_argument("--role", default="victim")
    ap.add_argument("--max-block", type=int, default=500, help="skip blocks larger than this (as link's max_block)")
    a = ap.parse_args()
    records, blocks = load(a.encoded_dir, a.sim_dir, a.role)
    candidates = set()
    skipped = 0
    for members in blocks.values():
        if len(members) > a.max_block:
            skipped += 1
            continue
        candidates.update(itertools.combinations(sorted(set(members)), 2))
    by_person = defaultdict(int)
    for p, _, _ in records:
        by_person[p] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_person.values())
    scored = []
    for i, j in candidates:
        (pi, ci, wi), (pj, cj, wj) = records[i], records[j]
        dice = 2 * (ci & cj).bit_count() / (wi + wj) if wi + wj else 0.0
        scored.append((dice, pi == pj))
    found_true = sum(1 for _, m in scored if m)
    print(f"{a.role} records {len(records):,}, persons {len(by_person):,}, true pairs {true_pairs:,}")
    print(f"candidate pairs {len(scored):,} ({skipped} blocks over {a.max_block} skipped); "
          f"blocking recall {found_true / true_pairs:.4f}")
    for label, want in (("true", True), ("false", False)):
        d = sorted(x for x, m in scored if m == want)
        if d:
            q = [d[min(len(d) - 1, int(p * len(d)))] for p in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95)]
            print(f"Dice of {label} candidates: q01 {q[0]:.3f} q05 {q[1]:.3f} q25 {q[2]:.3f} "
                  f"median {q[3]:.3f} q75 {q[4]:.3f} q95 {q[5]:.3f}")
    scored.sort(reverse=True)
    tp = fp = 0
    best = (0.0, 0.0, 0.0, 0.0)
    fixed = {}
    thresholds = [0.9, 0.85, 0.8, 0.75, 0.7, 0.6]
    for k, (dice, m) in enumerate(scored):
        tp += m
        fp += not m
        nxt = scored[k + 1][0] if k + 1 < len(scored) else -1
        if nxt == dice:
            continue
        precision, recall = tp / (tp + fp), tp / true_pairs
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > best[0]:
            best = (f1, dice, precision, recall)
        for t in thresholds:
            if dice >= t > nxt:
                fixed[t] = (f1, precision, recall)
    print(f"best pairwise F1 {best[0]:.4f} at Dice >= {best[1]:.3f} (precision {best[2]:.4f}, recall {best[3]:.4f})")
    for t in thresholds:
        if t in fixed:
            f1, p, r = fixed[t]
            print(f"  Dice >= {t:.2f}: F1 {f1:.4f} (precision {p:.4f}, recall {r:.4f})")


if __name__ == "__main__":
    main()
