// Record-level linkage review (restricted tier only): the pairs of the latest link run that
// fell in the clerical-review band, each record by source and record id with the person it
// was resolved to, the pair's match weight and probability, and each field's agreement
// level with the weight that level adds. Never in a public bundle.
import { Bundle, Linkage } from "./bundle";
import { downloadButton, toCsv } from "./csv";
import { el, section, table } from "./dom";
import { decidedReview, liveReview } from "./review_live";

export interface ReviewRecord {
  source_type: string;
  source_org: string;
  record_id: string;
  event_date: string;
  person_id: number;
}

export interface ReviewPair {
  a: ReviewRecord;
  b: ReviewRecord;
  weight: number;
  probability: number;
  same_person: boolean;
  levels: Record<string, string>;
}

export interface ReviewRole {
  role: string;
  run_id: number;
  band: [number, number] | null;
  threshold: number;
  fields: string[];
  pairs_in_band: number;
  pairs: ReviewPair[];
}

const recordText = (r: ReviewRecord) => `${r.source_type} ${r.source_org} #${r.record_id}`;

function levelWeights(linkage: Linkage | undefined): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const f of linkage?.fields ?? []) for (const l of f.levels) out.set(`${f.field}:${l.level}`, l.weight);
  return out;
}

function roleBlock(r: ReviewRole, linkage: Linkage | undefined) {
  const weights = levelWeights(linkage);
  const level = (field: string, p: ReviewPair) => {
    const name = p.levels[field] ?? "–";
    const w = weights.get(`${field}:${name}`);
    return w === undefined || w === null ? name : `${name} (${w >= 0 ? "+" : ""}${w.toFixed(1)})`;
  };
  const band = r.band ? `${r.band[0]} to ${r.band[1]}` : "the review band";
  const shown = r.pairs.length < r.pairs_in_band ? `; the ${r.pairs.length.toLocaleString("en-GB")} most probable shown` : "";
  const block = el("div", { class: "role review-role", "data-role": r.role },
    el("h3", {}, `RESTRICTED · ${r.role} pairs to review (link run ${r.run_id})`),
    el("p", {}, `${r.pairs_in_band.toLocaleString("en-GB")} pairs with a match probability from ${band}${shown}. Pairs at or above ${r.threshold} are linked unless a guard refused the merge; "Same person" says what the run decided. Each field shows its agreement level and the weight it adds.`));
  if (r.pairs.length === 0) {
    block.append(el("p", { class: "pending" }, "No pair fell in the band."));
    return block;
  }
  const header = ["Record A", "Record B", "Weight", "Probability", "Same person", ...r.fields];
  block.append(
    table(`RESTRICTED: ${r.role} record pairs in the clerical-review band`, header,
      r.pairs.map((p) => [recordText(p.a), recordText(p.b), p.weight.toFixed(2), p.probability.toFixed(3), p.same_person ? "yes" : "no", ...r.fields.map((f) => level(f, p))]),
      { class: "review-table", "data-role": r.role }),
    downloadButton(`review_${r.role}.csv`, () => toCsv(
      ["source_type_a", "source_org_a", "record_id_a", "person_a", "source_type_b", "source_org_b", "record_id_b", "person_b", "weight", "probability", "same_person", ...r.fields.map((f) => `${f}_level`)],
      r.pairs.map((p) => [p.a.source_type, p.a.source_org, p.a.record_id, p.a.person_id, p.b.source_type, p.b.source_org, p.b.record_id, p.b.person_id, p.weight, p.probability, p.same_person, ...r.fields.map((f) => p.levels[f] ?? "")]))),
  );
  return block;
}

/**
 * The review section, or null when the bundle carries no review (every public bundle). With
 * the analyst's token (the live dashboard), each role's pairs can be decided in the page.
 */
export function reviewSection(bundle: Bundle & { review?: ReviewRole[] }, token: string | null = null) {
  if (bundle.tier !== "restricted" || !bundle.review) return null;
  const sec = section("review", "Clerical review of uncertain pairs (RESTRICTED)");
  sec.classList.add("restricted-only");
  sec.append(el("p", { class: "restricted-mark" }, "RESTRICTED: record-level detail for analysts at the hub. Not for publication."));
  if (bundle.review.length === 0) {
    sec.append(el("p", { class: "pending" }, "Not available: needs a link run (joindots link --db ...)."));
    return sec;
  }
  if (token) {
    sec.append(el("p", {}, "The record pairs the linkage model could not decide, to be decided here: each pair's identifiers side by side, with the evidence the model weighed."));
    for (const r of bundle.review) if (r.pairs_in_band > 0) sec.append(liveReview(r.role, token));
    for (const r of bundle.review) sec.append(decidedReview(r.role, token));
  } else {
    sec.append(el("p", {}, "The record pairs the linkage model could not decide. Identifier values stay in the store: the live dashboard's review (joindots serve, /restricted) shows them side by side to an analyst, whose decisions the next run applies; or joindots link --review writes them to a file, and --decisions reads it back."));
  }
  const byRole = new Map((bundle.linkage ?? []).map((l) => [l.role, l]));
  for (const r of bundle.review) sec.append(roleBlock(r, byRole.get(r.role)));
  return sec;
}
