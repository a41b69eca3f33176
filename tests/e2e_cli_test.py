#!/usr/bin/env python3
"""End-to-end: `orchard sandbox` + `link` + `fx import` + `sync` + `report` as real processes.

Every expected number is computed here, independently, from the sandbox's own gzip TSV files
(fetched from its control endpoint) and its ECB-layout FX file, with Python's Decimal: the
parsing (by header name), the product-type buckets of product.md §5 and the per-day currency
conversion are re-implemented in this file, not taken from Orchard.

Usage: e2e_cli_test.py /path/to/orchard
"""
import base64
import csv
import datetime as dt
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 60
ORCHARD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "orchard"
TODAY = "2026-06-15"  # the sandbox's "today" (Pacific)
FROM, TO = "2026-05-01", "2026-05-31"

DOWNLOADS = {"1", "1F", "1T", "F1", "1E", "1EP", "1EU", "1-B", "F1-B"}
REDOWNLOADS = {"3", "3F", "3T", "F3"}
UPDATES = {"7", "7F", "7T", "F7"}


def days(a, b):
    d = dt.date.fromisoformat(a)
    while d <= dt.date.fromisoformat(b):
        yield d.isoformat()
        d += dt.timedelta(days=1)


class Sandbox:
    def __init__(self, tmp, *options, seed="7", today=TODAY):
        """`orchard sandbox` on a free port; `options` are more of its flags; today=None follows
        the machine's Pacific date."""
        self.keys = os.path.join(tmp, "sandbox")
        args = [ORCHARD, "sandbox", "--port", "0", "--seed", seed, "--keys-dir", self.keys, *options]
        if today:
            args += ["--today", today]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.proc.kill()
            raise RuntimeError("sandbox did not print its URL: %r %s" % (self.url, self.proc.stderr.read()))
        with open(os.path.join(self.keys, "key.json")) as f:
            self.key = json.load(f)
        with open(os.path.join(self.keys, "key-developer.json")) as f:
            self.developer_key = json.load(f)

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return r.read()

    def post(self, path, body=b"{}"):
        req = urllib.request.Request(self.url + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def report_rows(self, day):
        """The sandbox's own TSV rows for a day, parsed by header name (no report → [])."""
        try:
            body = self.get("/_sandbox/salesReports?date=" + day)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise
        text = gzip.decompress(body).decode("utf-8")
        reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [h.strip() for h in next(reader)]
        rows = []
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            rows.append({h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)})
        return rows

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load_fx(path):
    """ECB layout → {currency: sorted [(date, Decimal per EUR)]}."""
    rates = {}
    with open(path) as f:
        lines = [l.rstrip("\r\n") for l in f if l.strip()]
    header = [h.strip() for h in lines[0].split(",")]
    for line in lines[1:]:
        fields = line.split(",")
        day = fields[0].strip()
        for i, cur in enumerate(header[1:], start=1):
            if not cur or i >= len(fields):
                continue
            v = fields[i].strip()
            if v in ("", "N/A"):
                continue
            rates.setdefault(cur, []).append((day, Decimal(v)))
    for v in rates.values():
        v.sort()
    return rates


def bucket(pti, units):
    """The metric a report row's units count towards (product.md §5)."""
    if units < 0:
        return "returns"
    if pti in DOWNLOADS:
        return "downloads"
    if pti in REDOWNLOADS:
        return "redownloads"
    if pti in UPDATES:
        return "updates"
    if pti.startswith("IA") or pti == "FI1":
        return "iap"
    return "other_units"


def rate(rates, cur, day):
    if cur == "EUR":
        return Decimal(1)
    best = None
    for d, r in rates[cur]:
        if d <= day:
            best = r
    assert best is not None, "no rate for %s on %s" % (cur, day)
    return best


def expected_by_country(sandbox, rates, first, last, target="USD"):
    out = {}
    for day in days(first, last):
        for r in sandbox.report_rows(day):
            g = out.setdefault(r["Country Code"], {k: Decimal(0) for k in (
                "downloads", "redownloads", "updates", "returns", "iap", "revenue", "gross_revenue")})
            units = Decimal(r["Units"])
            b = bucket(r["Product Type Identifier"], units)
            if b in g:
                g[b] += -units if b == "returns" else units
            to = rate(rates, target, day)
            proceeds = units * Decimal(r["Developer Proceeds"])
            g["revenue"] += proceeds * to / rate(rates, r["Currency of Proceeds"], day)
            gross = units * abs(Decimal(r["Customer Price"]))
            g["gross_revenue"] += gross * to / rate(rates, r["Customer Currency"], day)
    return out


class EndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="orchard-e2e-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.env = dict(os.environ, ORCHARD_MASTER_KEY_FILE=os.path.join(cls.tmp, "keys", "master.key"))
        cls.transcript = []  # every stdout/stderr, scanned for secrets at the end
        cls.sandbox = Sandbox(cls.tmp)
        cls.config = os.path.join(cls.tmp, "orchard.toml")
        with open(cls.config, "w") as f:
            f.write('[apple]\nasc_api_url = "%s"\n' % cls.sandbox.url)
        cls.rates = load_fx(os.path.join(cls.sandbox.keys, "eurofxref-hist.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_orchard(self, *args, ok=True):
        p = subprocess.run([ORCHARD, *args, "--data-dir", self.data, "--config", self.config],
                           capture_output=True, text=True, env=self.env, timeout=600)
        self.transcript.append(p.stdout + p.stderr)
        if ok:
            self.assertEqual(p.returncode, 0, "orchard %s failed:\n%s\n%s" % (args, p.stdout, p.stderr))
        return p

    def link(self, key, ok=True):
        return self.run_orchard("link", "asc-key", "--issuer-id", key["issuer_id"], "--key-id", key["key_id"],
                                "--key-file", os.path.join(self.sandbox.keys, key["key_file"]),
                                "--vendor-number", key["vendor_number"], "--name", "E2E", ok=ok)

    def report_csv(self, *args):
        out = self.run_orchard("report", "sales", "--format", "csv", *args).stdout
        return list(csv.DictReader(io.StringIO(out)))

    def test_1_a_key_without_the_sales_role_links_and_says_what_it_cannot_sync(self):
        # The Developer role reads reviews but no reports: linked, with the reason shown.
        p = self.link(self.sandbox.developer_key)
        self.assertIn("sales ✗ (the key lacks the Sales, Finance or Admin role", p.stdout)
        self.assertIn("payments ✗", p.stdout)
        account = json.loads(self.run_orchard("accounts", "list", "--format", "json").stdout)["rows"][0]
        # A sync of every account skips it (nothing to fetch); naming it is a clear refusal.
        p = self.run_orchard("sync", "--account", account["id"], "--from", FROM, "--to", FROM, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot read sales", p.stderr)
        self.run_orchard("accounts", "unlink", account["id"])

    def test_2_link_rejects_a_file_that_is_not_a_key(self):
        bogus = os.path.join(self.tmp, "AuthKey_BOGUS.p8")
        with open(bogus, "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
        key = dict(self.sandbox.key, key_file=bogus)
        p = self.link(key, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not an App Store Connect API key", p.stderr)

    def test_2b_link_rejects_a_key_apple_does_not_accept(self):
        wrong_issuer = dict(self.sandbox.key, issuer_id="00000000-0000-4000-8000-000000000000")
        p = self.link(wrong_issuer, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("rejected the key", p.stderr)
        p = self.link(dict(self.sandbox.key, key_id="not-a-kid"), ok=False)
        self.assertIn("10-character Key ID", p.stderr)
        accounts = json.loads(self.run_orchard("accounts", "list", "--format", "json").stdout)["rows"]
        self.assertEqual(accounts, [], "nothing is stored for a refused key")

    def test_3_link_sync_and_report_match_the_sandbox_files(self):
        out = self.link(self.sandbox.key).stdout
        self.assertIn("is linked", out)
        accounts = json.loads(self.run_orchard("accounts", "list", "--format", "json").stdout)["rows"]
        self.assertEqual(len(accounts), 1)
        self.assertIn(self.sandbox.key["key_id"], accounts[0]["identity"])
        self.run_orchard("fx", "import", os.path.join(self.sandbox.keys, "eurofxref-hist.csv"))
        self.run_orchard("sync", "--from", FROM, "--to", TO)

        expected = expected_by_country(self.sandbox, self.rates, FROM, TO)
        self.assertGreater(len(expected), 20, "the sandbox should sell in many storefronts")
        got = {r["country"]: r for r in self.report_csv("--start", FROM, "--end", TO, "--group-by", "country")}
        self.assertEqual(sorted(got), sorted(expected))
        for country, e in expected.items():
            for k in ("downloads", "redownloads", "updates", "returns", "iap"):
                self.assertEqual(Decimal(got[country][k]), e[k], "%s %s" % (country, k))
            for k in ("revenue", "gross_revenue"):
                # to the cent: Orchard rounds only when printing
                self.assertLessEqual(abs(Decimal(got[country][k]) - e[k]), Decimal("0.005000001"),
                                     "%s %s: %s vs %s" % (country, k, got[country][k], e[k]))
        # The grand total agrees too.
        total = self.report_csv("--start", FROM, "--end", TO)[0]
        exp_rev = sum(e["revenue"] for e in expected.values())
        self.assertLessEqual(abs(Decimal(total["revenue"]) - exp_rev), Decimal("0.005000001"))
        self.__class__.stored_total = total

        # Re-syncing part of the window never double counts.
        self.run_orchard("sync", "--from", "2026-05-10", "--to", "2026-05-20")
        self.assertEqual(self.report_csv("--start", FROM, "--end", TO)[0], total)

    def test_3b_faults_end_with_the_same_totals_as_a_clean_sync(self):
        window = ("2026-05-10", "2026-05-12")
        clean = self.report_csv("--start", window[0], "--end", window[1], "--group-by", "date")
        # A truncated body fails its day without touching what is stored; the next sync mends it.
        self.sandbox.post("/_sandbox/faults", b'{"truncate_next":1}')
        p = self.run_orchard("sync", "--from", window[0], "--to", window[1], ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("1 failed", p.stdout)
        self.assertEqual(self.report_csv("--start", window[0], "--end", window[1], "--group-by", "date"), clean)
        # Rate limiting with Retry-After and a 5xx are retried within the sync.
        self.sandbox.post("/_sandbox/faults", b'{"rate_limit_next":1,"retry_after":1,"fail_next":{"status":503,"count":1}}')
        self.run_orchard("sync", "--from", window[0], "--to", window[1])
        self.assertEqual(self.report_csv("--start", window[0], "--end", window[1], "--group-by", "date"), clean)
        statuses = [r["status"] for r in json.loads(self.sandbox.get("/_sandbox/requests"))]
        self.assertIn(429, statuses)
        self.assertIn(503, statuses)

    def test_3c_a_revised_report_replaces_the_old_one(self):
        day = "2026-05-15"
        before = self.report_csv("--start", day, "--end", day)[0]
        self.sandbox.post("/_sandbox/faults", b'{"revise_dates":["%s"]}' % day.encode())
        self.run_orchard("sync", "--from", day, "--to", day)
        after = self.report_csv("--start", day, "--end", day)[0]
        rows = self.sandbox.report_rows(day)
        sales_rows = sum(1 for r in rows if Decimal(r["Units"]) > 0)
        units = lambda t: sum(Decimal(t[k]) for k in ("downloads", "redownloads", "updates", "iap", "other_units"))
        self.assertEqual(units(after) - units(before), sales_rows)  # the revision added 1 to every sale
        self.__class__.stored_total = self.report_csv("--start", FROM, "--end", TO)[0]

    def test_4_days_not_yet_available_are_pending_not_errors(self):
        p = self.run_orchard("sync", "--from", "2026-06-14", "--to", TODAY)
        self.assertIn("1 not available yet", p.stdout)

    def test_5_a_revoked_key_flags_the_account_and_keeps_the_data(self):
        self.sandbox.post("/_sandbox/keys/%s/revoke" % self.sandbox.key["key_id"])
        p = self.run_orchard("sync", "--from", "2026-05-01", "--to", "2026-05-03", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("key rejected", p.stderr)
        accounts = json.loads(self.run_orchard("accounts", "list", "--format", "json").stdout)["rows"]
        self.assertEqual(accounts[0]["status"], "needs_attention")
        self.assertEqual(self.report_csv("--start", FROM, "--end", TO)[0], self.stored_total)

    def test_6_no_secret_reaches_disk_logs_or_output(self):
        with open(os.path.join(self.sandbox.keys, self.sandbox.key["key_file"])) as f:
            pem = f.read()
        body = "".join(l for l in pem.splitlines() if "-----" not in l)
        der = base64.b64decode(body)
        canaries = {body, body[:40], body[-40:], der.hex(), base64.urlsafe_b64encode(der).decode().rstrip("="),
                    urllib.parse.quote(body[:40], safe=""), json.dumps(pem)[1:41]}
        hits = []
        for root, _, files in os.walk(self.data):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    blob = f.read()
                for c in canaries:
                    if c.encode() in blob:
                        hits.append(name)
        for text in self.transcript:
            for c in canaries:
                if c in text:
                    hits.append("output")
        self.assertEqual(hits, [])

    def test_7_without_the_master_key_orchard_is_sealed_but_serves_data(self):
        copy = os.path.join(self.tmp, "copied-data")
        shutil.copytree(self.data, copy)
        env = dict(self.env, ORCHARD_MASTER_KEY_FILE=os.path.join(self.tmp, "elsewhere", "missing.key"))
        args = ["--data-dir", copy, "--config", self.config]
        p = subprocess.run([ORCHARD, "sync", "--from", FROM, "--to", FROM, *args],
                           capture_output=True, text=True, env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sealed", p.stderr)
        self.assertFalse(os.path.exists(env["ORCHARD_MASTER_KEY_FILE"]), "no new key over sealed secrets")
        p = subprocess.run([ORCHARD, "report", "sales", "--format", "csv", "--start", FROM, "--end", TO, *args],
                           capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(next(csv.DictReader(io.StringIO(p.stdout))), self.stored_total)

    def test_8_help_teaches_every_command(self):
        for cmd in (["link", "asc-key"], ["accounts", "list"], ["sync"], ["report", "sales"], ["fx", "import"],
                    ["sandbox"], ["demo"]):
            p = subprocess.run([ORCHARD, *cmd, "--help"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("--data-dir", p.stdout, cmd)


if __name__ == "__main__":
    unittest.main(verbosity=2)
