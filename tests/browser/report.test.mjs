// Browser tests of the self-contained report, in Debian's Chromium driven by playwright-core:
// it opens from disk with no network, draws without console errors, shows the bundle's
// numbers, draws all 318 districts, and downloads a table as CSV. Screenshots are kept in
// REPORT_DIR as test artefacts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";

const reportDir = process.env.REPORT_DIR;
const webDir = process.env.WEB_DIR;
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const require = createRequire(path.join(webDir, "package.json"));
const { chromium } = require("playwright-core");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
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
  assert.equal(await page.locator('svg [aria-label="geo"] path').count(), 318);
  // The table behind the map shows every district's cell as the bundle has it.
  const rows = page.locator("#map table tbody tr");
  assert.equal(await rows.count(), 318);
  const first = bundle.areas[0];
  assert.equal(await rows.nth(0).locator("td").nth(3).textContent(), formatCell(first.count));
  assert.equal(await page.locator(".tier-banner").count(), 0);
  // The four questions: every known count and estimate on screen is the bundle's.
  for (const [key, title] of [["victims", "Victims"], ["areas", "Areas affected"], ["offences", "Offences"], ["still_involved", "Still involved"]]) {
    const h = bundle.headline[key];
    assert.ok(h, `headline ${key} present`);
    const card = page.locator(`.card[data-question="${title}"]`);
    assert.equal(await card.locator('[data-value="known"]').textContent(), formatCell(h.known));
    if (h.estimate !== undefined) assert.equal(await card.locator('[data-value="estimate"]').textContent(), h.estimate.toLocaleString("en-GB"));
  }
  // Stratified estimates: a forest plot per dimension.
  assert.ok(bundle.strata.length > 0);
  assert.equal(await page.locator("#strata h3").count(), new Set(bundle.strata.map((s) => s.dimension)).size);
  await page.screenshot({ path: path.join(reportDir, "report-public.png"), fullPage: true });
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
  for (const c of cells) {
    if (c.value === null) { assert.ok(c.suppressed); continue; }
    assert.ok(c.value === 0 || c.value >= 10, `count ${c.value} published`);
    assert.equal(c.value % 5, 0, `count ${c.value} not rounded`);
  }
});

test("the live dashboard loads from joindots serve and shows the same numbers", async () => {
  const server = spawn(process.env.JOINDOTS_CLI, ["serve", "--db", path.join(reportDir, "hub.db"), "--port", "0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 15000);
      server.stderr.on("data", (d) => {
        seen += d;
        const m = seen.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      server.on("exit", (code) => reject(new Error(`server exited ${code}: ${seen}`)));
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
    const bundle = await (await fetch(url + "api/v1/bundle")).json();
    assert.equal(await page.locator("#total-area-count").textContent(), formatCell(bundle.area_counts.total));
    assert.equal(await page.locator('svg [aria-label="geo"] path').count(), 318);
    await page.screenshot({ path: path.join(reportDir, "dashboard.png") });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    server.kill("SIGTERM");
  }
});
