#!/usr/bin/env python3
"""End-to-end: GET /api/v1/reports/sales of a real `orchard serve`, and `orchard report sales`,
against data synced from `orchard sandbox` — as real processes.

For every granularity (daily, weekly, monthly, yearly) and every group_by combination of up to
three of date, product, country, device, the HTTP answer is checked against sums this file
computes itself with Python's Decimal from the sandbox's own TSV files and FX file (the buckets
of product.md §5, the Monday weeks, the per-day conversion with the rate on or before each day):
  * all storefronts in USD: every units metric exactly, revenue, gross revenue and returns
    amount to the cent (converted: within half a cent of the exact sum), totals likewise;
  * one storefront in its own proceeds currency: revenue and returns amount exact to the cent
    (no conversion), gross revenue too where the storefront's customers pay in that currency;
  * `orchard report sales --format json` prints the same document as the API.
Nothing expected comes from running Orchard's code. Then the cache: a repeated query is a hit,
and a sync in another process changes the answer.

Usage: e2e_reports_test.py /path/to/orchard
"""
import csv
import datetime as dt
import gzip
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, ROUND_HALF_UP, getcontext

getcontext().prec = 60
ORCHARD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "orchard"
TODAY = "2026-01-20"
# Wednesday to Tuesday, across a month and a year: weeks, months and years are all cut.
FROM, TO = "2025-12-24", "2026-01-06"
STOREFRONTS = "12"

DOWNLOADS = {"1", "1F", "1T", "F1", "1E", "1EP", "1EU", "1-B", "F1-B"}
REDOWNLOADS = {"3", "3F", "3T", "F3"}
UPDATES = {"7", "7F", "7T", "F7"}
UNIT_METRICS = ("downloads", "redownloads", "updates", "returns", "iap", "other_units")
AMOUNT_METRICS = ("revenue", "gross_revenue", "returns_amount")
KEYS = ("date", "product", "country", "device")
GRANULARITIES = ("daily", "weekly", "monthly", "yearly")
CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005000001")


def days(a, b):
    d = dt.date.fromisoformat(a)
    while d <= dt.date.fromisoformat(b):
        yield d.isoformat()
        d += dt.timedelta(days=1)


def period(day, granularity):
    d = dt.date.fromisoformat(day)
    if granularity == "weekly":
        d -= dt.timedelta(days=d.weekday())  # Monday
    elif granularity == "monthly":
        d = d.replace(day=1)
    elif granularity == "yearly":
        d = d.replace(month=1, day=1)
    return d.isoformat()


def load_fx(path):
    rates = {}
    with open(path) as f:
        lines = [l.rstrip("\r\n") for l in f if l.strip()]
    header = [h.strip() for h in lines[0].split(",")]
    for line in lines[1:]:
        fields = line.split(",")
        for i, cur in enumerate(header[1:], start=1):
            if cur and i < len(fields) and fields[i].strip() not in ("", "N/A"):
                rates.setdefault(cur, []).append((fields[0].strip(), Decimal(fields[i].strip())))
    for v in rates.values():
        v.sort()
    return rates


_RATE_MEMO = {}


def rate(rates, cur, day):
    """The reference rate of the latest day on or before `day` (units per 1 EUR)."""
    if cur == "EUR":
        return Decimal(1)
    if (cur, day) not in _RATE_MEMO:
        best = None
        for d, r in rates[cur]:
            if d <= day:
                best = r
        assert best is not None, "no rate for %s on %s" % (cur, day)
        _RATE_MEMO[(cur, day)] = best
    return _RATE_MEMO[(cur, day)]


def convert(rates, amount, cur, target, day):
    if cur == target:
        return amount
    return amount * rate(rates, target, day) / rate(rates, cur, day)


