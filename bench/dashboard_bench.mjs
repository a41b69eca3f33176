#!/usr/bin/env node
// The dashboard's overview render time (issue 7: ≤ 1 s after the API answers, for 100 apps over a
// year), measured in Debian's chromium against `orchard serve` serving the built dashboard, with
// the API's answers for a 100-app portfolio supplied by the browser (web/tests/synthetic.mjs), so
// the figure is the page's own work: parsing, deriving, drawing two charts, two rankings and the
// world map.
//
// Baseline, in the same browser and run: the same five answers rendered as plainly as a page can
// — tiles and three HTML tables written with innerHTML, no charts, no map. The ratio says what the
// charts and the map cost over that floor.
//
// Usage: node bench/dashboard_bench.mjs build/release/orchard [runs=15]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { chromium } = await import(path.join(root, "web/node_modules/playwright-core/index.mjs"));
const { routeSynthetic } = await import(path.join(root, "web/tests/synthetic.mjs"));
const { CHROMIUM } = await import(path.join(root, "web/tests/harness.mjs"));

const orchard = path.resolve(process.argv[2] ?? "build/release/orchard");
const runs = Number(process.argv[3] ?? 15);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "orchard-dashboard-bench-"));
const server = spawn(orchard, ["serve", "--no-sync", "--listen", "127.0.0.1:0", "--data-dir", path.join(tmp, "data")],
  { env: { ...process.env, ORCHARD_MASTER_KEY_FILE: path.join(tmp, "master.key") }, stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = /serving on (http:\/\/[0-9.:]+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on("exit", (c) => reject(new Error("orchard serve exited " + c + ": " + out)));
});

// The baseline page: the same answers, fetched the same way, as tiles and tables.
const BASELINE = `<!doctype html><html><body><div id="app"></div><script type="module">
const end = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
const startD = new Date(Date.now() - 365 * 86400000).toISOString().slice(0, 10);
const prevEnd = new Date(Date.now() - 366 * 86400000).toISOString().slice(0, 10);
const prevStart = new Date(Date.now() - 730 * 86400000).toISOString().slice(0, 10);
const q = (s, e, g) => fetch("/api/v1/reports/sales?start_date=" + s + "&end_date=" + e + (g ? "&group_by=" + g : "")).then((r) => r.json());
const [cur, prev, byP, byC, cat] = await Promise.all([q(startD, end, "date"), q(prevStart, prevEnd, "date"), q(startD, end, "product"), q(startD, end, "country"), fetch("/api/v1/products").then((r) => r.json())]);
const apiDone = performance.now();
const names = new Map(cat.products.map((p) => [p.apple_id, p.title]));
const table = (a, label) => "<table><tr>" + a.columns.map((c) => "<th>" + c + "</th>").join("") + "</tr>" + a.rows.map((r) => "<tr>" + r.map((v, i) => "<td>" + (i === 0 && label ? label(v) : v) + "</td>").join("") + "</tr>").join("") + "</table>";
document.getElementById("app").innerHTML = ["downloads", "revenue", "updates", "returns"].map((k) => "<div>" + k + ": " + cur.totals[k] + " (" + prev.totals[k] + ")</div>").join("") + table(cur) + table(byP, (v) => names.get(String(v)) ?? v) + table(byC);
requestAnimationFrame(() => { window.__baseline = { apiDone, rendered: performance.now() }; });
</script></body></html>`;

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await routeSynthetic(page);
await page.route("**/bench-baseline", (r) => r.fulfill({ status: 200, contentType: "text/html", body: BASELINE }));

const ours = [];
const base = [];
for (let i = 0; i < runs; i++) {
  await page.goto(url + "/?range=365d");
  await page.waitForFunction(() => window.__orchardOverview?.days === 365, null, { timeout: 60_000 });
  const o = await page.evaluate(() => window.__orchardOverview);
  ours.push(o.rendered - o.apiDone);
  await page.goto(url + "/bench-baseline");
  await page.waitForFunction(() => window.__baseline, null, { timeout: 60_000 });
  const b = await page.evaluate(() => window.__baseline);
  base.push(b.rendered - b.apiDone);
}
await browser.close();
server.kill("SIGTERM");
fs.rmSync(tmp, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = median(ours);
const mb = median(base);
console.log(`overview of 100 apps × 365 days (${runs} runs, medians):`);
console.log(`  Orchard dashboard: ${m.toFixed(1)} ms from the last API answer to the page drawn (min ${Math.min(...ours).toFixed(1)}, max ${Math.max(...ours).toFixed(1)})`);
console.log(`  baseline (tiles + HTML tables, no charts or map): ${mb.toFixed(1)} ms`);
console.log(`  ratio: ${(m / mb).toFixed(2)}× the baseline; target ≤ 1000 ms: ${m <= 1000 ? "met" : "NOT met"}`);
