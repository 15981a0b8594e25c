// Clerical review in the live dashboard (restricted tier, analyst): the pairs of the review
// band side by side, each compared field of the two records with its agreement level and the
// weight that level adds, and buttons to decide match / non-match / unsure with an optional
// note. Decisions go to POST /api/v1/review/decisions with the analyst's token, which the
// page holds in memory only (never in storage); the next `joindots link --db` applies them.
// Keyboard: Tab to a pair, then m, n or u decides it (the buttons say so).
import { el } from "./dom";

interface LiveRecord {
  source_type: string;
  source_org: string;
  record_id: string;
  event_date: string;
  person_id: number;
  identifiers: Record<string, string>;
}

interface LiveDecision {
  decision_id: number;
  decision: string;
  actor: string;
  decided_at: string;
  note: string;
}

interface LivePair {
  a: LiveRecord;
  b: LiveRecord;
  weight: number;
  probability: number;
  same_person: boolean;
  levels: Record<string, string>;
  decision: LiveDecision | null;
}

interface LivePage {
  role: string;
  run_id: number;
  threshold: number;
  fields: { field: string; levels: Record<string, number | null> }[];
  pairs_in_band: number;
  decided: number;
  offset: number;
  limit: number;
  pairs: LivePair[];
}

const PAGE_SIZE = 10;
const VERDICTS: [string, string, string][] = [["match", "Match", "m"], ["non_match", "Non-match", "n"], ["unsure", "Unsure", "u"]];
const verdictLabel = (v: string) => VERDICTS.find((x) => x[0] === v)?.[1] ?? v;
const recordHead = (r: LiveRecord) => `${r.source_type} ${r.source_org} #${r.record_id} (${r.event_date})`;
const signed = (w: number | null | undefined) => (w === null || w === undefined ? "–" : `${w >= 0 ? "+" : ""}${w.toFixed(1)}`);

async function apiJson(response: Response) {
  return response.json().catch(() => ({ error: response.statusText }));
}

function sideBySide(page: LivePage, p: LivePair, caption: string) {
  const t = el("table", { class: "review-side" }, el("caption", {}, caption));
  t.append(el("thead", {}, el("tr", {}, ...["Field", `A: ${recordHead(p.a)}`, `B: ${recordHead(p.b)}`, "Agreement", "Weight"].map((h) => el("th", { scope: "col" }, h)))));
  const body = el("tbody");
  const row = (field: string, level: string, weight: string) =>
    el("tr", { "data-field": field }, el("th", { scope: "row" }, field), el("td", {}, p.a.identifiers[field] ?? "–"),
      el("td", {}, p.b.identifiers[field] ?? "–"), el("td", {}, level), el("td", {}, weight));
  for (const f of page.fields) {
    const level = p.levels[f.field] ?? "–";
    body.append(row(f.field, level, signed(f.levels[level])));
  }
  if (p.a.identifiers.other_names || p.b.identifiers.other_names) body.append(row("other_names", "(compared with given_name)", ""));
  t.append(body);
  return t;
}

function decisionText(d: LiveDecision | null) {
  return d ? `Decided: ${verdictLabel(d.decision)} (${d.actor}, ${d.decided_at})${d.note ? ` · note: ${d.note}` : ""}` : "Not decided yet.";
}

