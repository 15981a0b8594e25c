// The estimation methods compared for the victims' total: each method's estimate and interval
// side by side, the log-linear model's fit and selection, the averaged weights and LCMCR's
// convergence.
import * as Plot from "@observablehq/plot";

import { Bundle, formatCell, LinkageUncertainty, MethodRow, Models } from "./bundle";
import { downloadButton, toCsv } from "./csv";
import { asImage, el, fmtInterval, fmtNumber, section, table, tableBehind } from "./dom";

export const methodTitle = (m: MethodRow) => m.label || m.method;

function methodsChart(models: Models) {
  const drawn = models.methods.filter((m) => m.estimate !== undefined && m.interval);
  const known = models.known.value;
  return asImage(Plot.plot({
    width: 720, height: 50 + 34 * Math.max(drawn.length, 1), marginLeft: 290,
    x: { label: "Estimated victims (95% interval)", grid: true },
    y: { domain: drawn.map(methodTitle), label: null },
    marks: [
      ...(known !== null ? [Plot.ruleX([known], { stroke: "#D55E00", strokeDasharray: "4 3" }), Plot.text([known], { x: (d: number) => d, text: () => "known", frameAnchor: "top", dy: -2, fill: "#D55E00" })] : []),
      Plot.ruleY(drawn, { y: methodTitle, x1: (m: MethodRow) => m.interval![0], x2: (m: MethodRow) => m.interval![1], stroke: "#0072B2", strokeWidth: 2 }),
      Plot.dot(drawn, { y: methodTitle, x: "estimate", fill: (m: MethodRow) => (m.chosen ? "#000000" : "#0072B2"), symbol: (m: MethodRow) => (m.chosen ? "diamond" : "circle"), r: 5, className: "method-estimates", title: (m: MethodRow) => `${methodTitle(m)}: ${fmtNumber(m.estimate)} (${fmtInterval(m.interval)})` }),
    ],
  }), "Each estimation method's estimate of the victims (dot; a diamond for the method the headline uses) with its 95% interval (line); the dashed line marks the known victims. The table beside holds the same figures.");
}

const fixed = (v: number | undefined, d: number) => (v === undefined || v === null ? "–" : v.toFixed(d));

