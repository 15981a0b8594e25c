// Browser tests of the self-contained report, in Debian's Chromium driven by playwright-core:
// it opens from disk with no network, draws without console errors, shows the bundle's
// numbers, draws all 318 districts, and downloads a table as CSV. Screenshots are kept in
// REPORT_DIR as test artefacts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, chmodSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { launchChromium, startServer as serve } from "./harness.mjs";

const reportDir = process.env.REPORT_DIR;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser && (await browser.close()));

function formatCell(cell) {
  if (cell.value !== null) return cell.value.toLocaleString("en-GB");
  return cell.suppressed === "primary" ? "fewer than 10" : "suppressed";
}

async function openReport(file) {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  // No network: any request that is not the file itself fails the test.
  page.on("request", (r) => { if (!r.url().startsWith("file://") && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) problems.push(`network request: ${r.url()}`); });
  await page.goto("file://" + path.join(reportDir, file));
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  return { page, problems };
}

test("the public report loads, shows the bundle's numbers and draws 318 districts", async () => {
  const { page, problems } = await openReport("report-public.html");
  const bundle = JSON.parse(await page.locator("#joindots-bundle").textContent());
  assert.equal(bundle.tier, "public");
  assert.equal(await page.locator("#total-area-count").textContent(), formatCell(bundle.area_counts.total));
  assert.equal(await page.locator('#map svg [aria-label="geo"] path').count(), 318);
  // The table behind the map shows every district's cell as the bundle has it.
  const rows = page.locator("#map table tbody tr");
  assert.equal(await rows.count(), 318);
  const first = bundle.areas[0];
  assert.equal(await rows.nth(0).locator("td").nth(3).textContent(), formatCell(first.count));
  assert.equal(await page.locator(".tier-banner").count(), 0);
  // Offender networks: the counts on screen are the bundle's, a link drawn per district pair
  // of every described network, and nothing about a network below 10 persons.
  const nets = bundle.networks;
  assert.ok(nets, "networks in the bundle");
  const netCount = (v) => (v === null ? "fewer than 10" : v.toLocaleString("en-GB"));
  assert.equal(await page.locator("#networks-total").textContent(), netCount(nets.networks));
  assert.equal(await page.locator("#networks-cross-force").textContent(), netCount(nets.cross_force_networks));
  const expectedLinks = nets.large_networks.reduce((s, n) => s + Math.max(0, n.lads.length - 1), 0);
  assert.equal(await page.locator('#networks svg [aria-label="link"] path, #networks svg [aria-label="link"] line').count(), expectedLinks);
  assert.ok(!JSON.stringify(nets).includes("person_id"));
  // The four questions: every known count and estimate on screen is the bundle's.
  for (const [key, title] of [["victims", "Victims"], ["areas", "Areas affected"], ["offences", "Offences"], ["still_involved", "Still involved"]]) {
    const h = bundle.headline[key];
    assert.ok(h, `headline ${key} present`);
    const card = page.locator(`.card[data-question="${title}"]`);
    assert.equal(await card.locator('[data-value="known"]').textContent(), formatCell(h.known));
    if (h.estimate !== undefined) assert.equal(await card.locator('[data-value="estimate"]').textContent(), h.estimate.toLocaleString("en-GB"));
    assert.equal(await card.locator(".caution").count(), (h.cautions ?? []).length, `${key}: one caution line each`);
  }
  {
    const floor = page.locator('.card[data-question="Offences"] .caution');
    assert.match(await floor.first().textContent(), /A floor, not the tally/);
  }
  // Stratified estimates: a forest plot per dimension.
  assert.ok(bundle.strata.length > 0);
  assert.equal(await page.locator("#strata h3").count(), new Set(bundle.strata.map((s) => s.dimension)).size);
  await page.screenshot({ path: path.join(reportDir, "report-public.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the overlap of lists, the models compared and the linkage diagnostics show the bundle's figures", async () => {
  const { page, problems } = await openReport("report-public.html");
  const bundle = JSON.parse(await page.locator("#joindots-bundle").textContent());
  // UpSet chart: one bar per published pattern, each bar's count the bundle's.
  const published = bundle.overlap.patterns.filter((p) => p.count.value !== null);
  assert.ok(published.length > 3);
  const bars = page.locator('#overlap svg g.pattern-counts rect');
  assert.equal(await bars.count(), published.length);
  const barCounts = (await bars.locator("title").allTextContents()).map((t) => Number(t.split(": ")[1].replace(/,/g, ""))).sort((a, b) => b - a);
  assert.deepEqual(barCounts, published.map((p) => p.count.value).sort((a, b) => b - a));
  // The bars are drawn largest first; the dot matrix has a dot per pattern and list.
  const heights = await bars.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("height"))));
  assert.deepEqual(heights, [...heights].sort((a, b) => b - a));
  assert.equal(await page.locator('#overlap svg g.membership circle').count(), bundle.overlap.patterns.length * bundle.overlap.lists.length);
  assert.equal(await page.locator("#overlap-table tbody tr").count(), bundle.overlap.patterns.length);
  assert.equal(await page.locator("#overlap-total").textContent(), formatCell(bundle.overlap.total));
  // Methods side by side: one row per method, with the bundle's estimate and interval.
  const rows = page.locator("#methods-table tbody tr");
  assert.equal(await rows.count(), bundle.models.methods.length);
  for (let i = 0; i < bundle.models.methods.length; i++) {
    const m = bundle.models.methods[i];
    assert.equal(await rows.nth(i).locator("th").textContent(), m.label || m.method);
    assert.equal(await rows.nth(i).locator("td").nth(0).textContent(), m.estimate.toLocaleString("en-GB"));
    assert.equal(await rows.nth(i).locator("td").nth(1).textContent(), `${m.interval[0].toLocaleString("en-GB")}–${m.interval[1].toLocaleString("en-GB")}`);
  }
  assert.equal(await page.locator('#models svg g.method-estimates > *').count(), bundle.models.methods.length);
  // Linkage: a weight bar per level with a weight, a table row per level, a blocking row per rule.
  // One block per linked role (victims, suspects, associates), each with its own chart and table.
  const l = bundle.linkage[0];
  const levels = bundle.linkage.flatMap((run) => run.fields.flatMap((f) => f.levels));
  assert.equal(await page.locator('#linkage svg g.match-weights rect').count(), levels.filter((v) => v.weight !== null).length);
  assert.equal(await page.locator("#linkage table.mu-table tbody tr").count(), levels.length);
  assert.ok(l.estimated_precision > 0.5 && l.estimated_precision <= 1);
  assert.match(await page.locator("#linkage").textContent(), new RegExp(`${(100 * l.estimated_precision).toFixed(1)}%`));
  // The regional map: one path per region, the table one row per region stratum.
  const regionGeo = JSON.parse(await page.locator("#joindots-geo-regions").textContent());
  assert.equal(regionGeo.features.length, 10);
  assert.equal(await page.locator('#regions svg g[aria-label="geo"] path').count(), 10);
  assert.equal(await page.locator("#regions-table tbody tr").count(), bundle.strata.filter((s) => s.dimension === "region").length);
  await page.locator("#overlap").screenshot({ path: path.join(reportDir, "report-overlap.png") });
  await page.locator("#models").screenshot({ path: path.join(reportDir, "report-models.png") });
  await page.locator("#linkage").screenshot({ path: path.join(reportDir, "report-linkage.png") });
  await page.locator("#regions").screenshot({ path: path.join(reportDir, "report-regions.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the victims' card says its cautions; the threshold curve and the linkage share are shown", async () => {
  const { page, problems } = await openReport("report-public.html");
  const bundle = JSON.parse(await page.locator("#joindots-bundle").textContent());
  const cautions = bundle.headline.victims.cautions;
  assert.ok(Array.isArray(cautions), "the bundle carries the victims' cautions (possibly none)");
  const shown = await page.locator('[data-question="Victims"] .caution').allTextContents();
  assert.deepEqual(shown, cautions.map((c) => `Caution: ${c}`));
  const lu = bundle.linkage_uncertainty;
  assert.ok(lu && lu.draws > 0, "estimate --db draws linkages by default");
  assert.ok(lu.linkage_share_of_width >= 0 && lu.linkage_share_of_width < 1);
  assert.match(await page.locator("#linkage-share").textContent(), new RegExp(`${lu.draws} plausible linkages`));
  // The correction for matches the linkage left apart (on by default), said with its source and rate or why not.
  assert.ok(lu.unseen_links && lu.unseen_links.mode === "on", "estimate --db corrects for unseen links by default");
  const unseen = await page.locator("#unseen-links").textContent();
  const appliedText = lu.unseen_links.source === "latent_class"
    ? /implies that [0-9.]+% of the matches there are in two different persons/
    : /likely matches in a random sample of record pairs \([0-9.]+%\) never compared/;
  assert.match(unseen, lu.unseen_links.applied ? appliedText : /not corrected for/);
  assert.ok(!/persons taken for parts/.test(unseen), "no person counts in the public tier");
  assert.equal(await page.locator("#threshold-table tbody tr").count(), lu.threshold_curve.length);
  assert.ok(lu.threshold_curve.every((p) => p.persons === undefined), "no person counts per threshold in the public tier");
  assert.deepEqual(problems, []);
});

test("every chart is an image with a text alternative and a table behind it; controls work by keyboard", async () => {
  const { page, problems } = await openReport("report-public.html");
  const charts = await page.locator("svg[role=img], div[role=img]").evaluateAll((cs) => cs.map((c) => ({
    label: c.getAttribute("aria-label") || "",
    // The section holding the chart also holds a table with its figures.
    tables: c.closest("section").querySelectorAll("table").length,
  })));
  assert.ok(charts.length >= 8, `${charts.length} charts`);
  for (const c of charts) {
    assert.ok(c.label.length > 40, `chart without a text alternative: ${c.label}`);
    assert.ok(c.tables > 0, `chart without a table: ${c.label}`);
  }
  // Every svg drawn is a chart or inside one (a legend in a figure with the role).
  const bare = await page.locator("section svg").evaluateAll((ss) => ss.filter((s) => !s.closest("[role=img]")).length);
  assert.equal(bare, 0);
  // Tab moves through links, buttons and summaries only; Enter on a summary opens its table.
  const seen = new Set();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    seen.add(await page.evaluate(() => document.activeElement.tagName));
  }
  seen.delete("BODY");  // before the first control
  for (const tag of seen) assert.ok(["A", "BUTTON", "SUMMARY"].includes(tag), `focus on ${tag}`);
  assert.ok(seen.has("SUMMARY") && seen.has("BUTTON"));
  await page.locator("#overlap summary").first().focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#overlap details").first().getAttribute("open"), "");
  assert.deepEqual(problems, []);
  await page.close();
});

test("printing opens every table and the restricted banner is on every page", async () => {
  const { page, problems } = await openReport("report-restricted.html");
  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  assert.equal(await page.locator("details:not([open])").count(), 0);
  assert.equal(await page.locator(".tier-banner").evaluate((b) => getComputedStyle(b).position), "fixed");
  assert.equal(await page.locator("button.download").first().evaluate((b) => getComputedStyle(b).display), "none");
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  assert.ok((await page.locator("details:not([open])").count()) > 0);
  // The PDF itself (Chromium fires beforeprint and afterprint around it), kept as an artefact.
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.ok(pdf.length > 50000, `${pdf.length} bytes`);
  writeFileSync(path.join(reportDir, "report-restricted.pdf"), pdf);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a table downloads as CSV with every district", async () => {
  const { page, problems } = await openReport("report-public.html");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download areas.csv" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "areas.csv");
  const csv = readFileSync(await download.path(), "utf8").trim().split("\n");
  assert.equal(csv[0], "lad_cd,name,region,police_force_area,children_0_17,victims,per_10000_children");
  assert.equal(csv.length, 319);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the restricted report says so and shows exact counts", async () => {
  const { page, problems } = await openReport("report-restricted.html");
  const bundle = JSON.parse(await page.locator("#joindots-bundle").textContent());
  assert.equal(bundle.tier, "restricted");
  assert.match(await page.locator(".tier-banner").textContent(), /RESTRICTED/);
  assert.match(await page.title(), /RESTRICTED/);
  assert.equal(await page.locator("#total-area-count").textContent(), bundle.area_counts.total.value.toLocaleString("en-GB"));
  await page.screenshot({ path: path.join(reportDir, "report-restricted.png"), fullPage: false });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the public bundle holds no count from 1 to 9 and no unrounded count", () => {
  const bundle = JSON.parse(readFileSync(path.join(reportDir, "bundle-public.json"), "utf8"));
  const cells = [];
  const walk = (v) => {
    if (v && typeof v === "object") {
      if ("value" in v && (v.value === null || typeof v.value === "number")) cells.push(v);
      for (const x of Object.values(v)) walk(x);
    }
  };
  walk(bundle);
  assert.ok(cells.length > 318);
  // The new tables are in the walk: overlap patterns and list totals, linkage counts.
  const inWalk = new Set(cells);
  for (const p of bundle.overlap.patterns) assert.ok(inWalk.has(p.count));
  for (const t of bundle.overlap.list_totals) assert.ok(inWalk.has(t.count));
  for (const l of bundle.linkage) for (const k of ["records", "persons", "candidate_pairs", "linked_pairs"]) assert.ok(inWalk.has(l[k]));
  assert.ok(bundle.overlap.patterns.some((p) => p.count.value === null), "small overlap patterns are suppressed");
  // No record-level detail: no blocking keys, no largest cluster.
  const text = JSON.stringify(bundle);
  assert.ok(!text.includes("largest_blocks") && !text.includes("largest_cluster"));
  for (const c of cells) {
    if (c.value === null) { assert.ok(c.suppressed); continue; }
    assert.ok(c.value === 0 || c.value >= 10, `count ${c.value} published`);
    assert.equal(c.value % 5, 0, `count ${c.value} not rounded`);
  }
});

/** Starts `joindots serve` on the reports' store; resolves with the server and its URL. */
const startServer = (extraArgs = []) => serve(process.env.JOINDOTS_CLI, path.join(reportDir, "hub.db"), extraArgs);

test("the live dashboard loads from joindots serve and shows the same numbers", async () => {
  const { server, url } = await startServer();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
    const bundle = await (await fetch(url + "api/v1/bundle")).json();
    assert.equal(await page.locator("#total-area-count").textContent(), formatCell(bundle.area_counts.total));
    assert.equal(await page.locator('#map svg [aria-label="geo"] path').count(), 318);
    assert.equal(await page.locator('#regions svg [aria-label="geo"] path').count(), 10);
    assert.equal(await page.locator('#overlap svg g.pattern-counts rect').count(), bundle.overlap.patterns.filter((p) => p.count.value !== null).length);
    await page.screenshot({ path: path.join(reportDir, "dashboard.png") });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    server.kill("SIGTERM");
  }
});

test("the restricted report shows the clerical-review table, marked restricted; the public one does not", async () => {
  const restricted = await openReport("report-restricted.html");
  const bundle = JSON.parse(await restricted.page.locator("#joindots-bundle").textContent());
  assert.ok(bundle.review && bundle.review.length > 0, "review in the restricted bundle");
  const withPairs = bundle.review.filter((r) => r.pairs.length > 0);
  assert.ok(withPairs.length > 0, "some pairs in the review band");
  const tables = restricted.page.locator("#review table.review-table");
  assert.equal(await tables.count(), withPairs.length);
  for (const r of withPairs) {
    const table = restricted.page.locator(`#review table.review-table[data-role="${r.role}"]`);
    const rows = table.locator("tbody tr");
    assert.equal(await rows.count(), r.pairs.length);
    const first = r.pairs[0];
    assert.equal(await rows.nth(0).locator("th").textContent(), `${first.a.source_type} ${first.a.source_org} #${first.a.record_id}`);
    assert.equal(await rows.nth(0).locator("td").nth(0).textContent(), `${first.b.source_type} ${first.b.source_org} #${first.b.record_id}`);
    assert.equal(await rows.nth(0).locator("td").nth(1).textContent(), first.weight.toFixed(2));
    // One column per compared field, each with the pair's agreement level.
    const headers = await table.locator("thead th").allTextContents();
    assert.deepEqual(headers.slice(5), r.fields);
    for (const [i, f] of r.fields.entries())
      assert.ok((await rows.nth(0).locator("td").nth(4 + i).textContent()).startsWith(first.levels[f]), `level of ${f}`);
    for (const p of r.pairs) assert.ok(p.probability >= r.band[0] && p.probability < r.band[1]);
  }
  assert.match(await restricted.page.locator("#review h2").textContent(), /RESTRICTED/);
  assert.match(await restricted.page.locator("#review table caption").first().textContent(), /^RESTRICTED/);
  assert.equal(await restricted.page.locator('nav.contents a[href="#review"]').count(), 1);
  // Printed, the banner repeats on every page (fixed) and the review section is in the PDF.
  await restricted.page.emulateMedia({ media: "print" });
  assert.equal(await restricted.page.locator(".tier-banner").evaluate((b) => getComputedStyle(b).position), "fixed");
  await restricted.page.locator("#review").screenshot({ path: path.join(reportDir, "report-review.png") });
  assert.deepEqual(restricted.problems, []);
  await restricted.page.close();

  const pub = await openReport("report-public.html");
  assert.equal(await pub.page.locator("#review").count(), 0);
  assert.equal(await pub.page.locator("table.review-table").count(), 0);
  assert.equal(await pub.page.locator('nav.contents a[href="#review"]').count(), 0);
  const text = await pub.page.locator("#joindots-bundle").textContent();
  for (const key of ["record_id", "person_id", "\"review\"", "same_person"]) assert.ok(!text.includes(key), `${key} in the public bundle`);
  // No record id of the review pairs appears anywhere in the public report.
  const html = readFileSync(path.join(reportDir, "report-public.html"), "utf8");
  for (const r of withPairs) for (const p of r.pairs.slice(0, 50)) assert.ok(!html.includes(`"${p.a.record_id}"`), `record ${p.a.record_id} in the public report`);
  assert.deepEqual(pub.problems, []);
  await pub.page.close();
});

test("the restricted dashboard needs the token: refused without it, shown with it", async () => {
  const token = randomBytes(32).toString("hex");
  const tokenFile = path.join(reportDir, "restricted-token");
  writeFileSync(tokenFile, token + "\n", { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
  const { server, url } = await startServer(["--restricted-token-file", tokenFile]);
  try {
    // The API: no header 401, a wrong token 401, the right one the restricted bundle.
    const none = await fetch(url + "api/v1/bundle?tier=restricted");
    assert.equal(none.status, 401);
    assert.ok((await none.json()).error);
    const flipped = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    const wrong = await fetch(url + "api/v1/bundle?tier=restricted", { headers: { Authorization: `Bearer ${flipped}` } });
    assert.equal(wrong.status, 401);
    assert.ok(!("areas" in (await wrong.json())));
    const pub = await fetch(url + "api/v1/bundle");
    assert.equal((await pub.json()).tier, "public");
    // The page: a wrong token is refused on screen; the right one renders the restricted tier.
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => m.type() === "error" && !m.text().includes("401") && problems.push(m.text()));
    await page.goto(url + "restricted");
    await page.fill("#token", "not-the-token");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[role=alert]:has-text('Refused (401)')");
    assert.equal(await page.locator("#joindots-bundle, #review").count(), 0);
    await page.fill("#token", token);
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
    assert.match(await page.locator(".tier-banner").first().textContent(), /RESTRICTED/);
    assert.match(await page.title(), /RESTRICTED/);
    assert.ok((await page.locator("#review table.review-table").count()) > 0);
    assert.equal(await page.locator('#map svg [aria-label="geo"] path').count(), 318);
    await page.screenshot({ path: path.join(reportDir, "dashboard-restricted.png") });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    server.kill("SIGTERM");
  }
});

test("flagged (sparse) strata: grey on the regional map with their reason, listed beside the police force area forest plot", async () => {
  const { page, problems } = await openReport("report-public.html");
  const bundle = JSON.parse(await page.locator("#joindots-bundle").textContent());
  const notDrawn = (s) => s.estimate === undefined || !s.interval;
  // The regional map: every region a path; flagged ones grey, titled with the reason.
  const regions = bundle.strata.filter((s) => s.dimension === "region");
  const flaggedRegions = regions.filter((s) => s.flag);
  assert.ok(flaggedRegions.length >= 1, "the fixture has sparse regions (make_reports.sh: --min-observed 100)");
  assert.ok(regions.some((s) => !notDrawn(s)), "and estimated ones");
  const paths = await page.locator('#regions svg g[aria-label="geo"] path').evaluateAll((ps) =>
    ps.map((p) => ({ fill: p.getAttribute("fill"), title: p.querySelector("title")?.textContent ?? "" })));
  assert.equal(paths.length, 10);
  for (const r of regions) {
    const drawn = paths.filter((p) => p.title.startsWith(`${r.value}:`));
    assert.equal(drawn.length, 1, `one path for ${r.value}`);
    if (notDrawn(r)) {
      assert.equal(drawn[0].fill, "#d0d0d0", `${r.value} is grey`);
      assert.ok(drawn[0].title.includes(r.flag || "withheld"), `${r.value}: the reason in its title (${drawn[0].title})`);
    } else {
      assert.notEqual(drawn[0].fill, "#d0d0d0", `${r.value} is coloured`);
      // ... and never in a grey that could read as "not estimated" (cividis's mid-range was one).
      const rgb = drawn[0].fill.startsWith("#")
        ? [1, 3, 5].map((i) => parseInt(drawn[0].fill.slice(i, i + 2), 16))
        : drawn[0].fill.match(/\d+/g).slice(0, 3).map(Number);
      assert.ok(Math.max(...rgb) - Math.min(...rgb) > 40, `${r.value}: its colour ${drawn[0].fill} is not a grey`);
      assert.ok(drawn[0].title.includes(r.estimate.toLocaleString("en-GB")), `${r.value}: the estimate in its title`);
    }
  }
  // Its table: a flagged region has no estimate and gives the reason.
  const regionRows = page.locator("#regions-table tbody tr");
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i];
    const row = regionRows.nth(i);
    assert.equal(await row.locator("th").textContent(), r.value);
    if (r.flag) {
      assert.equal(await row.locator("td").nth(1).textContent(), "–");
      assert.equal(await row.locator("td").nth(3).textContent(), r.flag);
    }
  }
  await page.locator("#regions").screenshot({ path: path.join(reportDir, "report-regions-flagged.png") });

  // The police force areas' forest plot: a row (interval and estimate) per estimated area,
  // in order; every other area listed under it with its reason; all of them in the table.
  const pfa = bundle.strata.filter((s) => s.dimension === "pfa");
  const drawn = pfa.filter((s) => !notDrawn(s));
  const flagged = pfa.filter(notDrawn);
  assert.ok(pfa.length >= 40, `${pfa.length} police force area strata`);
  assert.ok(drawn.length >= 1 && flagged.length >= 1);
  const plot = page.locator("#strata-pfa + svg");
  assert.equal(await plot.getAttribute("role"), "img");
  assert.deepEqual(await plot.locator('g[aria-label="y-axis tick label"] text').allTextContents(), drawn.map((s) => s.value));
  assert.equal(await plot.locator('g[aria-label="rule"] line').count(), drawn.length);
  assert.equal(await plot.locator('g[aria-label="dot"] circle').count(), drawn.length);
  const rowHeight = drawn.length > 20 ? 17 : 26;
  assert.equal(Number(await plot.getAttribute("height")), 50 + rowHeight * Math.max(drawn.length, 1));
  const listed = await page.locator("#strata-pfa + svg + p.meta").textContent();
  assert.ok(listed.startsWith(`Not drawn (${flagged.length}):`), listed.slice(0, 60));
  for (const s of flagged) assert.ok(listed.includes(s.flag ? `${s.value} (${s.flag})` : s.value), `${s.value} listed`);
  const table = page.locator('#strata table:has(caption:text("Victims by police force area"))');
  const rows = table.locator("tbody tr");
  assert.equal(await rows.count(), pfa.length);
  let modelBased = 0;
  for (let i = 0; i < pfa.length; i++) {
    const mb = pfa[i].model_based;
    const cell = await rows.nth(i).locator("td").nth(4).textContent();
    if (mb && mb.estimate !== undefined) {
      // Labelled model-based, with what it rests on (the region's ratio, else the nation's).
      ++modelBased;
      assert.ok(cell.startsWith(mb.estimate.toLocaleString("en-GB")), cell);
      assert.ok(cell.includes(`model-based from the ${mb.parent} ratio`), cell);
    } else {
      assert.equal(cell, "");
    }
    if (!notDrawn(pfa[i])) continue;
    assert.equal(await rows.nth(i).locator("td").nth(1).textContent(), "–");
    assert.equal(await rows.nth(i).locator("td").nth(3).textContent(), pfa[i].flag);
  }
  // Sparse force areas whose known count is published carry one.
  assert.ok(modelBased >= 1, "model-based figures for sparse police force areas");
  assert.equal(modelBased, pfa.filter((s) => s.model_based).length);
  await plot.screenshot({ path: path.join(reportDir, "report-forest-pfa.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a forest plot of every police force area tightens its rows and keeps each label legible", async () => {
  // The fixture estimates few police force areas (most are too sparse); this page is the
  // fixture's public report with every area given an estimate, to draw the 40-odd rows.
  const html = readFileSync(path.join(reportDir, "report-public.html"), "utf8");
  const open = '<script id="joindots-bundle" type="application/json">';
  const start = html.indexOf(open) + open.length;
  const end = html.indexOf("</script>", start);
  const bundle = JSON.parse(html.slice(start, end).replace(/<\\\//g, "</"));
  for (const s of bundle.strata) {
    if (s.dimension !== "pfa") continue;
    const known = s.known.value ?? 5;
    Object.assign(s, { estimate: Math.round(known * 1.6) + 10, interval: [known + 5, Math.round(known * 2.5) + 20], flag: "" });
  }
  const file = "report-pfa-all-estimated.html";
  writeFileSync(path.join(reportDir, file), html.slice(0, start) + JSON.stringify(bundle).replace(/<\//g, "<\\/") + html.slice(end));
  const { page, problems } = await openReport(file);
  const pfa = bundle.strata.filter((s) => s.dimension === "pfa");
  assert.ok(pfa.length > 20);
  const plot = page.locator("#strata-pfa + svg");
  const labels = plot.locator('g[aria-label="y-axis tick label"] text');
  assert.equal(await labels.count(), pfa.length);
  assert.equal(Number(await plot.getAttribute("height")), 50 + 17 * pfa.length);
  assert.equal(await page.locator("#strata-pfa + svg + p.meta").count(), 0);  // none left undrawn
  // No two labels overlap, and each sits on its own row.
  const boxes = await labels.evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
  boxes.sort((a, b) => a.top - b.top);
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i].top >= boxes[i - 1].bottom - 0.5, `labels ${i - 1} and ${i} overlap`);
  await plot.screenshot({ path: path.join(reportDir, "report-forest-pfa-all.png") });
  assert.deepEqual(problems, []);
  await page.close();
});
