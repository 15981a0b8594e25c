// The overlap of the lists as an UpSet-style chart: known victims by capture pattern (bars,
// largest first) over a dot matrix of the lists in each pattern, and each list's total.
import * as Plot from "@observablehq/plot";

import { Bundle, formatCell, Overlap, OverlapPattern } from "./bundle";
import { downloadButton, toCsv } from "./csv";
import { asImage, el, section, table, tableBehind } from "./dom";

const LIST_TITLES: Record<string, string> = {
  police: "Police", children_services: "Children's services", health: "Health", nrm: "NRM", charity: "Charities",
};
export const listTitle = (l: string) => LIST_TITLES[l] ?? l;

/** Published patterns first, largest first; then the suppressed ones (their order tells nothing). */
export function sortedPatterns(o: Overlap): OverlapPattern[] {
  return [...o.patterns].sort((a, b) => {
    const va = a.count.value, vb = b.count.value;
    if (va === null || vb === null) return va === null && vb === null ? a.pattern.localeCompare(b.pattern) : va === null ? 1 : -1;
    return vb - va || a.lists.length - b.lists.length || a.pattern.localeCompare(b.pattern);
  });
}

const patternLabel = (p: OverlapPattern) => p.lists.map(listTitle).join(" + ");

function upsetChart(o: Overlap) {
  const rows = sortedPatterns(o);
  const keys = rows.map((p) => p.pattern);
  const width = Math.max(560, 150 + 24 * rows.length);
  const x = { domain: keys, axis: null, padding: 0.2 } as const;
  const bars = Plot.plot({
    width, height: 240, marginLeft: 150, marginBottom: 4,
    x,
    y: { label: "Known victims", grid: true },
    marks: [
      Plot.barY(rows.filter((p) => p.count.value !== null), {
        x: "pattern", y: (p: OverlapPattern) => p.count.value, fill: "#0072B2",
        title: (p: OverlapPattern) => `${patternLabel(p)}: ${formatCell(p.count)}`, className: "pattern-counts",
      }),
      // Suppressed patterns: a grey mark at the foot of their column, so they are not mistaken for zero.
      Plot.text(rows.filter((p) => p.count.value === null), {
        x: "pattern", y: 0, text: () => "s", dy: -6, fill: "#666", className: "suppressed-patterns",
        title: (p: OverlapPattern) => `${patternLabel(p)}: ${formatCell(p.count)}`,
      }),
      Plot.ruleY([0]),
    ],
  });
  const dots: { pattern: string; list: string; in: boolean }[] = [];
  for (const p of rows) for (const l of o.lists) dots.push({ pattern: p.pattern, list: l, in: p.lists.includes(l) });
  const matrix = Plot.plot({
    width, height: 30 + 24 * o.lists.length, marginLeft: 150, marginTop: 6,
    x,
    y: { domain: o.lists, label: null, tickFormat: listTitle },
    marks: [
      Plot.ruleX(rows, { x: "pattern", y1: (p: OverlapPattern) => o.lists.find((l) => p.lists.includes(l)), y2: (p: OverlapPattern) => [...o.lists].reverse().find((l) => p.lists.includes(l)), stroke: "#1b1b1b", strokeWidth: 2 }),
      Plot.dot(dots, { x: "pattern", y: "list", r: 5, fill: (d: { in: boolean }) => (d.in ? "#1b1b1b" : "#d9d9d9"), className: "membership" }),
    ],
  });
  const wrap = el("div", { class: "upset chart" }, bars, matrix);
  return asImage(wrap, `UpSet chart of the overlap of the ${o.lists.length} lists: ${rows.length} combinations of lists, bars giving the known victims in each (largest first, s marks a suppressed count), dots below showing which lists make up each combination. The table below holds the same figures.`);
}

function listTotalsChart(o: Overlap) {
  const rows = o.list_totals.filter((t) => t.count.value !== null);
  return asImage(Plot.plot({
    width: 560, height: 30 + 26 * o.list_totals.length, marginLeft: 150,
    x: { label: "Known victims on the list", grid: true },
    y: { domain: o.lists, label: null, tickFormat: listTitle },
    marks: [
      Plot.barX(rows, { y: "list", x: (t: { count: { value: number } }) => t.count.value, fill: "#E69F00", title: (t: { list: string; count: { value: number } }) => `${listTitle(t.list)}: ${formatCell(t.count)}`, className: "list-totals" }),
      Plot.ruleX([0]),
    ],
  }), "Bar chart of the known victims on each list (a child on several lists counts on each). The table below holds the same figures.");
}

export function overlapSection(bundle: Bundle) {
  const sec = section("overlap", "How the lists overlap");
  const o = bundle.overlap;
  if (!o || o.patterns.length === 0) {
    sec.append(el("p", { class: "pending" }, "Not available yet: needs an estimate run (joindots estimate --db ...)."));
    return sec;
  }
  sec.append(
    el("p", {}, "Each known victim is on one or more lists (source types). The bars count the children on exactly the combination of lists marked by the dots below them; the estimates rest on these overlaps. Total: ",
      el("strong", { id: "overlap-total" }, formatCell(o.total)), " known victims."),
    upsetChart(o),
    tableBehind("The overlap as a table", table("Known victims by the combination of lists they are on", ["Lists", ...o.lists.map(listTitle), "Known victims"],
      sortedPatterns(o).map((p) => [patternLabel(p), ...o.lists.map((l) => (p.lists.includes(l) ? "●" : "")), formatCell(p.count)]), { id: "overlap-table" })),
    downloadButton("overlap.csv", () => toCsv(["pattern", ...o.lists, "known_victims"],
      o.patterns.map((p) => [p.pattern, ...o.lists.map((l) => (p.lists.includes(l) ? 1 : 0)), p.count.value ?? "suppressed"]))),
    el("h3", {}, "Known victims on each list"),
    listTotalsChart(o),
    tableBehind("List totals as a table", table("Known victims on each list", ["List", "Known victims"], o.list_totals.map((t) => [listTitle(t.list), formatCell(t.count)]))),
    downloadButton("list_totals.csv", () => toCsv(["list", "known_victims"], o.list_totals.map((t) => [t.list, t.count.value ?? "suppressed"]))),
  );
  return sec;
}