export function modelsSection(bundle: Bundle) {
  const sec = section("models", "Methods side by side");
  const models = bundle.models;
  if (!models || models.methods.length === 0) {
    sec.append(el("p", { class: "pending" }, "Not available yet: needs an estimate run (joindots estimate --db ...)."));
    return sec;
  }
  sec.append(
    el("p", {}, "The victims' total estimated by each method, on the same linked lists. Where they agree, the figure does not hang on one model's assumptions; where they part, the spread is part of the uncertainty. The headline uses: ", el("em", {}, models.chosen_method), "."),
    methodsChart(models),
    table("Estimated victims by method", ["Method", "Estimate", "95% interval", "Interval", "Headline"],
      models.methods.map((m) => [methodTitle(m), fmtNumber(m.estimate), fmtInterval(m.interval), m.interval_kind || "–", m.chosen ? "yes" : ""]), { id: "methods-table" }),
    downloadButton("methods.csv", () => toCsv(["method", "label", "estimate", "interval_low", "interval_high", "interval_kind", "headline"],
      models.methods.map((m) => [m.method, m.label, m.estimate ?? "", m.interval?.[0] ?? "", m.interval?.[1] ?? "", m.interval_kind, m.chosen ? 1 : 0]))),
  );
  if (models.notes.length) sec.append(el("ul", { class: "notes" }, ...models.notes.map((n) => el("li", {}, n))));

  const ll = models.loglinear;
  if (ll) {
    const fit: (string | number)[][] = [
      ["Model chosen", `${ll.model ?? "–"}${ll.interactions?.length ? ` (${ll.interactions.join(", ")})` : ""}`],
      ["Selection", `${(ll.criterion ?? "").toUpperCase()} ${fixed(ll.criterion_value, 1)}; ${ll.search ?? ""}`],
      ["Fit", `deviance ${fixed(ll.deviance, 1)} on ${ll.df ?? "–"} df (p = ${fixed(ll.gof_p_value, 3)}); ${ll.parameters ?? "–"} parameters`],
      ["Models", `${fmtNumber(ll.models_considered)} considered, ${fmtNumber(ll.models_valid)} valid, ${fmtNumber(ll.models_excluded)} excluded (no finite estimate), ${fmtNumber(ll.models_not_converged)} not converged`],
    ];
    if (ll.bootstrap) fit.push(["Bootstrap", `${ll.bootstrap.replicates ?? "–"} replicates (${ll.bootstrap.failed ?? 0} failed), ${ll.bootstrap.kind ?? ""}`]);
    sec.append(el("h3", {}, "The log-linear model"), table("The chosen log-linear model", ["", "Value"], fit, { class: "keyvalue" }));
    if (ll.excluded && ll.excluded.length)
      sec.append(tableBehind(`Models excluded (${ll.excluded_total ?? ll.excluded.length}) and why`,
        table("Log-linear models without a finite estimate", ["Model", "Status", "Reason"], ll.excluded.map((e) => [e.model, e.status, e.reason]))));
    else sec.append(el("p", { class: "meta" }, "No model was excluded for lacking a finite estimate."));
  }
  const av = models.averaged ?? (ll ? { criterion: ll.criterion ?? "", models_averaged: 0, weights: ll.top_models } : undefined);
  if (av && av.weights.length) {
    const top = av.weights.slice(0, 12);
    sec.append(el("h3", {}, "Model weights"),
      el("p", {}, `The models averaged carry weight exp(−Δ/2) by ${av.criterion.toUpperCase()}; the heaviest ${top.length} of ${fmtNumber(av.models_averaged || av.weights.length)}:`),
      asImage(Plot.plot({
        width: 720, height: 40 + 22 * top.length, marginLeft: 250,
        x: { label: "Weight", grid: true, domain: [0, 1] },
        y: { domain: top.map((w) => w.model), label: null },
        marks: [Plot.barX(top, { y: "model", x: "weight", fill: "#009E73", className: "weights", title: (w: { model: string; weight?: number; estimate?: number }) => `${w.model}: weight ${fixed(w.weight, 3)}, estimate ${fmtNumber(w.estimate)}` }), Plot.ruleX([0])],
      }), "Bar chart of the weights of the heaviest log-linear models. The table below holds the same figures."),
      tableBehind("Model weights as a table", table("Weights of the log-linear models", ["Model", "Weight", "Estimate"], top.map((w) => [w.model, fixed(w.weight, 3), fmtNumber(w.estimate)]))),
      downloadButton("model_weights.csv", () => toCsv(["model", "weight", "estimate"], av.weights.map((w) => [w.model, w.weight ?? "", w.estimate ?? ""]))));
  }
  const lc = models.lcmcr;
  if (lc) {
    const ok = (lc.rhat ?? 99) <= 1.05 && (lc.ess ?? 0) >= 100;
    sec.append(el("h3", {}, "Latent-class model (LCMCR): convergence"),
      table("LCMCR sampler diagnostics", ["", "Value"], [
        ["R-hat", `${fixed(lc.rhat, 3)} (want ≤ 1.05)`],
        ["Effective sample size", `${fmtNumber(lc.ess)} (want ≥ 100)`],
        ["Chains × draws", `${lc.chains ?? "–"} × ${fmtNumber(lc.samples_per_chain)} (burn-in ${fmtNumber(lc.burn_in)}, thinned by ${lc.thin ?? "–"})`],
        ["Verdict", ok ? "converged" : "not converged: treat its estimate with caution"],
      ], { class: "keyvalue" }));
  }
  sec.append(el("p", { class: "meta" }, `Known victims: ${formatCell(models.known)}. ${models.interval_kind ? `Headline interval: ${models.interval_kind}.` : ""}`));
  const lu = bundle.linkage_uncertainty;
  if (lu) sec.append(...linkageUncertainty(lu));
  return sec;
}

