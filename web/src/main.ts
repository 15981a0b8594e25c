// The joindots page: renders the results bundle. The same code serves the self-contained
// report (bundle and boundaries embedded) and the live dashboard (fetched from /api/v1).
import * as Plot from "@observablehq/plot";
import type { FeatureCollection } from "geojson";

import { AreaRow, Bundle, Estimate, formatCell, loadJson, StratumRow, SUPPORTED_SCHEMA } from "./bundle";
import { downloadButton, toCsv } from "./csv";
import { asImage, el, fmtInterval, section, table, tableBehind } from "./dom";
import { linkageSection } from "./linkage";
import { modelsSection } from "./models";
import { networksSection } from "./networks";
import { overlapSection } from "./overlap";
import { reviewSection } from "./review";

const QUESTIONS: { key: keyof Bundle["headline"]; title: string; unit: string }[] = [
  { key: "victims", title: "Victims", unit: "children" },
  { key: "areas", title: "Areas affected", unit: "local authority districts" },
  { key: "offences", title: "Offences", unit: "offences" },
  { key: "still_involved", title: "Still involved", unit: "children, last 12 months" },
];

function headlineCard(title: string, unit: string, e: Estimate | null) {
  const card = el("div", { class: "card", "data-question": title });
  card.append(el("h3", {}, title));
  if (!e) {
    card.append(el("p", { class: "pending" }, "Not estimated yet: needs the linkage and estimation stages."));
    return card;
  }
  card.append(el("p", { class: "known" }, "Known: ", el("strong", { "data-value": "known" }, formatCell(e.known)), ` ${unit}`));
  if (e.estimate !== undefined) {
    const interval = e.interval ? ` (95% interval ${e.interval[0].toLocaleString("en-GB")}–${e.interval[1].toLocaleString("en-GB")})` : "";
    card.append(el("p", { class: "estimate" }, "Estimated: ", el("strong", { "data-value": "estimate" }, e.estimate.toLocaleString("en-GB")), interval));
  }
  for (const c of e.cautions ?? []) card.append(el("p", { class: "caution", role: "note" }, el("strong", {}, "Caution: "), c));
  if (e.why) card.append(el("p", { class: "why", "data-value": "why" }, e.why));
  if (e.weak) card.append(el("p", { class: "caution", "data-value": "weak" }, el("strong", {}, "Weak figure: "), e.weak));
  if (e.method || e.note)
    card.append(el("details", { class: "assumption" }, el("summary", {}, "How it is estimated"),
      ...(e.method ? [el("p", { class: "method" }, e.method)] : []), ...(e.note ? [el("p", {}, e.note)] : [])));
  return card;
}

function ratePer10k(row: AreaRow): number | null {
  return row.count.value === null ? null : (10000 * row.count.value) / row.pop_0_17;
}

function areaMap(bundle: Bundle, geo: FeatureCollection) {
  const byCode = new Map(bundle.areas.map((a) => [a.lad_cd, a]));
  const figure = Plot.plot({
    projection: { type: "mercator", domain: geo },
    width: 640,
    height: 720,
    color: {
      type: "quantile",
      n: 5,
      scheme: "viridis", // perceptually uniform and colour-blind safe; no grey, so grey can mean "suppressed"
      legend: true,
      tickFormat: ".1f",
      label: `${bundle.area_counts.measure === "victims" ? "Known victims" : "Victim records"} per 10,000 children aged 0–17 (grey: fewer than 10, suppressed)`,
      unknown: "#d0d0d0",
    },
    marks: [
      Plot.geo(geo, {
        fill: (f: any) => {
          const row = byCode.get(f.properties.lad23cd);
          return row ? ratePer10k(row) : null;
        },
        stroke: "white",
        strokeWidth: 0.3,
        title: (f: any) => {
          const row = byCode.get(f.properties.lad23cd);
          return row ? `${row.name}: ${formatCell(row.count)} ${bundle.area_counts.label}` : f.properties.lad23nm;
        },
      }),
    ],
  });
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", "Map of the 318 local authority districts of England and Wales coloured by victim records per 10,000 children; grey where the count is suppressed. The table below holds the same figures.");
  return figure;
}

