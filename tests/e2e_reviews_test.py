#!/usr/bin/env python3
"""End-to-end: reviews and ratings (issue 6) with `orchard sandbox` and the real binary.

Every expectation is read here, independently, from the sandbox's own answers: its App Store
Connect API (a JWT minted in this file with the sandbox's key, pages followed through
links.next), its public RSS feed, and its store Media API — never from Orchard's output.

Usage: e2e_reviews_test.py /path/to/orchard
"""
import base64
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ORCHARD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "orchard"
TODAY = "2026-03-10"
ALPHA2 = {"USA": "us", "GBR": "gb", "CAN": "ca", "AUS": "au", "IND": "in", "DEU": "de", "AUT": "at",
          "CHE": "ch", "FRA": "fr", "ESP": "es", "MEX": "mx", "JPN": "jp", "BRA": "br"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Sandbox:
    def __init__(self, tmp):
        self.keys = os.path.join(tmp, "sandbox")
        self.proc = subprocess.Popen([ORCHARD, "sandbox", "--port", "0", "--seed", "5", "--keys-dir", self.keys,
                                      "--today", TODAY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.proc.kill()
            raise RuntimeError("sandbox did not start: %r" % self.url)
        with open(os.path.join(self.keys, "key.json")) as f:
            self.key = json.load(f)
        with open(os.path.join(self.keys, "key-developer.json")) as f:
            self.developer_key = json.load(f)
        with open(os.path.join(self.keys, self.key["key_file"]), "rb") as f:
            self.pem = serialization.load_pem_private_key(f.read(), password=None)

    def token(self):
        """An App Store Connect JWT (ES256, raw R‖S), as apple-apis.md §1.6 describes."""
        now = int(time.time())
        header = b64url(json.dumps({"alg": "ES256", "kid": self.key["key_id"], "typ": "JWT"}).encode())
        payload = b64url(json.dumps({"iss": self.key["issuer_id"], "iat": now, "exp": now + 600,
                                     "aud": "appstoreconnect-v1"}).encode())
        der = self.pem.sign((header + "." + payload).encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return header + "." + payload + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def get(self, path_or_url, headers=None):
        url = path_or_url if path_or_url.startswith("http") else self.url + path_or_url
        req = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def asc(self, path_or_url):
        return self.get(path_or_url, {"Authorization": "Bearer " + self.token()})

    def post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def apps(self):
        return [a["id"] for a in self.asc("/v1/apps?limit=200")["data"]]

    def reviews(self, app):
        """Every review of an app, following the sandbox's own next links."""
        out, url = [], "/v1/apps/%s/customerReviews?limit=200" % app
        while url:
            doc = self.asc(url)
            out += doc["data"]
            url = (doc.get("links") or {}).get("next")
        return out

    def feed(self, app, cc):
        out = []
        for page in range(1, 11):
            doc = self.get("/%s/rss/customerreviews/page=%d/id=%s/sortby=mostrecent/json" % (cc, page, app))
            entries = doc["feed"].get("entry", [])
            if isinstance(entries, dict):
                entries = [entries]
            entries = [e for e in entries if "im:rating" in e]
            if not entries:
                break
            out += entries
        return out

    def user_rating(self, app, cc):
        token = self.get("/apiToken?clientId=appstore")["token"]
        doc = self.get("/v1/catalog/%s/apps/%s" % (cc, app),
                       {"Authorization": "Bearer " + token, "Origin": "https://apps.apple.com"})
        return doc["data"][0]["attributes"]["userRating"]

    def requests(self):
        return self.get("/_sandbox/requests")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class ReviewsEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="orchard-e2e-reviews-")
        cls.env = dict(os.environ, ORCHARD_MASTER_KEY_FILE=os.path.join(cls.tmp, "keys", "master.key"))
        cls.sandbox = Sandbox(cls.tmp)
        cls.sandbox.post("/_sandbox/faults", {"publish_delay_ms": 1500})
        cls.config = os.path.join(cls.tmp, "orchard.toml")
        with open(cls.config, "w") as f:
            url = cls.sandbox.url
            f.write('[apple]\nasc_api_url = "%s"\nitunes_url = "%s"\namp_api_url = "%s"\namp_token_url = "%s"\n'
                    '[reviews]\npublic_min_interval_ms = 0\n' % (url, url, url, url))

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def orchard(self, data, *args, ok=True):
        p = subprocess.run([ORCHARD, *args, "--data-dir", os.path.join(self.tmp, data), "--config", self.config],
                           capture_output=True, text=True, env=self.env, timeout=600)
        if ok:
            self.assertEqual(p.returncode, 0, "orchard %s failed:\n%s\n%s" % (args, p.stdout, p.stderr))
        return p

    def link(self, data, key):
        self.orchard(data, "link", "asc-key", "--issuer-id", key["issuer_id"], "--key-id", key["key_id"],
                     "--key-file", os.path.join(self.sandbox.keys, key["key_file"]),
                     "--vendor-number", key["vendor_number"], "--name", "E2E")

    def listed(self, data, *args):
        out = []
        offset = 0
        while True:
            doc = json.loads(self.orchard(data, "reviews", "list", "--format", "json", "--limit", "1000",
                                          "--offset", str(offset), *args).stdout)
            out += doc["reviews"]
            offset += 1000
            if offset >= doc["total"]:
                return out

    def test_1_linked_reviews_match_the_sandbox_then_sync_incrementally(self):
        self.link("linked", self.sandbox.key)
        # The catalog of linked apps comes with a sales sync.
        self.orchard("linked", "sync", "--from", "2026-03-08", "--to", "2026-03-09")
        out = self.orchard("linked", "reviews", "sync").stdout
        self.assertIn("Linked apps (App Store Connect)", out)
        apps = self.sandbox.apps()
        self.assertGreater(len(apps), 1)
        for app in apps:
            expected = {r["id"]: r["attributes"] for r in self.sandbox.reviews(app)}
            got = {r["source_id"]: r for r in self.listed("linked", "--app", app)}
            self.assertEqual(set(got), set(expected), app)
            for rid, a in expected.items():
                g = got[rid]
                self.assertEqual((g["rating"], g["title"], g["body"], g["author"], g["country"]),
                                 (a["rating"], a["title"], a["body"], a["reviewerNickname"],
                                  ALPHA2[a["territory"]]), rid)
                self.assertEqual(g["reply_state"], "none")
        # Three days later: one page per app, exactly the new reviews.
        before = len(self.sandbox.requests())
        self.sandbox.post("/_sandbox/today", {"date": "2026-03-13"})
        self.orchard("linked", "reviews", "sync")
        pages = [r for r in self.sandbox.requests()[before:] if "/customerReviews" in r["path"]]
        self.assertEqual(len(pages), len(apps), pages)
        for app in apps:
            self.assertEqual(len(self.listed("linked", "--app", app)), len(self.sandbox.reviews(app)), app)
        self.__class__.linked_app = apps[0]

    def test_2_reply_goes_pending_then_published_and_a_developer_key_is_refused(self):
        app = self.linked_app
        newest = self.listed("linked", "--app", app, "--rating", "1,2", "--unreplied")[0]
        p = self.orchard("linked", "reviews", "reply", str(newest["id"]), "--body", "Sorry — fixed in 2.1!")
        shown = json.loads(self.orchard("linked", "reviews", "show", str(newest["id"]), "--format", "json").stdout)
        self.assertIn(shown.get("reply_state") or shown["review"]["reply_state"], ("pending",))
        # Apple's side has it, pending.
        response = self.sandbox.asc("/v1/customerReviews/%s/response" % newest["source_id"])["data"]
        self.assertEqual(response["attributes"]["responseBody"], "Sorry — fixed in 2.1!")
        time.sleep(2)  # the sandbox publishes after 1.5 s
        self.orchard("linked", "reviews", "sync", "--app", app, "--full")
        again = [r for r in self.listed("linked", "--app", app) if r["id"] == newest["id"]][0]
        self.assertEqual(again["reply_state"], "published")
        unreplied = self.listed("linked", "--app", app, "--unreplied")
        self.assertNotIn(newest["id"], [r["id"] for r in unreplied])
        # A Developer-role key reads reviews but cannot reply: the refusal names the roles.
        self.link("developer", self.sandbox.developer_key)
        p = self.orchard("developer", "reviews", "sync")  # the key reads reviews (and the app catalog)
        target = self.listed("developer", "--app", app, "--unreplied")
        self.assertTrue(target, p.stdout)
        refused = self.orchard("developer", "reviews", "reply", str(target[0]["id"]), "--body", "hi", ok=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertRegex(refused.stderr, "Admin|App Manager|Customer Support")
        self.assertEqual(self.listed("developer", "--app", app, "--unreplied")[0]["reply_state"], "none")

    def test_3_public_tracking_collects_every_storefront_and_ratings(self):
        app = self.sandbox.apps()[1]
        self.orchard("public", "apps", "track", app, "--countries", "us,gb,de")
        self.orchard("public", "reviews", "sync")
        for cc in ("us", "gb", "de"):
            expected = {e["id"]["label"]: e for e in self.sandbox.feed(app, cc)}
            got = {r["source_id"]: r for r in self.listed("public", "--app", app, "--country", cc)}
            self.assertEqual(set(got), set(expected), cc)
            for rid, e in expected.items():
                self.assertEqual((got[rid]["rating"], got[rid]["title"], got[rid]["version"]),
                                 (int(e["im:rating"]["label"]), e["title"]["label"], e["im:version"]["label"]))
        rows = list(csv.DictReader(io.StringIO(self.orchard("public", "report", "ratings", "--app", app,
                                                             "--format", "csv").stdout)))
        by_country = {r["country"]: r for r in rows}
        self.assertEqual(set(by_country), {"us", "gb", "de", "ww"}, rows)
        total = 0
        for cc in ("us", "gb", "de"):
            ur = self.sandbox.user_rating(app, cc)
            self.assertEqual(int(by_country[cc]["count"]), ur["ratingCount"], cc)
            total += ur["ratingCount"]
        self.assertEqual(int(by_country["ww"]["count"]), total)


if __name__ == "__main__":
    unittest.main(verbosity=2)