def expected(rows, rates, keys, granularity, target):
    """{key tuple: metrics} from the sandbox's rows, by product.md §5."""
    out = {}
    for r in rows:
        values = {"date": period(r["Begin Date"], granularity), "product": r["Apple Identifier"],
                  "country": r["Country Code"], "device": r["Device"]}
        g = out.setdefault(tuple(values[k] for k in keys), {m: Decimal(0) for m in UNIT_METRICS + AMOUNT_METRICS})
        units = Decimal(r["Units"])
        pti = r["Product Type Identifier"]
        if units < 0:
            g["returns"] += -units
        elif pti in DOWNLOADS:
            g["downloads"] += units
        elif pti in REDOWNLOADS:
            g["redownloads"] += units
        elif pti in UPDATES:
            g["updates"] += units
        elif pti.startswith("IA") or pti == "FI1":
            g["iap"] += units
        else:
            g["other_units"] += units
        day = r["Begin Date"]
        proceeds = units * Decimal(r["Developer Proceeds"])
        g["revenue"] += convert(rates, proceeds, r["Currency of Proceeds"], target, day)
        g["gross_revenue"] += convert(rates, units * abs(Decimal(r["Customer Price"])),
                                      r["Customer Currency"], target, day)
        if units < 0:
            g["returns_amount"] += convert(rates, -proceeds, r["Currency of Proceeds"], target, day)
    return out


def iso(us_date):
    m, d, y = us_date.split("/")
    return "%s-%s-%s" % (y, m, d)


