// Clerical review in the browser (issue 17, item 5), in Debian's Chromium driven by
// playwright-core: an analyst opens the restricted dashboard with an account's token, decides
// two pairs of the review band (one by a button with a note, one by the keyboard), sees the
// progress, and the decisions are in the store; the next `joindots link --db` honours them
// (the pair the run had joined is split, the pair it had kept apart is joined). The token is
// kept in memory only. Then, after that run, one decision is revised among the decided pairs
// and the run after follows the new one. A small simulated country of its own in REVIEW_DIR (the other browser
// tests' store is left as it is).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { launchChromium, startServer as serve } from "./harness.mjs";

const workDir = process.env.REVIEW_DIR;
const cli = process.env.JOINDOTS_CLI;
const db = path.join(workDir, "hub.db");

const joindots = (...args) => execFileSync(cli, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const sql = (query) => execFileSync("sqlite3", ["-separator", "|", db, query], { encoding: "utf8" }).trim().split("\n").filter((l) => l).map((l) => l.split("|"));

let browser;
let token;
before(async () => {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  joindots("simulate", "--quiet", "--seed", "7", "--scale", "0.3", "--out", path.join(workDir, "country"));
  joindots("ingest", "--quiet", "--db", db, path.join(workDir, "country", "agencies"));
  joindots("link", "--quiet", "--db", db, "--role", "victim");
  token = joindots("accounts", "add", "--db", db, "--org", "HUB", "--role", "analyst").trim();
  browser = await launchChromium();
});
after(async () => browser && (await browser.close()));

const startServer = () => serve(cli, db);

const key = (text) => text.split("/");  // "ORG/ID" -> [org, id]
const sameKeyPair = (row, a, b) => {
  const [oa, ia, ob, ib] = row;
  return (oa === a[0] && ia === a[1] && ob === b[0] && ib === b[1]) || (oa === b[0] && ia === b[1] && ob === a[0] && ib === a[1]);
};

function personsInLatestRun() {
  const out = new Map();
  for (const [org, id, person] of sql("SELECT r.source_org, r.record_id, m.person_id FROM link_person_records m JOIN records r USING (record_pk) WHERE m.run_id = (SELECT max(run_id) FROM runs WHERE stage = 'link' AND status = 'done') AND r.role = 'victim'"))
    out.set(`${org}/${id}`, person);
  return out;
}

test("an analyst decides two pairs in the page; they are stored and the next link run honours them", async () => {
  const { server, url } = await startServer();
  let joined, apart;
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  try {
    await page.goto(url + "restricted");
    await page.fill("#token", token);
    await page.keyboard.press("Enter");
    await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
    const live = page.locator('.review-live[data-role="victim"]');
    await page.waitForSelector('.review-live[data-role="victim"][data-loaded="true"]', { timeout: 20000 });
    const progress = live.locator(".review-progress");
    const total = Number(await progress.getAttribute("data-total"));
    assert.ok(total >= 3, `pairs in the band: ${total}`);
    assert.equal(await progress.getAttribute("data-decided"), "0");
    assert.equal(await progress.textContent(), `0 of ${total.toLocaleString("en-GB")} pairs decided`);

    // Side by side: a row per compared field, each with the two values, a level and a weight.
    const cards = live.locator("article.review-pair");
    assert.ok((await cards.count()) >= 2);
    const firstRows = cards.nth(0).locator("table.review-side tbody tr");
    assert.ok((await firstRows.count()) >= 4);
    const given = cards.nth(0).locator('tr[data-field="given_name"] td');
    assert.equal(await given.count(), 4);
    assert.match(await given.nth(3).textContent(), /^[+-]\d+\.\d$|^–$/);

    // The most probable pair the run joined, decided a non-match by the button, with a note.
    const joinedCard = live.locator('article.review-pair[data-same-person="true"]').first();
    assert.equal(await joinedCard.count(), 1, "a joined pair on the first page");
    joined = [await joinedCard.getAttribute("data-a"), await joinedCard.getAttribute("data-b")];
    await joinedCard.locator("textarea").fill("dates of birth two years apart");
    await joinedCard.locator('button[data-verdict="non_match"]').click();
    const joinedDone = page.locator(`article.review-pair[data-a="${joined[0]}"][data-b="${joined[1]}"][data-decision="non_match"]`);
    await joinedDone.waitFor();
    assert.equal(await progress.getAttribute("data-decided"), "1");
    assert.match(await joinedDone.locator(".review-decision").textContent(), /Non-match .*dates of birth two years apart/);
    assert.equal(await joinedDone.locator('button[data-verdict="non_match"]').getAttribute("aria-pressed"), "true");

    // The most probable pair below the threshold that the run kept apart (above it, a guard
    // kept the pair apart, which a match does not lift): paged to, decided a match by the
    // keyboard alone.
    const below = 'article.review-pair[data-same-person="false"][data-below-threshold="true"]';
    for (let i = 0; i < 20 && (await live.locator(below).count()) === 0; i++) {
      await live.locator(".review-next").click();
      await page.waitForFunction(() => !document.querySelector(".review-live[data-loading]"));
    }
    const apartCard = live.locator(below).first();
    assert.equal(await apartCard.count(), 1, "a pair kept apart below the threshold");
    apart = [await apartCard.getAttribute("data-a"), await apartCard.getAttribute("data-b")];
    await apartCard.focus();
    await page.keyboard.press("m");
    await page.waitForSelector(`article.review-pair[data-a="${apart[0]}"][data-b="${apart[1]}"][data-decision="match"]`);
    assert.equal(await progress.getAttribute("data-decided"), "2");
    assert.equal(await progress.textContent(), `2 of ${total.toLocaleString("en-GB")} pairs decided`);

    // The token: in no storage, no cookie, nowhere in the document.
    assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
    assert.equal(await page.evaluate(() => document.cookie), "");
    assert.ok(!(await page.content()).includes(token));
    await page.locator("#review").screenshot({ path: path.join(workDir, "review-live.png") });
  } finally {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
  }

  // An error is shown, not swallowed: with the server gone, a decision is not saved.
  const other = page.locator('.review-live[data-role="victim"] article.review-pair').nth(2);
  await other.locator('button[data-verdict="unsure"]').click();
  await page.waitForSelector(".review-status.error");
  assert.match(await other.locator(".review-status").textContent(), /^Not saved/);
  assert.deepEqual(problems, []);
  await page.close();

  // In the store: two decisions by the analyst's account, the note kept.
  const rows = sql("SELECT org_a, record_id_a, org_b, record_id_b, decision, account_id, note FROM review_decisions ORDER BY decision_id");
  assert.equal(rows.length, 2);
  assert.ok(sameKeyPair(rows[0], key(joined[0]), key(joined[1])));
  assert.equal(rows[0][4], "non_match");
  assert.equal(rows[0][5], "1");
  assert.equal(rows[0][6], "dates of birth two years apart");
  assert.ok(sameKeyPair(rows[1], key(apart[0]), key(apart[1])));
  assert.equal(rows[1][4], "match");

  // The next link run honours them: the joined pair split, the pair kept apart joined.
  const before = personsInLatestRun();
  assert.equal(before.get(joined[0]), before.get(joined[1]));
  assert.notEqual(before.get(apart[0]), before.get(apart[1]));
  const out = joindots("link", "--quiet", "--db", db, "--role", "victim");
  assert.match(out, /clerical decisions: 2 applied \(2 stored, 0 from --decisions\); 0 stored no longer match/);
  const after = personsInLatestRun();
  assert.notEqual(after.get(joined[0]), after.get(joined[1]));
  assert.equal(after.get(apart[0]), after.get(apart[1]));

  // A mistaken decision revised in the page: the pair decided a non-match has left the band
  // (decided pairs do), so the analyst finds it among the decided pairs, with who decided it
  // and when, and makes it a match; the history keeps both and the next run follows the new one.
  const { server: server2, url: url2 } = await startServer();
  const page2 = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page2.on("pageerror", (e) => problems.push(String(e)));
  try {
    await page2.goto(url2 + "restricted");
    await page2.fill("#token", token);
    await page2.keyboard.press("Enter");
    await page2.waitForSelector("body[data-ready=true]", { timeout: 30000 });
    await page2.waitForSelector('.review-live[data-role="victim"][data-loaded="true"]', { timeout: 20000 });
    const inBand = await page2.locator('.review-live[data-role="victim"] article.review-pair').evaluateAll((cards) => cards.map((c) => [c.dataset.a, c.dataset.b].sort().join(" ")));
    assert.ok(!inBand.includes([...joined].sort().join(" ")), "the decided pair left the band");
    const decided = page2.locator('.review-decided[data-role="victim"]');
    await decided.locator(".review-decided-show").click();
    await page2.waitForSelector('.review-decided[data-role="victim"][data-loaded="true"]', { timeout: 20000 });
    assert.equal(await decided.locator(".review-decided-count").getAttribute("data-total"), "2");
    const keys = await decided.locator("article.review-decided-pair").evaluateAll((cards) => cards.map((c) => [c.dataset.a, c.dataset.b].sort().join(" ")));
    const index = keys.indexOf([...joined].sort().join(" "));
    assert.ok(index >= 0, `the revised pair among the decided: ${keys}`);
    const card = decided.locator("article.review-decided-pair").nth(index);
    assert.equal(await card.getAttribute("data-decision"), "non_match");
    assert.match(await card.locator(".review-decision").textContent(), /Non-match \(account:1, .*\) · note: dates of birth two years apart/);
    await card.locator("textarea").fill("same person: the date of birth was mistyped");
    await card.locator('button[data-verdict="match"]').click();
    await page2.waitForSelector(`.review-decided article.review-decided-pair[data-decision="match"] >> text=mistyped`);
    assert.equal(await card.getAttribute("data-decision"), "match");
    assert.equal(await card.locator('button[data-verdict="match"]').getAttribute("aria-pressed"), "true");
    assert.ok(!(await page2.content()).includes(token));
  } finally {
    server2.kill("SIGTERM");
    await new Promise((resolve) => server2.once("exit", resolve));
  }
  await page2.close();
  assert.deepEqual(problems, []);
  const history = sql("SELECT org_a, record_id_a, org_b, record_id_b, decision, note FROM review_decisions ORDER BY decision_id");
  assert.equal(history.length, 3);
  assert.ok(sameKeyPair(history[2], key(joined[0]), key(joined[1])));
  assert.deepEqual(history[2].slice(4), ["match", "same person: the date of birth was mistyped"]);
  assert.equal(history[0][4], "non_match");  // the earlier decision kept
  const out2 = joindots("link", "--quiet", "--db", db, "--role", "victim");
  assert.match(out2, /clerical decisions: 2 applied \(2 stored, 0 from --decisions\); 0 stored no longer match/);
  const revised = personsInLatestRun();
  assert.equal(revised.get(joined[0]), revised.get(joined[1]));
  assert.equal(revised.get(apart[0]), revised.get(apart[1]));
});