/** The regions coloured by estimated victims; flagged (sparse) or withheld strata grey, with the reason. */
function regionSection(bundle: Bundle, regions: FeatureCollection | null) {
  const sec = section("regions", "Estimated victims by region");
  const rows = (bundle.strata ?? []).filter((s) => s.dimension === "region");
  if (rows.length === 0) {
    sec.append(el("p", { class: "pending" }, "No regional estimates yet: run joindots estimate --db ... --by region."));
    return sec;
  }
  const byName = new Map(rows.map((r) => [r.value, r]));
  const why = (r?: StratumRow) => (!r ? "not estimated" : r.flag ? r.flag : r.known.value === null ? "withheld: its known count is suppressed" : "not estimated");
  sec.append(el("p", {}, "Each region's estimate (known and unknown victims) from its own multiple systems estimate. Grey: no estimate, with the reason in the table."));
  if (regions) {
    const figure = Plot.plot({
      projection: { type: "mercator", domain: regions },
      width: 640, height: 700,
      // Viridis has no grey anywhere along it (cividis passes through one mid-range), so grey means only "not estimated".
      color: { type: "linear", scheme: "viridis", legend: true, label: "Estimated victims (grey: not estimated)", unknown: "#d0d0d0" },
      marks: [
        Plot.geo(regions, {
          fill: (f: any) => byName.get(f.properties.rgn_nm)?.estimate ?? null,
          stroke: "white", strokeWidth: 0.8,
          title: (f: any) => {
            const r = byName.get(f.properties.rgn_nm);
            return r && r.estimate !== undefined ? `${r.value}: ${r.estimate.toLocaleString("en-GB")} estimated (${fmtInterval(r.interval)}), ${formatCell(r.known)} known` : `${f.properties.rgn_nm}: ${why(r)}`;
          },
        }),
      ],
    });
    sec.append(asImage(figure, `Map of the ${regions.features.length} regions of England and Wales coloured by estimated victims; grey where a region is not estimated. The table below holds the same figures.`));
  }
  sec.append(
    tableBehind("The regional map as a table", table("Estimated victims by region", ["Region", "Known", "Estimated", "95% interval", "Note"],
      rows.map((r) => [r.value, formatCell(r.known), r.estimate === undefined ? "–" : r.estimate.toLocaleString("en-GB"), fmtInterval(r.interval), r.estimate === undefined ? why(r) : r.flag]), { id: "regions-table" })),
    downloadButton("regions.csv", () => toCsv(["region", "known", "estimate", "interval_low", "interval_high", "note"],
      rows.map((r) => [r.value, r.known.value ?? "suppressed", r.estimate ?? "", r.interval?.[0] ?? "", r.interval?.[1] ?? "", r.estimate === undefined ? why(r) : r.flag]))));
  return sec;
}

const DIMENSION_TITLES: Record<string, string> = {
  region: "Region", pfa: "Police force area", year: "Year of first record", age_band: "Age band at first record", sex: "Sex",
};

/** A forest plot of one dimension's estimates with their 95% intervals; flagged strata are listed, not drawn. */
function forestPlot(rows: StratumRow[]) {
  const drawn = rows.filter((r) => r.estimate !== undefined && r.interval);
  // Many strata (43 police force areas): tighter rows, still one label per row.
  const rowHeight = drawn.length > 20 ? 17 : 26;
  const figure = Plot.plot({
    marginLeft: 220,
    width: 720,
    height: 50 + rowHeight * Math.max(drawn.length, 1),
    style: { fontSize: drawn.length > 20 ? "11px" : "12px" },
    // Log scale: one sparse stratum's wide interval must not flatten the others.
    x: { type: "log", label: "Estimated victims (95% interval, log scale)", grid: true, nice: true },
    y: { label: null, domain: drawn.map((r) => r.value) },
    marks: [
      Plot.ruleY(drawn, { y: "value", x1: (r: StratumRow) => r.interval![0], x2: (r: StratumRow) => r.interval![1], stroke: "#3b528b", strokeWidth: 2 }),
      Plot.dot(drawn, { y: "value", x: "estimate", fill: "#21918c", r: 4, title: (r: StratumRow) => `${r.value}: ${r.estimate!.toLocaleString("en-GB")} (${r.interval![0].toLocaleString("en-GB")}–${r.interval![1].toLocaleString("en-GB")})` }),
      Plot.dot(drawn, { y: "value", x: (r: StratumRow) => r.known.value ?? NaN, symbol: "times", stroke: "#440154", title: (r: StratumRow) => `${r.value}: ${formatCell(r.known)} known` }),
    ],
  });
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", "Forest plot: estimated victims per stratum with 95% intervals (lines) and known victims (crosses). The table below holds the same figures.");
  return figure;
}

