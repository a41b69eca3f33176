#!/usr/bin/env python3
"""End-to-end: syncing Sales completely and politely (issue 5; security.md REL-1, REL-3, REL-4).

Real processes against `orchard sandbox`: a backfill of every frequency, the scheduler of
`orchard serve`, Apple misbehaving on purpose (429 bursts, 5xx, a cut gzip body, a dropped
connection, a late report, a revised report, a revoked key), a rolling-hour request limit, and
`kill -9` at random moments. Every expected figure is summed here, independently, from the
sandbox's own gzip TSV reports (daily, monthly and yearly, fetched from its control endpoint)
with Python's Decimal; the REL-1 rules are checked against the sandbox's request log.

Usage: e2e_sync_test.py /path/to/orchard
Environment: ORCHARD_KILL_ITERATIONS (default 20; 200 for the long run of REL-3).
"""
import csv
import datetime as dt
import gzip
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from decimal import Decimal
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_cli_test as base  # noqa: E402  (takes the orchard path from argv)

ORCHARD = base.ORCHARD
TODAY = "2026-06-15"  # the sandbox's today (Pacific)
KILLS = int(os.environ.get("ORCHARD_KILL_ITERATIONS", "20"))
METRICS = ("downloads", "redownloads", "updates", "returns", "iap", "other_units")


bucket = base.bucket


class Sandbox(base.Sandbox):
    """The e2e sandbox with this file's own options (history, storefronts, rate limit)."""

    def __init__(self, tmp, *extra, today=TODAY, history_days=700):
        super().__init__(tmp, "--storefronts", "12", "--history-days", str(history_days), *extra,
                         seed="11", today=today)

    def rows(self, date, frequency="DAILY"):
        try:
            body = self.get("/_sandbox/salesReports?date=%s&frequency=%s" % (date, frequency))
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return []
            raise
        reader = csv.reader(io.StringIO(gzip.decompress(body).decode()), delimiter="\t",
                            quoting=csv.QUOTE_NONE)
        header = [h.strip() for h in next(reader)]
        return [{h: (f[i].strip() if i < len(f) else "") for i, h in enumerate(header)}
                for f in reader if f and any(x.strip() for x in f)]

    def requests(self):
        return json.loads(self.get("/_sandbox/requests"))


def sums(rows, country=None):
    """Units by bucket and US-dollar proceeds (no FX: filtered to one USD storefront)."""
    out = {k: Decimal(0) for k in METRICS + ("revenue",)}
    for r in rows:
        if country and r["Country Code"] != country:
            continue
        units = Decimal(r["Units"])
        b = bucket(r["Product Type Identifier"], units)
        out[b] += -units if b == "returns" else units
        out["revenue"] += units * Decimal(r["Developer Proceeds"])
    return out


def add(a, b, sign=1):
    return {k: a[k] + sign * b[k] for k in a}


class Orchard:
    """One data dir and the config pointing at the sandbox."""

    def __init__(self, tmp, name, sandbox, extra_config="", fx_url=""):
        self.data = os.path.join(tmp, name)
        self.config = os.path.join(tmp, name + ".toml")
        with open(self.config, "w") as f:
            f.write('[apple]\nasc_api_url = "%s"\n[fx]\nurl = "%s"\n%s' % (sandbox.url, fx_url, extra_config))
        self.env = dict(os.environ, ORCHARD_MASTER_KEY_FILE=os.path.join(tmp, name + "-keys", "master.key"))
        self.sandbox = sandbox

    def args(self, *args):
        return [ORCHARD, *args, "--data-dir", self.data, "--config", self.config]

    def run(self, *args, ok=True, timeout=900):
        p = subprocess.run(self.args(*args), capture_output=True, text=True, env=self.env, timeout=timeout)
        if ok and p.returncode != 0:
            raise AssertionError("orchard %s failed (%d):\n%s\n%s" % (args, p.returncode, p.stdout, p.stderr))
        return p

    def link(self, fx=True):
        k = self.sandbox.key
        self.run("link", "asc-key", "--issuer-id", k["issuer_id"], "--key-id", k["key_id"],
                 "--key-file", os.path.join(self.sandbox.keys, k["key_file"]),
                 "--vendor-number", k["vendor_number"], "--name", "Sync")
        if fx:
            self.run("fx", "import", os.path.join(self.sandbox.keys, "eurofxref-hist.csv"))

    def report(self, *args):
        out = self.run("report", "sales", "--format", "csv", *args).stdout
        return list(csv.DictReader(io.StringIO(out)))

    def db(self):
        return sqlite3.connect(os.path.join(self.data, "orchard.db"))


