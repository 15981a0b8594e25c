// What the browser tests share: Debian's Chromium launched headless through playwright-core
// (from web/node_modules), and `joindots serve` started on a free port of the loopback.
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import path from "node:path";

/** Chromium as every browser test runs it: no sandbox (CI runs as root), no GPU, no network of its own. */
export async function launchChromium() {
  const require = createRequire(path.join(process.env.WEB_DIR, "package.json"));
  const { chromium } = require("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
}

/** Starts `joindots serve --db DB` on a free port; resolves with the server and its URL once it listens. */
export async function startServer(cli, db, extraArgs = []) {
  const args = ["serve", "--db", db, "--port", "0", ...extraArgs];
  const server = spawn(cli, args, { stdio: ["ignore", "ignore", "pipe"] });
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
  return { server, url };
}