/** A stratum's model-based figure for the table, labelled with what it rests on; "" when it has none. */
function modelBased(r: StratumRow): string {
  const m = r.model_based;
  if (!m || m.estimate === undefined) return "";
  const iv = m.interval ? ` (${m.interval[0].toLocaleString("en-GB")}–${m.interval[1].toLocaleString("en-GB")})` : "";
  return `${m.estimate.toLocaleString("en-GB")}${iv}, model-based from the ${m.parent === "national" ? "national" : m.parent} ratio`;
}

/** A stratum's note: why it was not estimated, or why its figure is weak. */
function note(r: StratumRow): string {
  return [r.flag, r.weak ? `weak: ${r.weak}` : ""].filter(Boolean).join("; ");
}

function strataSection(bundle: Bundle) {
  const sec = section("strata", "Estimates by area, period and group");
  if (!bundle.strata || bundle.strata.length === 0) {
    sec.append(el("p", { class: "pending" }, "No stratified estimates yet: run joindots estimate --db ... --by region,..."));
    return sec;
  }
  sec.append(el("p", {}, "Each stratum is estimated on its own. Strata too sparse for capture-recapture are flagged and not estimated; \"not recorded\" shows how many known victims lack the attribute. Crosses mark known victims."),
    el("p", {}, "Model-based figures (tables only) stand in where capture-recapture is not reliable — a stratum too sparse, or one whose interval spans more than a factor of ten: the known count times the estimated-to-known ratio of its region (police force areas) or of the whole country. They assume the stratum misses the same share as its parent, and their intervals leave out local variation."));
  const dims = [...new Set(bundle.strata.map((s) => s.dimension))];
  for (const dim of dims) {
    const rows = bundle.strata.filter((s) => s.dimension === dim);
    const fmt = (v?: number) => (v === undefined ? "–" : v.toLocaleString("en-GB"));
    const flagged = rows.filter((r) => r.estimate === undefined || !r.interval);
    sec.append(
      el("h3", { id: `strata-${dim}` }, DIMENSION_TITLES[dim] ?? dim),
      forestPlot(rows),
      ...(flagged.length ? [el("p", { class: "meta" }, `Not drawn (${flagged.length}): ${flagged.map((r) => `${r.value}${r.flag ? ` (${r.flag})` : ""}`).join("; ")}.`)] : []),
      tableBehind(`${DIMENSION_TITLES[dim] ?? dim}: the figures as a table`,
        table(`Victims by ${(DIMENSION_TITLES[dim] ?? dim).toLowerCase()}`, ["Stratum", "Known", "Estimated", "95% interval", "Note", "Model-based (95% interval)"],
          rows.map((r) => [r.value, formatCell(r.known), fmt(r.estimate), r.interval ? `${fmt(r.interval[0])}–${fmt(r.interval[1])}` : "–", note(r), modelBased(r)]))),
      downloadButton(`estimates_by_${dim}.csv`, () => toCsv(["dimension", "stratum", "known", "estimate", "interval_low", "interval_high", "note", "model_based", "model_based_low", "model_based_high", "model_based_from"],
        rows.map((r) => [r.dimension, r.value, r.known.value ?? "suppressed", r.estimate ?? "", r.interval?.[0] ?? "", r.interval?.[1] ?? "", note(r),
          r.model_based?.estimate ?? "", r.model_based?.interval?.[0] ?? "", r.model_based?.interval?.[1] ?? "", r.model_based?.parent ?? ""]))),
    );
  }
  return sec;
}

function areaCsv(bundle: Bundle) {
  return toCsv(
    ["lad_cd", "name", "region", "police_force_area", "children_0_17", bundle.area_counts.measure, "per_10000_children"],
    bundle.areas.map((a) => [a.lad_cd, a.name, a.region, a.pfa, a.pop_0_17, a.count.value ?? "suppressed", ratePer10k(a)?.toFixed(2) ?? ""]),
  );
}