/** One role's live review: a page of pairs at a time, with progress, decisions and errors. */
export function liveReview(role: string, token: string) {
  const progress = el("p", { class: "review-progress", role: "status", "aria-live": "polite" }, "Loading the pairs…");
  const problem = el("p", { class: "error", role: "alert" });
  const list = el("div", { class: "review-pairs" });
  const prev = el("button", { type: "button", class: "review-prev" }, "Previous pairs") as HTMLButtonElement;
  const next = el("button", { type: "button", class: "review-next" }, "Next pairs") as HTMLButtonElement;
  const block = el("div", { class: "review-live", "data-role": role },
    el("h3", {}, `RESTRICTED · decide the ${role} pairs`),
    el("p", {}, "Compare the two records field by field, then decide. Your decision is saved in the hub's store under your account, audited, and applied by the next joindots link --db run (a match joins the pair, a non-match keeps it apart, unsure leaves the model's decision). Keyboard: Tab to a pair, then press m, n or u."),
    progress, problem, list, el("div", { class: "review-pager" }, prev, " ", next));
  let offset = 0;
  const showProgress = (decided: number, total: number) => {
    progress.textContent = `${decided.toLocaleString("en-GB")} of ${total.toLocaleString("en-GB")} pairs decided`;
    progress.dataset.decided = String(decided);
    progress.dataset.total = String(total);
  };

  async function save(p: LivePair, verdict: string, card: HTMLElement, note: HTMLTextAreaElement) {
    const status = card.querySelector<HTMLElement>(".review-status")!;
    status.classList.remove("error");
    status.textContent = "Saving…";
    let response: Response;
    try {
      response = await fetch("/api/v1/review/decisions", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ role, a: { source_org: p.a.source_org, record_id: p.a.record_id }, b: { source_org: p.b.source_org, record_id: p.b.record_id }, decision: verdict, note: note.value }),
        cache: "no-store",
      });
    } catch (err) {
      status.classList.add("error");
      status.textContent = `Not saved: ${String(err)}`;
      return;
    }
    const body = await apiJson(response);
    if (!response.ok) {
      status.classList.add("error");
      status.textContent = `Not saved (${response.status}): ${body.error}`;
      return;
    }
    p.decision = body.decision as LiveDecision;
    card.dataset.decision = p.decision.decision;
    card.querySelector(".review-decision")!.textContent = decisionText(p.decision);
    for (const b of card.querySelectorAll<HTMLButtonElement>("button[data-verdict]")) b.setAttribute("aria-pressed", String(b.dataset.verdict === verdict));
    status.textContent = `Saved: ${verdictLabel(verdict)}.`;
    showProgress(body.decided, body.pairs_in_band);
  }

  function pairCard(page: LivePage, p: LivePair, index: number) {
    const n = page.offset + index + 1;
    const title = `Pair ${n.toLocaleString("en-GB")} of ${page.pairs_in_band.toLocaleString("en-GB")}: probability ${p.probability.toFixed(3)}, weight ${signed(p.weight)}; the run: ${p.same_person ? "same person" : "different persons"}`;
    const note = el("textarea", { class: "review-note", maxlength: "1000", rows: "2" }) as HTMLTextAreaElement;
    const card = el("article", { class: "review-pair", tabindex: "0", "aria-label": title, "data-a": `${p.a.source_org}/${p.a.record_id}`, "data-b": `${p.b.source_org}/${p.b.record_id}`, "data-same-person": String(p.same_person), "data-below-threshold": String(p.probability < page.threshold), "data-decision": p.decision?.decision ?? "" });
    const buttons = VERDICTS.map(([verdict, label, key]) => {
      const b = el("button", { type: "button", "data-verdict": verdict, "aria-keyshortcuts": key, "aria-pressed": String(p.decision?.decision === verdict) }, `${label} (${key})`);
      b.addEventListener("click", () => void save(p, verdict, card, note));
      return b;
    });
    card.addEventListener("keydown", (event) => {
      if (event.target instanceof HTMLTextAreaElement || event.altKey || event.ctrlKey || event.metaKey) return;
      const v = VERDICTS.find((x) => x[2] === event.key.toLowerCase());
      if (!v) return;
      event.preventDefault();
      void save(p, v[0], card, note);
    });
    card.append(el("h4", {}, title), sideBySide(page, p, `RESTRICTED: pair ${n}, the two records side by side`),
      el("p", { class: "review-decision" }, decisionText(p.decision)),
      el("label", {}, "Note (optional) ", note),
      el("div", { role: "group", "aria-label": `Decision on pair ${n}` }, ...buttons),
      el("p", { class: "review-status", role: "status" }));
    return card;
  }

  async function load() {
    problem.textContent = "";
    block.dataset.loading = "true";
    const response = await fetch(`/api/v1/review?role=${encodeURIComponent(role)}&offset=${offset}&limit=${PAGE_SIZE}`, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" }).catch((err) => err as Error);
    if (response instanceof Error) {
      problem.textContent = `The pairs could not be loaded: ${String(response)}`;
      delete block.dataset.loading;
      return;
    }
    const body = await apiJson(response);
    if (!response.ok) {
      problem.textContent = `The pairs could not be loaded (${response.status}): ${body.error}`;
      delete block.dataset.loading;
      return;
    }
    const page = body as LivePage;
    showProgress(page.decided, page.pairs_in_band);
    list.replaceChildren(...page.pairs.map((p, i) => pairCard(page, p, i)));
    if (page.pairs.length === 0) list.append(el("p", { class: "pending" }, "No pair left in the band."));
    prev.disabled = offset === 0;
    next.disabled = offset + page.pairs.length >= page.pairs_in_band;
    block.dataset.loaded = "true";
    delete block.dataset.loading;
  }
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); void load(); });
  next.addEventListener("click", () => { offset += PAGE_SIZE; void load(); });
  void load();
  return block;
}

interface DecidedPair {
  a: { source_org: string; record_id: string };
  b: { source_org: string; record_id: string };
  records_stored: boolean;
  decision: LiveDecision;
}

/**
 * The pairs already decided for one role, each with its latest decision (who, when, note),
 * the most recent first, to revise a mistaken one: a decided pair leaves the next run's band,
 * so it is found here. A change is appended (the history stays); the latest wins at the next
 * `joindots link --db`.
 */
