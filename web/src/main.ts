// The joindots page: renders the results bundle. The same code serves the self-contained
// report (bundle and boundaries embedded) and the live dashboard (fetched from /api/v1).
import * as Plot from "@observablehq/plot";
import type { FeatureCollection } from "geojson";

import { AreaRow, Bundle, Cell, Estimate, formatCell, loadJson, SUPPORTED_SCHEMA } from "./bundle";
import { downloadButton, toCsv } from "./csv";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function section(id: string, title: string, ...children: (Node | string)[]) {
  return el("section", { id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), ...children);
}

function table(caption: string, header: string[], rows: (string | number)[][]) {
  const t = el("table");
  t.append(el("caption", {}, caption));
  const thead = el("thead");
  const hr = el("tr");
  for (const h of header) hr.append(el("th", { scope: "col" }, h));
  thead.append(hr);
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    r.forEach((v, i) => tr.append(i === 0 ? el("th", { scope: "row" }, String(v)) : el("td", {}, String(v))));
    tbody.append(tr);
  }
  t.append(thead, tbody);
  return t;
}

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
  if (e.method) card.append(el("p", { class: "method" }, e.method));
  return card;
}

function ratePer10k(row: AreaRow): number | null {
  return row.victim_records.value === null ? null : (10000 * row.victim_records.value) / row.pop_0_17;
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
      label: "Victim records per 10,000 children aged 0–17 (grey: fewer than 10, suppressed)",
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
          return row ? `${row.name}: ${formatCell(row.victim_records)} victim records` : f.properties.lad23nm;
        },
      }),
    ],
  });
  figure.setAttribute("role", "img");
  figure.setAttribute("aria-label", "Map of the 318 local authority districts of England and Wales coloured by victim records per 10,000 children; grey where the count is suppressed. The table below holds the same figures.");
  return figure;
}

function areaCsv(bundle: Bundle) {
  return toCsv(
    ["lad_cd", "name", "region", "police_force_area", "children_0_17", "victim_records", "per_10000_children"],
    bundle.areas.map((a) => [a.lad_cd, a.name, a.region, a.pfa, a.pop_0_17, a.victim_records.value ?? "suppressed", ratePer10k(a)?.toFixed(2) ?? ""]),
  );
}

function render(bundle: Bundle, geo: FeatureCollection) {
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
  );

  const cards = el("div", { class: "cards" });
  for (const q of QUESTIONS) cards.append(headlineCard(q.title, q.unit, bundle.headline[q.key]));
  app.append(section("questions", "The four questions", cards));

  const mapSection = section("map", "Where the records are",
    el("p", {}, `Victim records held by agencies (records, not yet linked to children) per 10,000 children. Total: `, el("strong", { id: "total-victim-records" }, formatCell(bundle.victim_records.total)), `; without a home district: ${formatCell(bundle.victim_records.no_area)}.`),
    areaMap(bundle, geo));
  const areaTable = table("Victim records by local authority district", ["District", "Region", "Police force area", "Children 0–17", "Victim records", "Per 10,000"],
    bundle.areas.map((a) => [a.name, a.region, a.pfa, a.pop_0_17.toLocaleString("en-GB"), formatCell(a.victim_records), ratePer10k(a)?.toFixed(1) ?? "–"]));
  mapSection.append(el("details", {}, el("summary", {}, "The map as a table"), areaTable), downloadButton("areas.csv", () => areaCsv(bundle)));
  app.append(mapSection);

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
      el("li", {}, "Counts here are agency records of victims. One child may have several records in several agencies; linkage (to come) turns records into children."),
      el("li", {}, "Public tier: counts of 1 to 9 are suppressed, others rounded to the nearest 5, and further cells suppressed so that no hidden count can be worked out from totals (docs/privacy.md)."),
      el("li", {}, "District boundaries are super-generalised: good for a map, not for locating anyone."))));

  app.append(el("footer", {}, el("p", {}, bundle.attribution)));
  document.title = restricted ? "joindots report (RESTRICTED)" : "joindots report";
  document.body.dataset.ready = "true";
}

async function main() {
  try {
    const [bundle, geo] = await Promise.all([
      loadJson<Bundle>("joindots-bundle", "/api/v1/bundle"),
      loadJson<FeatureCollection>("joindots-geo", "/api/v1/geo"),
    ]);
    render(bundle, geo);
  } catch (err) {
    const app = document.getElementById("app");
    if (app) app.replaceChildren(el("p", { class: "error", role: "alert" }, `The report could not be shown: ${String(err)}`));
    throw err;
  }
}

void main();
