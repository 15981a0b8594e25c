// The page's CSV downloads (web/src/csv.ts) against the hostile corpus of
// tests/io/escape_test.cpp: no cell a spreadsheet would run as a formula, numbers left
// alone, the same rule as the C++ writer. csv.ts is bundled with the page's own esbuild.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";

const webDir = process.env.WEB_DIR;
const require = createRequire(path.join(webDir, "package.json"));
const esbuild = require("esbuild");
const built = esbuild.buildSync({
  entryPoints: [path.join(webDir, "src", "csv.ts")], bundle: true, format: "esm", write: false, platform: "neutral",
});
const { formulaSafe, toCsv } = await import("data:text/javascript;base64," + Buffer.from(built.outputFiles[0].text).toString("base64"));

const hostile = ["<!--<script>", "=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1:A2)", "-2+3", "@SUM(1)", "\tleading tab",
  "\rleading CR", "'quoted", "=1,2\n\"x\"", "-", "+", "+44 7700 900123", "plain", ""];
const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const startsAFormula = (cell) => /^[=@\t\r]/.test(cell) || (/^[+-]/.test(cell) && !number.test(cell));

test("no downloaded cell starts a formula, and the prefix is reversible", () => {
  for (const s of hostile) {
    const cell = formulaSafe(s);
    assert.ok(!startsAFormula(cell), JSON.stringify(cell));
    assert.equal(cell.startsWith("'") && cell.length >= 2 ? cell.slice(1) : cell, s);
  }
  assert.equal(formulaSafe("=1+1"), "'=1+1");
  assert.equal(formulaSafe("-2+3"), "'-2+3");
});

test("numbers, as numbers or as text, are left alone", () => {
  for (const n of [-3, -0.25, 1.5e-7, 12]) assert.equal(formulaSafe(n), String(n));
  for (const n of ["-3", "+1.5", "-2e-3", "-.5", "1."]) assert.equal(formulaSafe(n), n);
  assert.equal(toCsv(["a", "b"], [[-3, "=x"], ["@y", "-1.5"]]), "a,b\n-3,'=x\n'@y,-1.5\n");
});
