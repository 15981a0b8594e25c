// Builds the page into dist/: one script (report.js) and one stylesheet (report.css), which
// `joindots report` inlines into a self-contained HTML file and `joindots serve` serves.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: "dist/report.js",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync("src/style.css", "dist/report.css");