def as_decimals(row):
    return {k: Decimal(row[k]) for k in METRICS + ("revenue",)}


def pending_reports(orchard):
    """Reports Apple (the sandbox) has not published yet: their jobs wait, nothing is stored."""
    with orchard.db() as db:
        return {(f, dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + d).isoformat())
                for f, d in db.execute("SELECT frequency, report_date FROM sync_jobs WHERE state = 'queued' "
                                       "AND message LIKE 'not available yet%'")}


def may_be_unpublished(today):
    """What Apple may not have published yet on `today`: yesterday's daily report (out by the
    morning), last month's monthly report (~5 days after the month), last year's yearly one."""
    last_month = (dt.date(today.year, today.month, 1) - dt.timedelta(days=1)).replace(day=1)
    out = {("DAILY", (today - dt.timedelta(days=1)).isoformat())}
    if today.day <= 7:
        out.add(("MONTHLY", last_month.isoformat()))
    if today.month == 1 and today.day <= 8:
        out.add(("YEARLY", "%d-01-01" % (today.year - 1)))
    return out


class SyncEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="orchard-e2e-sync-")
        cls.sandbox = Sandbox(cls.tmp)
        cls.clean = Orchard(cls.tmp, "clean", cls.sandbox)
        cls.clean.link()

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def assertSame(self, got, want, what):
        for k in want:
            self.assertEqual(Decimal(got[k]).quantize(Decimal("0.01")), want[k].quantize(Decimal("0.01")),
                             "%s: %s" % (what, k))

    def check_integrity(self, orchard):
        with orchard.db() as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            dupes = db.execute("SELECT account_id, frequency, report_date, COUNT(*) FROM sales_reports "
                               "GROUP BY account_id, frequency, report_date HAVING COUNT(*) > 1").fetchall()
            self.assertEqual(dupes, [], "one stored version per report")
            # The checkpoint is never ahead of the data: every loaded report is there, whole.
            ahead = db.execute(
                "SELECT c.report, c.report_date, c.rows, r.row_count FROM report_checkpoints c "
                "LEFT JOIN sales_reports r ON r.account_id = c.account_id AND "
                "'SALES/SUMMARY/' || r.frequency = c.report AND r.report_date = c.report_date "
                "WHERE c.report LIKE 'SALES/SUMMARY/%' AND c.state = 'loaded' AND "
                "(r.row_count IS NULL OR r.row_count <> c.rows)").fetchall()
            self.assertEqual(ahead, [])

    # --- a backfill stores every report Apple keeps, whole --------------------------------
    def test_1_a_backfill_stores_every_report_apple_still_keeps(self):
        sb = Sandbox(os.path.join(self.tmp, "backfill"), today=None)  # the machine's today
        try:
            o = Orchard(self.tmp, "backfill-data", sb)
            o.link()
            p = o.run("sync", "--backfill", "--quiet")
            self.assertIn("report(s) loaded", p.stdout)
            today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date()
            first = today - dt.timedelta(days=365)
            # Apple keeps: the daily reports of the last 365 days, the monthly reports of the
            # months that began inside them and have ended, every yearly report.
            apple = {}  # (frequency, first day) → the sandbox's rows
            for d in base.days(first.isoformat(), (today - dt.timedelta(days=1)).isoformat()):
                apple[("DAILY", d)] = sb.rows(d)
            m = dt.date(first.year, first.month, 1)
            while m < dt.date(today.year, today.month, 1):
                if m >= first:
                    apple[("MONTHLY", m.isoformat())] = sb.rows(m.isoformat(), "MONTHLY")
                m = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
            for y in range(2008, today.year):
                apple[("YEARLY", "%d-01-01" % y)] = sb.rows("%d-01-01" % y, "YEARLY")
            want = {k: len(v) for k, v in apple.items()}
            with o.db() as db:
                got = {(f, dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + d).isoformat()): n
                       for f, d, n in db.execute("SELECT frequency, report_date, row_count FROM sales_reports")}
            # Early in the Pacific morning yesterday's report is not out yet: it waits, unstored.
            pending = pending_reports(o)
            self.assertLessEqual(pending, may_be_unpublished(today))
            self.assertEqual(got, {k: v for k, v in want.items() if k not in pending})
            self.assertGreater(sum(n for (f, _), n in want.items() if f == "YEARLY"), 0)
            # A day inside the window is its own daily report (US dollars in the US storefront).
            day = (today - dt.timedelta(days=40)).isoformat()
            self.assertSame(o.report("--start", day, "--end", day, "--countries", "US", "--currency", "USD")[0],
                            sums(sb.rows(day), "US"), day)
            # Every sale counts once (product.md §5 over the stored reports): a past year is its
            # yearly report, whatever finer reports overlap it; this year is its daily reports
            # (every day of it is inside the window).
            stored = [k for k in apple if k not in pending]
            per_year = {}
            for y in range(2008, today.year):
                if ("YEARLY", "%d-01-01" % y) in stored:
                    per_year[y] = sums(apple[("YEARLY", "%d-01-01" % y)])
            this_year = [k for k in stored if k[0] == "DAILY" and k[1] >= "%d-01-01" % today.year]
            per_year[today.year] = {k: Decimal(0) for k in METRICS + ("revenue",)}
            for k in this_year:
                per_year[today.year] = add(per_year[today.year], sums(apple[k]))
            per_year = {y: v for y, v in per_year.items() if any(v[k] for k in METRICS)}
            self.assertGreaterEqual(len(per_year), 2, "sales in at least two years")
            got_years = {r["date"]: r for r in o.report("--group-by", "date", "--granularity", "yearly")}
            self.assertEqual(sorted(got_years), ["%d-01-01" % y for y in sorted(per_year)])
            for y, v in per_year.items():
                for k in METRICS:
                    self.assertEqual(Decimal(got_years["%d-01-01" % y][k]), v[k], "%d %s" % (y, k))
            total = o.report()[0]
            for k in METRICS:
                self.assertEqual(Decimal(total[k]), sum(v[k] for v in per_year.values()), "all time " + k)
            # Last year before the window starts shows on 1 January, the first day no daily or
            # monthly report answers: the yearly report minus the daily reports of last year.
            last = today.year - 1
            if first > dt.date(last, 1, 1) and ("YEARLY", "%d-01-01" % last) in stored:
                finer = {k: Decimal(0) for k in METRICS + ("revenue",)}
                for k in stored:
                    if k[0] == "DAILY" and k[1].startswith("%d-" % last):
                        finer = add(finer, sums(apple[k]))
                residual = add(sums(apple[("YEARLY", "%d-01-01" % last)]), finer, -1)
                jan1 = "%d-01-01" % last
                got = o.report("--start", jan1, "--end", jan1)
                for k in METRICS:
                    self.assertEqual(Decimal(got[0][k]) if got else Decimal(0), residual[k], "%s %s" % (jan1, k))
            self.check_integrity(o)
        finally:
            sb.stop()

    # --- Apple misbehaving: the totals still equal a clean sync; REL-1 held -----------------
    def test_2_faults_end_equal_to_a_clean_sync_and_the_request_log_shows_rel1(self):
        o = Orchard(self.tmp, "faulty", self.sandbox)
        o.link()
        window = ("2026-05-01", "2026-06-14")
        self.clean.run("sync", "--from", window[0], "--to", window[1], "--quiet")
        clean = self.clean.report("--start", window[0], "--end", window[1], "--group-by", "date,country")
        faults = [b'{"rate_limit_next":4,"retry_after":1}', b'{"fail_next":{"status":503,"count":4}}',
                  b'{"truncate_next":1}', b'{"drop_next":1}', b'{"rate_limit_next":2}',
                  b'{"not_yet_dates":["2026-06-10"]}']
        runs = []
        for fault in faults:
            self.sandbox.post("/_sandbox/faults/clear")
            self.sandbox.post("/_sandbox/faults", fault)
            start = len(self.sandbox.requests())
            p = o.run("sync", "--from", window[0], "--to", window[1], "--quiet", ok=False)
            runs.append((fault, self.sandbox.requests()[start:], p))
        self.sandbox.post("/_sandbox/faults/clear")
        for attempt in range(4):  # failed reports wait a few minutes; an explicit sync asks again
            p = o.run("sync", "--from", window[0], "--to", window[1], "--quiet", ok=False)
            if p.returncode == 0:
                break
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(o.report("--start", window[0], "--end", window[1], "--group-by", "date,country"), clean)
        self.check_integrity(o)
        # The app catalog from /v1/apps: every app the reports sold, by Apple ID, with the
        # report's title as its name, a bundle id and its platforms.
        with o.db() as db:
            catalog = {a: (n, b, p_) for a, n, b, p_ in db.execute(
                "SELECT apple_id, name, bundle_id, platforms FROM catalog_apps")}
        titles = {r["Apple Identifier"]: r["Title"] for d in ("2026-06-01", "2026-06-14")
                  for r in self.sandbox.rows(d) if not r["Parent Identifier"]}
        self.assertTrue(titles)
        for apple_id, title in titles.items():
            self.assertIn(apple_id, catalog)
            name, bundle_id, platforms = catalog[apple_id]
            self.assertEqual(name, title)
            self.assertTrue(bundle_id.count(".") >= 2, bundle_id)
            self.assertTrue(set(platforms.split(",")) <= {"IOS", "MAC_OS", "TV_OS", "VISION_OS"} and platforms)
        for fault, log, p in runs:
            sales = [r for r in log if r["path"] == "/v1/salesReports"]
            # At most 3 attempts per report in a run.
            per_query = {}
            for r in sales:
                per_query[r["query"]] = per_query.get(r["query"], 0) + 1
            self.assertLessEqual(max(per_query.values()), 3, fault)
            # Retry-After honoured: after a 429 saying 1 s, the next request waits ≥ 1 s.
            if b"retry_after" in fault:
                for a, b in zip(sales, sales[1:]):
                    if a["status"] == 429:
                        self.assertGreaterEqual(b["time"] - a["time"], 990, fault)
            # The breaker: never more than 3 failed reports in a row before the run stops.
            failed_reports = [q for q, n in per_query.items()
                              if all(r["status"] != 200 and r["status"] != 404 for r in sales if r["query"] == q)]
            self.assertLessEqual(len(failed_reports), 3, fault)
        # A revised report (Apple adds 1 to every sale of the day) replaces the old one.
        day = "2026-05-20"
        self.sandbox.post("/_sandbox/faults", b'{"revise_dates":["%s"]}' % day.encode())
        o.run("sync", "--from", day, "--to", day, "--quiet")
        self.clean.run("sync", "--from", day, "--to", day, "--quiet")
        self.assertEqual(o.report("--start", window[0], "--end", window[1], "--group-by", "date,country"),
                         self.clean.report("--start", window[0], "--end", window[1], "--group-by", "date,country"))
        rows = self.sandbox.rows(day)
        self.assertEqual(Decimal(o.report("--start", day, "--end", day)[0]["downloads"]),
                         sums(rows)["downloads"], "the revised figures, not the old ones")
        self.sandbox.post("/_sandbox/faults/clear")

    def test_3_the_hourly_request_limit_is_kept(self):
        sb = Sandbox(os.path.join(self.tmp, "limited"), "--rate-limit", "40")
        try:
            o = Orchard(self.tmp, "limited-data", sb)
            o.link()  # the link probes use a few requests of the hour too
            o.run("sync", "--from", "2026-05-16", "--to", "2026-05-25", "--quiet")
            p = o.run("sync", "--from", "2026-04-01", "--to", "2026-04-30", "--quiet", ok=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("request budget", p.stdout)
            log = [r for r in sb.requests() if r["path"].startswith("/v1/")]
            # Apple's limit was never hit (no 429 from the limiter) and Orchard stayed under
            # 40 − a reserve of 2 in the hour.
            self.assertNotIn(429, [r["status"] for r in log])
            self.assertLessEqual(len(log), 38)
        finally:
            sb.stop()

    def test_4_a_revoked_key_flags_the_account_and_stops_asking(self):
        sb = Sandbox(os.path.join(self.tmp, "revoked"))
        try:
            o = Orchard(self.tmp, "revoked-data", sb)
            o.link()
            o.run("sync", "--from", "2026-06-01", "--to", "2026-06-05", "--quiet")
            before = o.report()
            sb.post("/_sandbox/keys/%s/revoke" % sb.key["key_id"])
            start = len(sb.requests())
            p = o.run("sync", "--from", "2026-05-01", "--to", "2026-05-31", "--quiet", ok=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("key rejected", p.stderr)
            log = sb.requests()[start:]
            self.assertEqual([r["status"] for r in log if r["path"] == "/v1/salesReports"], [401],
                             "one refused request, never retried, nothing after it")
            accounts = json.loads(o.run("accounts", "list", "--format", "json").stdout)["rows"]
            self.assertEqual(accounts[0]["status"], "needs_attention")
            self.assertEqual(o.report(), before)
            self.check_integrity(o)
        finally:
            sb.stop()

    # --- REL-3: kill -9 at random moments ---------------------------------------------------
    def test_5_kill_minus_nine_at_random_moments_loses_and_duplicates_nothing(self):
        o = Orchard(self.tmp, "killed", self.sandbox)
        o.link()
        window = ("2026-05-01", "2026-06-14")
        self.clean.run("sync", "--from", window[0], "--to", window[1], "--quiet")
        want = self.clean.report("--start", window[0], "--end", window[1], "--group-by", "date,country")
        rng = random.Random(int(os.environ.get("ORCHARD_KILL_SEED", "5")))
        for i in range(KILLS):
            proc = subprocess.Popen(o.args("sync", "--from", window[0], "--to", window[1], "--quiet"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=o.env)
            time.sleep(rng.uniform(0.05, 2.5))
            proc.kill()
            proc.wait()
            self.check_integrity(o)
            if i % 5 == 4 or i == KILLS - 1:  # restart and finish: equal to the clean run
                o.run("sync", "--from", window[0], "--to", window[1], "--quiet")
                self.assertEqual(o.report("--start", window[0], "--end", window[1], "--group-by", "date,country"),
                                 want, "after kill %d" % (i + 1))
        self.check_integrity(o)

    # --- the scheduler of `orchard serve` ---------------------------------------------------
    def test_6_serve_backfills_a_new_account_and_resumes_after_kill_minus_nine(self):
        sb = Sandbox(os.path.join(self.tmp, "served"), history_days=420, today=None)
        try:
            # No `fx import`: the scheduler fetches the reference rates from the configured URL.
            o = Orchard(self.tmp, "served-data", sb, "[sync]\ninterval_seconds = 1\ndaily_hour = 0\n",
                        fx_url=sb.url + "/stats/eurofxref/eurofxref-hist.csv")
            o.link(fx=False)

            def serve():
                return subprocess.Popen(o.args("serve", "--listen", "127.0.0.1:0"), stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=o.env, text=True)

            def jobs():
                with o.db() as db:
                    out = dict(db.execute("SELECT state, COUNT(*) FROM sync_jobs GROUP BY state").fetchall())
                    # Queued and due now (a job waiting for Apple to publish is not due).
                    out["due"] = db.execute("SELECT COUNT(*) FROM sync_jobs WHERE state = 'queued' AND "
                                            "not_before <= strftime('%s', 'now')").fetchone()[0]
                    out["waiting"] = db.execute("SELECT group_concat(frequency || ' ' || date(report_date * 86400, "
                                                "'unixepoch') || ': ' || message, ' | ') FROM sync_jobs "
                                                "WHERE state = 'queued' AND not_before > strftime('%s', 'now')"
                                                ).fetchone()[0] or ""
                    return out

            server = serve()
            deadline = time.time() + 60
            while time.time() < deadline and jobs().get("done", 0) < 20:
                time.sleep(0.2)
            server.kill()  # mid-backfill
            server.wait()
            self.assertGreater(jobs().get("done", 0), 0)
            server = serve()
            deadline = time.time() + 600
            while time.time() < deadline:
                j = jobs()
                if j["due"] == 0 and j.get("running", 0) == 0 and j.get("done", 0) > 0:
                    break
                time.sleep(0.5)
            server.terminate()
            server.wait(timeout=30)
            j = jobs()
            self.assertEqual(j["due"] + j.get("running", 0) + j.get("failed", 0), 0, j)
            # Only reports Apple has not published yet may wait (today's, late ones).
            for waiting in filter(None, j["waiting"].split(" | ")):
                self.assertIn("not available yet", waiting)
            self.check_integrity(o)
            # The last 365 days, in US dollars (needs the fetched rates): Apple's daily figures.
            today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date()  # Apple's day
            first, last = (today - dt.timedelta(days=365)).isoformat(), (today - dt.timedelta(days=1)).isoformat()
            want = {k: Decimal(0) for k in METRICS + ("revenue",)}
            pending = pending_reports(o)
            self.assertLessEqual(pending, may_be_unpublished(today))
            for d in base.days(first, last):
                if ("DAILY", d) not in pending:
                    want = add(want, sums(sb.rows(d)))
            got = o.report("--start", first, "--end", last)[0]
            for k in METRICS:
                self.assertEqual(Decimal(got[k]), want[k], k)
            with o.db() as db:
                self.assertGreater(db.execute("SELECT COUNT(DISTINCT currency) FROM fx_rates").fetchone()[0], 5)
        finally:
            sb.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
