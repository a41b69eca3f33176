// The browser tests' world: `orchard demo` (a sandbox, its API key linked, 30 days of sales,
// reviews and ratings synced, `orchard serve` with a demo Owner) on loopback, extra users made
// with the CLI, and Debian's chromium driven by playwright-core.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.ORCHARD_CHROMIUM ?? "/usr/bin/chromium";

export class World {
  constructor(orchard) {
    this.orchard = path.resolve(orchard);
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "orchard-browser-"));
    this.env = { ...process.env, ORCHARD_MASTER_KEY_FILE: path.join(this.tmp, "keys", "master.key") };
    this.sandboxDir = path.join(this.tmp, "sb");
    this.dataDir = path.join(this.tmp, "data");
  }

  // Starts the demo and resolves once it serves; the sandbox's and the server's URLs are read
  // from what it prints.
  async start(days = 30) {
    // The demo's data is what the tests compare against: the served scheduler's year-long
    // backfill and late-day refetches would only add load while they run.
    const config = path.join(this.tmp, "orchard.toml");
    fs.writeFileSync(config, "[sync]\nbackfill_new_accounts = false\ndaily_hour = 23\n");
    this.demo = spawn(this.orchard, ["demo", "--days", String(days), "--seed", "5", "--listen", "127.0.0.1:0",
      "--sandbox-dir", this.sandboxDir, "--data-dir", this.dataDir, "--config", config],
    { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    this.demo.stderr.on("data", (d) => (err += d));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("orchard demo did not serve within 15 min:\n" + out + err)), 900_000);
      this.demo.stdout.on("data", (d) => {
        out += d;
        const s = /Started the simulated App Store Connect on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        const o = /Orchard is serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (s && o) {
          clearTimeout(timer);
          this.sandboxUrl = s[1];
          this.url = o[1];
          resolve();
        }
      });
      this.demo.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`orchard demo exited (${code}):\n${out}${err}`));
      });
    });
    this.demoOutput = out;
    this.ownerEmail = "demo@orchard.local";
    this.ownerPassword = fs.readFileSync(path.join(this.sandboxDir, "demo-login.txt"), "utf8").trim();
  }

  // `orchard …` on the demo's data dir (stdin: a new user's password).
  cli(args, input = "") {
    const r = spawnSync(this.orchard, [...args, "--data-dir", this.dataDir], { env: this.env, input, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`orchard ${args.join(" ")}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  }
  addUser(email, role, password, team = "default") {
    this.cli(["user", "add", email, "--role", role, "--team", team], password + "\n");
  }

  sandboxFile(name) {
    return path.join(this.sandboxDir, name);
  }
  sandboxJson(name) {
    return JSON.parse(fs.readFileSync(this.sandboxFile(name), "utf8"));
  }

  async sandboxGet(p) {
    const r = await fetch(this.sandboxUrl + p);
    if (!r.ok) throw new Error(`sandbox ${p}: ${r.status}`);
    return r.json();
  }

  async browser() {
    this.chromium = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    });
    return this.chromium;
  }

  async stop() {
    await this.chromium?.close().catch(() => {});
    if (this.demo && this.demo.exitCode === null) {
      this.demo.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          this.demo.kill("SIGKILL");
          r();
        }, 30_000);
        this.demo.on("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

let axeSource;

// Runs axe-core's WCAG 2 A and AA rules on the page; the violations, in words.
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (default-src 'self') rightly refuses
  // an injected <script>, and the test must not loosen it.
  if (!(await page.evaluate(() => "axe" in window))) {
    axeSource ??= fs.readFileSync(new URL("../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
  });
  return result;
}