/** How much the victims' total hangs on linkage: the draws' share of the interval and the threshold curve. */
function linkageUncertainty(lu: LinkageUncertainty) {
  const out: Node[] = [el("h3", {}, "How much the answer hangs on linkage")];
  if (lu.draws) {
    const share = Math.round(100 * (lu.linkage_share_of_width ?? 0));
    const moved = Math.round(1000 * (lu.correction ?? 0)) / 10;
    out.push(el("p", { id: "linkage-share" },
      `Record linkage is not certain. ${lu.draws} plausible linkages drawn from the match probabilities: ${share}% of the headline interval's width comes from linkage error, and correcting for the expected missed and false matches moved the estimate by ${moved > 0 ? "+" : ""}${moved}% (from ${fmtNumber(lu.without_linkage_error?.estimate)}, ${fmtInterval(lu.without_linkage_error?.interval)}, taking every link decision as certain).`));
  }
  const ul = lu.unseen_links;
  if (ul && ul.mode !== "off") {
    const apart = ul.split_sample ? `${Math.round(10000 * (ul.split_apart ?? 0) / ul.split_sample) / 100}%` : "";
    const effect = Math.round(1000 * (ul.effect ?? 0)) / 10;
    const merged = ul.persons_merged !== undefined ? ` (${fmtNumber(ul.persons_merged)} persons taken for parts of others)` : "";
    if (ul.source === "latent_class") {
      const missed = Math.round(1000 * (ul.missed_rate ?? 0)) / 10;
      out.push(el("p", { id: "unseen-links" }, ul.applied
        ? `A latent-class model of the record pairs within an area implies that ${missed}% of the matches there are in two different persons and would not be re-linked by any drawn linkage: most often a record whose names, date of birth and postcode were all recorded badly, cut off from the rest of its child's records. Each drawn linkage is also corrected for them, each such record becoming a one-record person of its own; on the linkage as made, that correction alone moves the estimate by ${effect > 0 ? "+" : ""}${effect}%${merged}.`
        : `Matches the linkage left apart are not corrected for: ${ul.reason}.`));
    } else out.push(el("p", { id: "unseen-links" }, ul.applied
      ? `Blocking (which pairs of records the linkage compares at all) left ${fmtNumber(ul.split_apart)} of ${fmtNumber(ul.split_sample)} likely matches in a random sample of record pairs (${apart}) never compared and in two different persons. A match never compared cannot be linked, so each drawn linkage is also corrected for the records blocking cut off from their child, each becoming a one-record person of its own; on the linkage as made, that correction alone moves the estimate by ${effect > 0 ? "+" : ""}${effect}%${merged}.`
      : `Matches that blocking never compared are not corrected for: ${ul.reason}.`));
  }
  const drawn = lu.threshold_curve.filter((p) => p.estimate !== undefined && p.interval);
  if (drawn.length) {
    out.push(el("p", {}, "The victims' total re-estimated with the records re-linked at each match threshold (a pair at or above the threshold links two records): where the curve is flat, the answer does not hang on the threshold."),
      asImage(Plot.plot({
        width: 720, height: 280,
        x: { label: "Match threshold", domain: [0, 1], grid: true },
        y: { label: "Estimated victims (95% interval)", grid: true },
        marks: [
          Plot.ruleX(drawn, { x: "threshold", y1: (p: { interval?: [number, number] }) => p.interval![0], y2: (p: { interval?: [number, number] }) => p.interval![1], stroke: "#0072B2", strokeWidth: 2 }),
          Plot.line(drawn, { x: "threshold", y: "estimate", stroke: "#0072B2" }),
          Plot.dot(drawn, { x: "threshold", y: "estimate", fill: "#0072B2", r: 4, className: "threshold-points", title: (p: { threshold: number; estimate?: number; interval?: [number, number] }) => `threshold ${p.threshold}: ${fmtNumber(p.estimate)} (${fmtInterval(p.interval)})` }),
        ],
      }), "The estimated victims at each match threshold, with 95% intervals. The table below holds the same figures."),
      tableBehind("The threshold curve as a table", table("Estimated victims by match threshold", ["Threshold", "Estimate", "95% interval", ...(drawn.some((p) => p.persons !== undefined) ? ["Known persons"] : [])],
        lu.threshold_curve.map((p) => [p.threshold.toString(), fmtNumber(p.estimate), fmtInterval(p.interval), ...(p.persons !== undefined ? [fmtNumber(p.persons)] : [])]), { id: "threshold-table" })));
  }
  return out;
}