class Sandbox:
    def __init__(self, tmp):
        self.keys = os.path.join(tmp, "sandbox")
        self.proc = subprocess.Popen(
            [ORCHARD, "sandbox", "--port", "0", "--seed", "9", "--today", TODAY, "--storefronts", STOREFRONTS,
             "--keys-dir", self.keys], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.proc.kill()
            raise RuntimeError("sandbox did not start: %r %s" % (self.url, self.proc.stderr.read()))
        with open(os.path.join(self.keys, "key.json")) as f:
            self.key = json.load(f)

    def report_rows(self, day):
        try:
            with urllib.request.urlopen(self.url + "/_sandbox/salesReports?date=" + day, timeout=60) as r:
                body = r.read()
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise
        reader = csv.reader(io.StringIO(gzip.decompress(body).decode("utf-8")), delimiter="\t",
                            quoting=csv.QUOTE_NONE)
        header = [h.strip() for h in next(reader)]
        rows = []
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                row = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
                row["Begin Date"] = iso(row["Begin Date"])
                rows.append(row)
        return rows

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


def decimal_json(text):
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


class ReportsE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="orchard-e2e-reports-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.env = dict(os.environ, ORCHARD_MASTER_KEY_FILE=os.path.join(cls.tmp, "keys", "master.key"))
        cls.server = None
        cls.sandbox = Sandbox(cls.tmp)
        cls.config = os.path.join(cls.tmp, "orchard.toml")
        with open(cls.config, "w") as f:
            f.write('[apple]\nasc_api_url = "%s"\n' % cls.sandbox.url)
        cls.rates = load_fx(os.path.join(cls.sandbox.keys, "eurofxref-hist.csv"))
        key = cls.sandbox.key
        cls.run_orchard("link", "asc-key", "--issuer-id", key["issuer_id"], "--key-id", key["key_id"],
                        "--key-file", os.path.join(cls.sandbox.keys, key["key_file"]),
                        "--vendor-number", key["vendor_number"], "--name", "E2E")
        cls.run_orchard("fx", "import", os.path.join(cls.sandbox.keys, "eurofxref-hist.csv"))
        cls.run_orchard("sync", "--from", FROM, "--to", TO, "--quiet")
        cls.run_orchard("user", "add", "viewer@reports.example", "--role", "viewer",
                        stdin="viewer-pass-2026\n")
        cls.token = cls.run_orchard("token", "create", "--user", "viewer@reports.example",
                                    "--name", "e2e").stdout.strip()
        assert cls.token.startswith("orc_"), cls.token
        cls.server = subprocess.Popen(
            [ORCHARD, "serve", "--listen", "127.0.0.1:0", "--no-sync", "--data-dir", cls.data, "--config", cls.config],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cls.env)
        line = cls.server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not match:
            cls.server.kill()
            raise RuntimeError("orchard serve did not start: %r %s" % (line, cls.server.stderr.read()))
        cls.url = match.group(0)
        cls.rows = [r for day in days(FROM, TO) for r in cls.sandbox.report_rows(day)]
        assert len(cls.rows) > 100, "the sandbox should sell every day"

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.terminate()
            cls.server.communicate(timeout=30)
        cls.sandbox.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def run_orchard(cls, *args, stdin=None, ok=True):
        p = subprocess.run([ORCHARD, *args, "--data-dir", cls.data, "--config", cls.config], input=stdin,
                           capture_output=True, text=True, env=cls.env, timeout=600)
        if ok and p.returncode != 0:
            raise AssertionError("orchard %s failed:\n%s\n%s" % (args, p.stdout, p.stderr))
        return p

    def get(self, path, token=True, headers=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(self.url + path, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read().decode("utf-8"), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8"), e.headers

    def report(self, **params):
        status, body, headers = self.get("/api/v1/reports/sales?" + urllib.parse.urlencode(params))
        self.assertEqual(status, 200, "%s: %s" % (params, body))
        return body, headers

    def check(self, doc, exp, keys, what, exact_amounts, exact_gross):
        cols = doc["columns"]
        key_cols = [c for k in keys for c in ((k, "product_name") if k == "product" else (k,))]
        self.assertEqual(cols[:len(key_cols)], key_cols, what)
        self.assertEqual(cols[len(key_cols):], list(UNIT_METRICS[:5]) + ["revenue", "gross_revenue",
                                                                         "other_units", "returns_amount"], what)
        got = {}
        for row in doc["rows"]:
            cells = dict(zip(cols, row))
            got[tuple(cells[k] for k in keys)] = cells
        self.assertEqual(sorted(got), sorted(exp), what)
        totals = {m: Decimal(0) for m in UNIT_METRICS + AMOUNT_METRICS}
        for key, e in exp.items():
            g = got[key]
            for m in UNIT_METRICS:
                self.assertEqual(g[m], e[m], "%s %s %s" % (what, key, m))
            for m in AMOUNT_METRICS:
                exact = exact_amounts and (m != "gross_revenue" or exact_gross)
                if exact:
                    self.assertEqual(g[m], e[m].quantize(CENT, rounding=ROUND_HALF_UP),
                                     "%s %s %s: %s vs %s" % (what, key, m, g[m], e[m]))
                else:
                    self.assertLessEqual(abs(g[m] - e[m]), HALF_CENT, "%s %s %s: %s vs %s" % (what, key, m, g[m], e[m]))
            for m in totals:
                totals[m] += e[m]
        for m in UNIT_METRICS:
            self.assertEqual(doc["totals"][m], totals[m], "%s total %s" % (what, m))
        for m in AMOUNT_METRICS:
            self.assertLessEqual(abs(doc["totals"][m] - totals[m]), HALF_CENT, "%s total %s" % (what, m))

    def combinations(self):
        for n in range(0, 4):
            for keys in itertools.combinations(KEYS, n):
                yield keys

    def test_1_every_granularity_and_grouping_matches_the_sandbox_in_usd(self):
        checked = 0
        for granularity in GRANULARITIES:
            for keys in self.combinations():
                params = {"start_date": FROM, "end_date": TO, "granularity": granularity, "currency": "USD"}
                if keys:
                    params["group_by"] = ",".join(keys)
                body, _ = self.report(**params)
                doc = decimal_json(body)
                self.assertEqual(doc["query"]["group_by"], list(keys))
                self.assertEqual(doc["query"]["granularity"], granularity)
                what = "%s by %s" % (granularity, ",".join(keys) or "nothing")
                self.check(doc, expected(self.rows, self.rates, keys, granularity, "USD"), keys, what,
                           exact_amounts=False, exact_gross=False)
                if "product" in keys:  # product_name is the title Apple reports
                    titles = {r["Apple Identifier"]: r["Title"] for r in self.rows}
                    cols = doc["columns"]
                    for row in doc["rows"]:
                        cells = dict(zip(cols, row))
                        self.assertEqual(cells["product_name"], titles[cells["product"]], what)
                checked += 1
        self.assertEqual(checked, 4 * 15)

    def test_2_one_storefront_in_its_own_currency_is_exact_to_the_cent(self):
        # The biggest storefront that is paid in something other than US dollars.
        by_country = {}
        for r in self.rows:
            by_country.setdefault(r["Country Code"], []).append(r)
        candidates = [(len(rows), c) for c, rows in by_country.items()
                      if len({r["Currency of Proceeds"] for r in rows}) == 1
                      and rows[0]["Currency of Proceeds"] != "USD"]
        self.assertTrue(candidates, "the sandbox should sell outside the US")
        country = max(candidates)[1]
        rows = by_country[country]
        currency = rows[0]["Currency of Proceeds"]
        same_customer_currency = all(r["Customer Currency"] == currency for r in rows)
        for granularity in GRANULARITIES:
            for keys in self.combinations():
                params = {"start_date": FROM, "end_date": TO, "granularity": granularity,
                          "countries": country.lower(), "currency": currency.lower()}
                if keys:
                    params["group_by"] = ",".join(keys)
                doc = decimal_json(self.report(**params)[0])
                self.assertEqual(doc["query"]["countries"], [country])
                self.assertEqual(doc["query"]["currency"], currency)
                what = "%s %s in %s by %s" % (country, granularity, currency, ",".join(keys) or "nothing")
                exp = expected(rows, self.rates, keys, granularity, currency)
                self.check(doc, exp, keys, what, exact_amounts=True, exact_gross=same_customer_currency)
                # Totals of one currency are exact sums too.
                self.assertEqual(doc["totals"]["revenue"],
                                 sum((e["revenue"] for e in exp.values()), Decimal(0)).quantize(CENT, ROUND_HALF_UP))

    def test_3_products_filter_and_other_currencies(self):
        products = sorted({r["Apple Identifier"] for r in self.rows})
        chosen = products[:2]
        rows = [r for r in self.rows if r["Apple Identifier"] in chosen]
        for currency in ("EUR", "JPY"):
            doc = decimal_json(self.report(start_date=FROM, end_date=TO, products=",".join(reversed(chosen)),
                                           group_by="product", currency=currency)[0])
            self.assertEqual(doc["query"]["products"], chosen)
            self.check(doc, expected(rows, self.rates, ("product",), "daily", currency), ("product",),
                       "products in " + currency, exact_amounts=False, exact_gross=False)

    def test_4_the_cli_prints_the_same_document_as_the_api(self):
        for granularity in GRANULARITIES:
            for keys in self.combinations():
                params = {"start_date": FROM, "end_date": TO, "granularity": granularity}
                args = ["report", "sales", "--format", "json", "--start", FROM, "--end", TO,
                        "--granularity", granularity]
                if keys:
                    params["group_by"] = ",".join(keys)
                    args += ["--group-by", ",".join(keys)]
                http = self.report(**params)[0]
                cli = self.run_orchard(*args).stdout
                # Both in USD: the viewer's preference and the config's default are USD.
                self.assertEqual(json.loads(cli), json.loads(http), "%s by %s" % (granularity, keys))
                self.assertEqual(cli, http, "byte for byte")
        # The aliases of the dates, and CSV through both.
        http_csv = self.report(start_date=FROM, end_date=TO, group_by="country", format="csv")[0]
        cli_csv = self.run_orchard("report", "sales", "--start-date", FROM, "--to", TO, "--group-by", "country",
                                   "--format", "csv").stdout
        self.assertEqual(cli_csv, http_csv)

    def test_5_csv_shape(self):
        status, body, headers = self.get("/api/v1/reports/sales?" + urllib.parse.urlencode(
            {"start_date": FROM, "end_date": TO, "group_by": "date,country", "granularity": "monthly",
             "format": "csv"}))
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(headers["Content-Disposition"],
                         'attachment; filename="sales-%s-to-%s.csv"' % (FROM, TO))
        table = list(csv.reader(io.StringIO(body)))
        self.assertEqual(table[0][:3], ["date", "country", "downloads"])
        exp = expected(self.rows, self.rates, ("date", "country"), "monthly", "USD")
        self.assertEqual(len(table) - 1, len(exp))
        self.assertEqual({r[0] for r in table[1:]}, {"2025-12-01", "2026-01-01"})
        for r in table[1:]:
            self.assertEqual(Decimal(r[2]), exp[(r[0], r[1])]["downloads"])

    def test_6_errors_and_auth(self):
        status, body, headers = self.get("/api/v1/reports/sales", token=False)
        self.assertEqual(status, 401, body)
        status, body, _ = self.get("/api/v1/reports/sales?granularity=hourly")
        self.assertEqual(status, 400)
        self.assertIn("granularity", json.loads(body)["error"]["message"])
        status, body, _ = self.get("/api/v1/reports/sales?currency=XYZ&start_date=%s&end_date=%s" % (FROM, TO))
        self.assertEqual(status, 422, body)
        self.assertIn("XYZ", json.loads(body)["error"]["message"])
        p = self.run_orchard("report", "sales", "--start", "someday", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--start", p.stderr)
        p = subprocess.run([ORCHARD, "report", "sales", "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for words in ("-7d", "--group-by", "date,product,country,device", "Examples", "--start-date"):
            self.assertIn(words, p.stdout)

    def test_7_products_health_metrics_openapi(self):
        status, body, _ = self.get("/api/v1/products")
        self.assertEqual(status, 200)
        listed = {p["apple_id"]: p for p in json.loads(body)["products"]}
        self.assertEqual(set(listed), {r["Apple Identifier"] for r in self.rows})
        for r in self.rows:
            p = listed[r["Apple Identifier"]]
            self.assertEqual(p["title"], r["Title"])
            self.assertEqual(p["kind"], "in_app" if r["Parent Identifier"].strip() else "app", p)
        status, body, _ = self.get("/healthz", token=False)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")
        status, body, headers = self.get("/metrics", token=False)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        self.assertIn('orchard_http_requests_total{method="GET",route="/api/v1/reports/sales",status="200"}', body)
        status, body, _ = self.get("/api/v1/openapi.json", token=False)
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["openapi"], "3.0.3")
        self.assertIn("/api/v1/reports/sales", doc["paths"])

    def test_8_the_cache_answers_again_until_a_sync_in_another_process(self):
        query = "/api/v1/reports/sales?group_by=country"  # all time
        _, first, h1 = self.get(query)
        _, again, h2 = self.get(query)
        self.assertEqual(h2["X-Orchard-Cache"], "hit")
        self.assertEqual(again, first)
        # One more day synced by the CLI while the server runs.
        extra = "2026-01-07"
        self.run_orchard("sync", "--from", extra, "--to", extra, "--quiet")
        _, after, h3 = self.get(query)
        self.assertEqual(h3["X-Orchard-Cache"], "miss")
        new_rows = self.sandbox.report_rows(extra)
        self.assertTrue(new_rows)
        added = sum(Decimal(r["Units"]) for r in new_rows if Decimal(r["Units"]) > 0
                    and r["Product Type Identifier"] in DOWNLOADS)
        before_dl = decimal_json(first)["totals"]["downloads"]
        self.assertEqual(decimal_json(after)["totals"]["downloads"], before_dl + added)


if __name__ == "__main__":
    unittest.main(verbosity=2)