const CONTENTS: [string, string][] = [
  ["questions", "The four questions"], ["map", "Map of known victims"], ["regions", "Regional estimates"],
  ["strata", "Estimates by stratum"], ["overlap", "Overlap of lists"], ["models", "Methods side by side"],
  ["linkage", "Linkage diagnostics"], ["networks", "Offender networks"], ["sources", "Data completeness"], ["notes", "Method notes"],
];

function contents(restricted: boolean): [string, string][] {
  if (!restricted) return CONTENTS;
  const i = CONTENTS.findIndex(([id]) => id === "linkage");
  return [...CONTENTS.slice(0, i + 1), ["review", "Pairs to review (restricted)"], ...CONTENTS.slice(i + 1)];
}

/** Printing shows every table behind a chart: folded <details> open for print, close after. */
function openDetailsForPrint() {
  let opened: HTMLDetailsElement[] = [];
  window.addEventListener("beforeprint", () => {
    opened = [...document.querySelectorAll("details:not([open])")] as HTMLDetailsElement[];
    for (const d of opened) d.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const d of opened) d.open = false;
    opened = [];
  });
}

function render(bundle: Bundle, geo: FeatureCollection, regions: FeatureCollection | null) {
  const app = document.getElementById("app")!;
  app.replaceChildren();
  if (bundle.schema !== SUPPORTED_SCHEMA) throw new Error(`unsupported results schema ${bundle.schema}`);
  const restricted = bundle.tier === "restricted";
  document.body.classList.toggle("restricted", restricted);
  if (restricted) app.append(el("div", { class: "tier-banner", role: "note" }, "RESTRICTED: exact counts for analysts at the hub. Not for publication."));

  app.append(
    el("header", {},
      el("h1", {}, "joindots: the total picture"),
      el("p", { class: "lede" }, "Group-based child sexual exploitation, from the records agencies already hold. All figures here come from ", el("strong", {}, "synthetic data"), "."),
      el("p", { class: "meta" }, `Generated ${bundle.generated_at} · ${restricted ? "restricted tier" : "public tier: counts of 1–9 suppressed, others rounded to the nearest 5"}`)),
    el("nav", { "aria-label": "Contents", class: "contents" }, el("ul", {}, ...contents(restricted).map(([id, title]) => el("li", {}, el("a", { href: `#${id}` }, title))))),
  );

  const cards = el("div", { class: "cards" });
  for (const q of QUESTIONS) cards.append(headlineCard(q.title, q.unit, bundle.headline[q.key]));
  const questions = section("questions", "The four questions", cards);
  if (bundle.diagnostics?.length)
    questions.append(el("div", { class: "diagnostics", role: "note" }, el("strong", {}, "Read with care: "),
      el("ul", {}, ...bundle.diagnostics.map((d) => el("li", {}, d)))));
  if (bundle.reference_date) questions.append(el("p", { class: "meta" }, `Reference date ${bundle.reference_date}; lists (sources): ${(bundle.lists ?? []).join(", ")}. Estimates are multiple systems estimates with 95% intervals.`));
  app.append(questions);

  const measure = bundle.area_counts.measure === "victims" ? "Known victims" : "Victim records";
  const mapSection = section("map", bundle.area_counts.measure === "victims" ? "Where the known victims live" : "Where the records are",
    el("p", {}, `${measure} per 10,000 children, by home district: ${bundle.area_counts.label}. Total: `, el("strong", { id: "total-area-count" }, formatCell(bundle.area_counts.total)), `; without a home district: ${formatCell(bundle.area_counts.no_area)}.`),
    areaMap(bundle, geo));
  const areaTable = table(`${measure} by local authority district`, ["District", "Region", "Police force area", "Children 0–17", measure, "Per 10,000"],
    bundle.areas.map((a) => [a.name, a.region, a.pfa, a.pop_0_17.toLocaleString("en-GB"), formatCell(a.count), ratePer10k(a)?.toFixed(1) ?? "–"]));
  mapSection.append(tableBehind("The map as a table", areaTable), downloadButton("areas.csv", () => areaCsv(bundle)));
  app.append(mapSection);

  app.append(regionSection(bundle, regions));
  app.append(strataSection(bundle));
  app.append(overlapSection(bundle));
  app.append(modelsSection(bundle));
  app.append(linkageSection(bundle));
  const review = reviewSection(bundle, analystToken);
  if (review) app.append(review);
  app.append(networksSection(bundle, geo));

  const fields = ["given_name", "family_name", "dob", "sex", "postcode", "lad_cd", "nhs_number", "upn", "pnc_id"];
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${Math.round(v)}%`);
  app.append(section("sources", "Data completeness per source",
    el("p", {}, "What share of each source type's victim records hold each identifier. Linkage quality depends on it."),
    table("Victim records and identifier completeness by source type", ["Source type", "Organisations", "Victim records", ...fields],
      bundle.sources.map((s) => [s.source_type, s.organisations, formatCell(s.victim_records), ...fields.map((f) => pct(s.percent_with_value[f]))])),
    downloadButton("sources.csv", () => toCsv(["source_type", "organisations", "victim_records", ...fields.map((f) => `percent_${f}`)],
      bundle.sources.map((s) => [s.source_type, s.organisations, s.victim_records.value ?? "suppressed", ...fields.map((f) => s.percent_with_value[f] ?? "")])))));

  app.append(section("notes", "Method notes",
    el("ul", {},
      el("li", {}, "Agencies hold records; one child may have several records in several agencies. Linkage (Fellegi–Sunter with EM) turns records into children, and the known counts are of children. The completeness table counts records."),
      el("li", {}, "Estimated totals include the children no agency recorded, by multiple systems estimation over the source types (log-linear models chosen by BIC, with intervals that include model uncertainty). Each figure's assumption is given beside it. Where the lists are positively dependent or children differ in how visible they are, such estimates tend to run low."),
      el("li", {}, "Public tier: counts of 1 to 9 are suppressed, others rounded to the nearest 5, and further cells suppressed so that no hidden count can be worked out from totals (docs/privacy.md)."),
      el("li", {}, "District boundaries are super-generalised: good for a map, not for locating anyone."))));

  app.append(el("footer", {}, el("p", {}, bundle.attribution)));
  document.title = restricted ? "joindots report (RESTRICTED)" : "joindots report";
  document.body.dataset.ready = "true";
}

/**
 * The dashboard's restricted tier (/restricted, served only with --restricted-token-file):
 * the shell holds no data; the analyst gives the access token, sent as a bearer token with
 * the request for the restricted bundle and, for the clerical review, with each decision
 * saved. It is kept in memory only (a variable of this script), never stored.
 */
/** The analyst's token, once the restricted tier opened with it: in memory only. */
let analystToken: string | null = null;

function askForToken(): Promise<Bundle> {
  const app = document.getElementById("app")!;
  return new Promise((resolve) => {
    const input = el("input", { type: "password", id: "token", name: "token", autocomplete: "off", required: "" }) as HTMLInputElement;
    const message = el("p", { class: "error", role: "alert" });
    const form = el("form", { class: "token-form" },
      el("div", { class: "tier-banner", role: "note" }, "RESTRICTED: for analysts at the hub. Not for publication."),
      el("h1", {}, "joindots: restricted tier"),
      el("p", {}, "Give the access token the hub's analyst created (the file passed to joindots serve --restricted-token-file)."),
      el("label", { for: "token" }, "Access token "), input, " ", el("button", { type: "submit" }, "Open"), message);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const response = await fetch("/api/v1/bundle?tier=restricted", { headers: { Authorization: `Bearer ${input.value.trim()}` }, cache: "no-store" });
      if (!response.ok) {
        const body = await response.json().catch(() => ({ error: response.statusText }));
        message.textContent = `Refused (${response.status}): ${body.error}`;
        return;
      }
      analystToken = input.value.trim();
      input.value = "";
      resolve((await response.json()) as Bundle);
    });
    app.replaceChildren(form);
    input.focus();
  });
}

async function main() {
  try {
    const restrictedShell = document.body.dataset.tier === "restricted" && !document.getElementById("joindots-bundle");
    const [bundle, geo, regions] = await Promise.all([
      restrictedShell ? askForToken() : loadJson<Bundle>("joindots-bundle", "/api/v1/bundle"),
      loadJson<FeatureCollection>("joindots-geo", "/api/v1/geo"),
      loadJson<FeatureCollection | null>("joindots-geo-regions", "/api/v1/geo/regions"),
    ]);
    openDetailsForPrint();
    render(bundle, geo, regions);
  } catch (err) {
    const app = document.getElementById("app");
    if (app) app.replaceChildren(el("p", { class: "error", role: "alert" }, `The report could not be shown: ${String(err)}`));
    throw err;
  }
}

void main();