export function decidedReview(role: string, token: string) {
  const status = el("p", { class: "review-decided-count", role: "status", "aria-live": "polite" });
  const problem = el("p", { class: "error", role: "alert" });
  const list = el("div", { class: "review-decided-pairs" });
  const show = el("button", { type: "button", class: "review-decided-show" }, "Show the decided pairs") as HTMLButtonElement;
  const prev = el("button", { type: "button", class: "review-prev" }, "Previous pairs") as HTMLButtonElement;
  const next = el("button", { type: "button", class: "review-next" }, "Next pairs") as HTMLButtonElement;
  const pager = el("div", { class: "review-pager", hidden: "" }, prev, " ", next);
  const block = el("div", { class: "review-decided", "data-role": role },
    el("h3", {}, `RESTRICTED · revise the ${role} decisions`),
    el("p", {}, "A decided pair leaves the next link run's band. Here are the pairs decided so far, each with its latest decision; choose another to revise it. The earlier decisions stay in the store's history; the latest is the one the next joindots link --db applies."),
    show, status, problem, list, pager);
  let offset = 0;

  function card(p: DecidedPair) {
    const note = el("textarea", { class: "review-note", maxlength: "1000", rows: "2" }) as HTMLTextAreaElement;
    const said = el("p", { class: "review-decision" }, decisionText(p.decision));
    const saved = el("p", { class: "review-status", role: "status" });
    const title = `A: ${p.a.source_org} #${p.a.record_id} · B: ${p.b.source_org} #${p.b.record_id}${p.records_stored ? "" : " (a record is no longer stored)"}`;
    const c = el("article", { class: "review-decided-pair", "aria-label": title, "data-a": `${p.a.source_org}/${p.a.record_id}`, "data-b": `${p.b.source_org}/${p.b.record_id}`, "data-decision": p.decision.decision });
    const buttons = VERDICTS.map(([verdict, label]) => {
      const b = el("button", { type: "button", "data-verdict": verdict, "aria-pressed": String(p.decision.decision === verdict) }, label) as HTMLButtonElement;
      b.addEventListener("click", async () => {
        saved.classList.remove("error");
        saved.textContent = "Saving…";
        const response = await fetch("/api/v1/review/decisions", {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ role, a: p.a, b: p.b, decision: verdict, note: note.value }),
          cache: "no-store",
        }).catch((err) => err as Error);
        const body = response instanceof Error ? { error: String(response) } : await apiJson(response);
        if (response instanceof Error || !response.ok) {
          saved.classList.add("error");
          saved.textContent = `Not saved${response instanceof Error ? "" : ` (${response.status})`}: ${body.error}`;
          return;
        }
        p.decision = body.decision as LiveDecision;
        c.dataset.decision = p.decision.decision;
        said.textContent = decisionText(p.decision);
        for (const x of c.querySelectorAll<HTMLButtonElement>("button[data-verdict]")) x.setAttribute("aria-pressed", String(x.dataset.verdict === verdict));
        saved.textContent = `Revised: ${verdictLabel(verdict)}.`;
      });
      return b;
    });
    c.append(el("h4", {}, title), said, el("label", {}, "Note (optional) ", note),
      el("div", { role: "group", "aria-label": `Revise the decision on ${title}` }, ...buttons), saved);
    return c;
  }

  async function load() {
    problem.textContent = "";
    block.dataset.loading = "true";
    const response = await fetch(`/api/v1/review/decided?role=${encodeURIComponent(role)}&offset=${offset}&limit=${PAGE_SIZE}`, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" }).catch((err) => err as Error);
    const body = response instanceof Error ? { error: String(response) } : await apiJson(response);
    if (response instanceof Error || !response.ok) {
      problem.textContent = `The decided pairs could not be loaded${response instanceof Error ? "" : ` (${response.status})`}: ${body.error}`;
      delete block.dataset.loading;
      return;
    }
    const total = body.decided_pairs as number;
    status.textContent = `${total.toLocaleString("en-GB")} pairs decided`;
    status.dataset.total = String(total);
    const pairs = body.pairs as DecidedPair[];
    list.replaceChildren(...pairs.map(card));
    if (pairs.length === 0) list.append(el("p", { class: "pending" }, "No pair decided yet."));
    pager.hidden = total <= PAGE_SIZE;
    prev.disabled = offset === 0;
    next.disabled = offset + pairs.length >= total;
    show.textContent = "Reload the decided pairs";
    block.dataset.loaded = "true";
    delete block.dataset.loading;
  }
  show.addEventListener("click", () => void load());
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); void load(); });
  next.addEventListener("click", () => { offset += PAGE_SIZE; void load(); });
  return block;
}
