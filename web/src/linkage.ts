// Linkage diagnostics: the Fellegi–Sunter model of the latest link run (m and u per
// comparison level, the match weights they give), candidate pairs per blocking rule and
// the model's estimated precision.
import * as Plot from "@observablehq/plot";

import { Bundle, Cell, formatCell, LinkLevel, Linkage } from "./bundle";
import { downloadButton, toCsv } from "./csv";
import { asImage, el, fmtNumber, section, table, tableBehind } from "./dom";

type LevelRow = LinkLevel & { field: string; key: string };

function levelRows(l: Linkage): LevelRow[] {
  return l.fields.flatMap((f) => f.levels.map((v) => ({ ...v, field: f.field, key: `${f.field}: ${v.level}` })));
}

const pct = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(d)}%`);
const cellValue = (c: Cell) => c.value ?? "suppressed";

function weightsChart(l: Linkage) {
  const rows = levelRows(l).filter((r) => r.weight !== null);
  return asImage(Plot.plot({
    width: 720, height: 40 + 16 * rows.length, marginLeft: 260,
    x: { label: "Match weight, log2(m/u): evidence for (right) or against (left) a match", grid: true },
    y: { domain: rows.map((r) => r.key), label: null, tickSize: 0 },
    marks: [
      // Blue for evidence for a match, orange against: told apart under colour-vision deficiencies.
      Plot.barX(rows, { y: "key", x: "weight", fill: (r: LevelRow) => ((r.weight ?? 0) >= 0 ? "#0072B2" : "#E69F00"), className: "match-weights",
        title: (r: LevelRow) => `${r.key}: m ${r.m.toFixed(4)}, u ${r.u.toFixed(4)}, weight ${(r.weight ?? 0).toFixed(2)}` }),
      Plot.ruleX([0]),
    ],
  }), `Match weights of the ${l.role} linkage model for each comparison level of each field (bars right of zero are evidence for a match, left against). The table below holds m, u and the weights.`);
}

function blockingChart(l: Linkage) {
  const rows = l.blocking.filter((b) => b.pairs_new.value !== null);
  return asImage(Plot.plot({
    width: 720, height: 40 + 22 * l.blocking.length, marginLeft: 260,
    x: { label: "Candidate pairs first found by the rule", grid: true },
    y: { domain: l.blocking.map((b) => b.rule), label: null },
    marks: [Plot.barX(rows, { y: "rule", x: (b: { pairs_new: Cell }) => b.pairs_new.value, fill: "#009E73", className: "pairs-per-rule", title: (b: { rule: string; pairs_new: Cell; pairs_implied: Cell }) => `${b.rule}: ${formatCell(b.pairs_new)} new of ${formatCell(b.pairs_implied)}` }), Plot.ruleX([0])],
  }), `Candidate record pairs found by each blocking rule of the ${l.role} linkage, in the order the rules run. The table below holds the same figures.`);
}

function roleBlock(l: Linkage) {
  const facts: (string | number)[][] = [
    ["Records linked", formatCell(l.records)],
    ["Persons found", formatCell(l.persons)],
    ["Candidate pairs compared", formatCell(l.candidate_pairs)],
    [`Pairs at or above the threshold (${l.threshold})`, formatCell(l.linked_pairs)],
    ["Estimated precision of those pairs (mean match probability)", pct(l.estimated_precision)],
    ["EM", `${l.em_iterations} iterations, ${l.em_converged ? "converged" : "NOT converged"}; prior match probability ${l.prior.toExponential(2)}`],
    ["Merges refused (hard rule / cohesion / clerical)", `${formatCell(l.refused_merges.hard_rule)} / ${formatCell(l.refused_merges.cohesion)} / ${formatCell(l.refused_merges.clerical)}`],
  ];
  if (l.largest_cluster !== undefined) facts.push(["Largest person (records)", l.largest_cluster]);
  if (l.evaluation) {
    const ev = l.evaluation as Record<string, number>;
    facts.push(["Against the simulator's truth: pairwise precision / recall / F1", `${pct(ev.precision)} / ${pct(ev.recall)} / ${pct(ev.f1)}`]);
  }
  const levels = levelRows(l);
  return el("div", { class: "role", "data-role": l.role },
    el("h3", {}, `Linkage of ${l.role} records (run ${l.run_id})`),
    table(`The ${l.role} linkage in figures`, ["", "Value"], facts, { class: "keyvalue" }),
    el("h4", {}, "m and u per comparison level, and the match weights"),
    el("p", {}, "m: how often two records of the same child agree at that level; u: how often two records of different children do. The weight log2(m/u) is the evidence the level adds."),
    weightsChart(l),
    tableBehind("m, u and weights as a table", table(`m and u probabilities of the ${l.role} linkage model`, ["Field", "Level", "m", "u", "Weight"],
      levels.map((r) => [r.field, r.level, r.m.toFixed(4), r.u.toFixed(4), r.weight === null ? "–" : r.weight.toFixed(2)]), { class: "mu-table" })),
    downloadButton(`linkage_${l.role}_m_u.csv`, () => toCsv(["field", "level", "m", "u", "weight"], levels.map((r) => [r.field, r.level, r.m, r.u, r.weight ?? ""]))),
    el("h4", {}, "Pairs per blocking rule"),
    blockingChart(l),
    tableBehind("Pairs per blocking rule as a table", table(`Candidate pairs per blocking rule (${l.role})`, ["Rule", "Pairs in its blocks", "Pairs first found by it"],
      l.blocking.map((b) => [b.rule, formatCell(b.pairs_implied), formatCell(b.pairs_new)]))),
    downloadButton(`linkage_${l.role}_blocking.csv`, () => toCsv(["rule", "pairs_implied", "pairs_new"], l.blocking.map((b) => [b.rule, cellValue(b.pairs_implied), cellValue(b.pairs_new)]))),
  );
}

export function linkageSection(bundle: Bundle) {
  const sec = section("linkage", "Linkage diagnostics");
  const runs = bundle.linkage ?? [];
  if (runs.length === 0) {
    sec.append(el("p", { class: "pending" }, "Not available yet: needs a link run (joindots link --db ...)."));
    return sec;
  }
  sec.append(el("p", {}, "How records were joined into children: a Fellegi–Sunter model fitted by EM compares candidate pairs field by field. These are the model's parameters; its precision estimate is its own view of the pairs it links, not a check against the truth."));
  for (const l of runs) sec.append(roleBlock(l));
  sec.append(el("p", { class: "meta" }, `Counts of records, persons and pairs follow the tier's disclosure rules; ${fmtNumber(runs.length)} role(s) linked.`));
  return sec;
}
