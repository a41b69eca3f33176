#!/usr/bin/env python3
"""End-to-end: teams, users, tokens, `orchard serve` and linking with all four methods, through
the HTTP API and through the CLI, against `orchard sandbox` — as real processes.

Then the promises of security.md that only a whole system can show:
  SEC-1/SEC-5  canary scan: the sandbox's credentials (linked through every interface), Orchard
               users' passwords, API tokens and session cookies never appear — raw, base64,
               hex, JSON-escaped or URL-encoded — in any file of the data dir, in the server's
               log, in any CLI output or in any HTTP answer of this suite;
  SEC-3        a copy of the data dir without the master key serves data and decrypts nothing;
  SEC-4        `orchard keys rotate` while the server keeps using the secrets: no failure.

Usage: e2e_accounts_test.py /path/to/orchard
"""
import base64
import gzip
import binascii
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

ORCHARD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "orchard"
PASSWORDS = {"owner@acme.example": "correct horse battery staple",
             "admin@acme.example": "admin-pass-2026",
             "viewer@acme.example": "viewer-pass-2026",
             "owner@beta.example": "beta-owner-pass"}


def read(path):
    with open(path) as f:
        return f.read()


def start_process(args, env, first_line_prefix):
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    if first_line_prefix not in line:
        proc.kill()
        raise RuntimeError("%s did not start: %r %s" % (args[1], line, proc.stderr.read()))
    return proc, line


class Client:
    """An HTTP client with a cookie jar that records every answer it receives."""

    def __init__(self, base, transcript, token=None):
        self.base, self.transcript, self.token = base, transcript, token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def call(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        h = {"Content-Type": "application/json"} if body is not None else {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with self.opener.open(req, timeout=120) as r:
                status, raw, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, raw, hdrs = e.code, e.read(), e.headers
        # A session cookie is meant to travel in Set-Cookie (and only there, only on sign-in):
        # everything else of every answer goes to the transcript the canary scan reads.
        cookies = hdrs.get_all("Set-Cookie") or []
        if any(c.startswith("orchard_session=") and len(c.split(";")[0]) > len("orchard_session=")
               for c in cookies):
            assert (method, path) == ("POST", "/api/v1/session"), (method, path, "set a session cookie")
        kept = "".join("%s: %s\n" % (k, v) for k, v in hdrs.items() if k.lower() != "set-cookie")
        self.transcript.append(kept + raw.decode("utf-8", "replace"))
        return status, (json.loads(raw) if raw else None), hdrs

    def login(self, email, team=None):
        body = {"email": email, "password": PASSWORDS[email]}
        if team:
            body["team"] = team
        status, answer, _ = self.call("POST", "/api/v1/session", body)
        assert status == 200, (status, answer)
        self.csrf = answer["csrf_token"]
        return answer


class AccountsE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="orchard-e2e-accounts-")
        cls.transcript = []
        cls.env = dict(os.environ, ORCHARD_MASTER_KEY_FILE=os.path.join(cls.tmp, "keys", "master.key"))
        for k in ("ORCHARD_APP_PASSWORD", "ORCHARD_APPLE_ID_PASSWORD"):
            cls.env.pop(k, None)
        cls.keys = os.path.join(cls.tmp, "sandbox")
        cls.sandbox, cls.sandbox_url = start_process(
            [ORCHARD, "sandbox", "--port", "0", "--seed", "5", "--keys-dir", cls.keys,
             "--history-days", "60", "--storefronts", "10"], cls.env, "http://127.0.0.1:")
        cls.data = os.path.join(cls.tmp, "data")
        cls.config = os.path.join(cls.tmp, "orchard.toml")
        u = cls.sandbox_url
        with open(cls.config, "w") as f:
            f.write("[apple]\n" + "".join('%s = "%s"\n' % (k, v) for k, v in [
                ("asc_api_url", u), ("reporter_url", u), ("idmsa_url", u), ("web_url", u),
                ("search_ads_url", u), ("search_ads_token_url", u + "/auth/oauth2/token"), ("itunes_url", u)]))
        cls.creds = {name: json.loads(read(os.path.join(cls.keys, name))) for name in
                     ("key.json", "key-developer.json", "apple-id.json", "sub-account.json", "searchads.json")}
        cls.p8 = read(os.path.join(cls.keys, cls.creds["key.json"]["key_file"]))
        cls.ads_pem = read(os.path.join(cls.keys, cls.creds["searchads.json"]["private_key_file"]))
        cls.server = None
        cls.api_tokens = []
        cls.session_cookies = []

    @classmethod
    def tearDownClass(cls):
        for p in (cls.server, cls.sandbox):
            if p and p.poll() is None:
                p.terminate()
                p.communicate(timeout=30)
            elif p:
                p.communicate(timeout=30)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------------------

    def orchard(self, *args, stdin=None, ok=True, data=None, env=None):
        p = subprocess.run([ORCHARD, *args, "--data-dir", data or self.data, "--config", self.config],
                           input=stdin, capture_output=True, text=True, env=env or self.env, timeout=600)
        self.transcript.append(p.stdout + p.stderr)
        if ok:
            self.assertEqual(p.returncode, 0, "orchard %s failed:\n%s\n%s" % (args, p.stdout, p.stderr))
        return p

    def sandbox_get(self, path):
        with urllib.request.urlopen(self.sandbox_url + path, timeout=30) as r:
            return json.loads(r.read())

    def sandbox_post(self, path, body=b"{}"):
        req = urllib.request.Request(self.sandbox_url + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read()

    def start_server(self, data=None, env=None):
        cls = type(self)
        proc, line = start_process([ORCHARD, "serve", "--listen", "127.0.0.1:0", "--data-dir", data or self.data,
                                    "--config", self.config, "-v"], env or self.env, "serving on http://")
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        return proc, url, line

    def client(self, token=None):
        return Client(type(self).url, self.transcript, token)

    # -- the story, in order ---------------------------------------------------------------------

    def test_1_people_from_the_cli(self):
        self.orchard("team", "create", "Acme")
        self.orchard("team", "create", "Beta")
        for email, team, role in [("owner@acme.example", "Acme", "owner"), ("admin@acme.example", "Acme", "admin"),
                                  ("viewer@acme.example", "Acme", "viewer"), ("owner@beta.example", "Beta", "owner")]:
            p = self.orchard("user", "add", email.upper(), "--team", team, "--role", role, stdin=PASSWORDS[email] + "\n")
            self.assertIn(email, p.stdout)
        # A short password is refused in plain words, and nothing is created.
        p = self.orchard("user", "add", "short@acme.example", "--team", "Acme", "--role", "viewer", stdin="abc\n", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("8", p.stderr)
        # The last Owner cannot be demoted or removed.
        p = self.orchard("user", "role", "owner@beta.example", "--team", "Beta", "--role", "viewer", ok=False)
        self.assertIn("last Owner", p.stderr)
        p = self.orchard("user", "remove", "owner@beta.example", "--team", "Beta", ok=False)
        self.assertIn("last Owner", p.stderr)
        # Several teams: a team command without --team says so.
        p = self.orchard("accounts", "list", ok=False)
        self.assertIn("--team", p.stderr)
        # `token create` prints only the token.
        p = self.orchard("token", "create", "--user", "owner@acme.example", "--team", "Acme", "--name", "ci")
        self.transcript.pop()  # the one place the token is meant to be shown
        self.transcript.append(p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, p.stdout)
        self.assertRegex(lines[0], r"^orc_[A-Za-z0-9_-]{43}$")
        type(self).api_tokens.append(lines[0])
        listed = self.orchard("token", "list", "--team", "Acme", "--format", "json").stdout
        self.assertNotIn(lines[0], listed)
        self.assertIn(lines[0][:8], listed)

    def test_2_serve_and_link_every_method_over_http(self):
        cls = type(self)
        cls.server, cls.url, _ = self.start_server()
        owner = self.client()
        owner.login("owner@acme.example", team="Acme")
        cls.session_cookies += [c.value for c in owner.jar]
        k = self.creds["key.json"]
        status, a, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "asc-key", "name": "API key", "issuer_id": k["issuer_id"], "key_id": k["key_id"],
            "private_key": self.p8, "vendor_number": k["vendor_number"]})
        self.assertEqual(status, 201, a)
        self.assertEqual(a["method"], "asc-key")
        self.assertTrue(a["capabilities"]["sales"]["ok"])
        self.assertNotIn("private_key", a)
        cls.asc_id = a["id"]
        # A second key of the same vendor would count every sale twice: refused, naming the account.
        d = self.creds["key-developer.json"]
        status, err, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "asc-key", "issuer_id": d["issuer_id"], "key_id": d["key_id"],
            "private_key": read(os.path.join(self.keys, d["key_file"])), "vendor_number": d["vendor_number"]})
        self.assertEqual(status, 409, err)
        self.assertIn("account %d" % cls.asc_id, err["error"]["message"])
        # Wrong vendor number → plain words, nothing stored.
        status, err, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "asc-key", "issuer_id": k["issuer_id"], "key_id": k["key_id"],
            "private_key": self.p8, "vendor_number": "99999999"})
        self.assertEqual(status, 400, err)
        self.assertIn("99999999", err["error"]["message"])

        # The app-specific password, in a team of its own (the vendor is linked by key in Acme).
        status, gamma, _ = owner.call("POST", "/api/v1/teams", {"name": "Gamma"})
        self.assertEqual(status, 201, gamma)
        status, _, _ = owner.call("PUT", "/api/v1/session/team", {"team_id": gamma["id"]})
        self.assertEqual(status, 200)
        ap = self.creds["apple-id.json"]
        typed = ap["app_specific_password"].replace("-", "").upper()
        status, err, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "app-password", "apple_id": ap["apple_id"], "app_password": "wxyz-wxyz-wxyz-wxyz",
            "vendor_number": ap["vendor_number"]})
        self.assertEqual(status, 401, err)
        self.assertIn("app-specific password", err["error"]["message"])
        status, a, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "app-password", "name": "Reporter", "apple_id": ap["apple_id"], "app_password": typed,
            "vendor_number": ap["vendor_number"]})
        self.assertEqual(status, 201, a)
        self.assertEqual(a["app_password_last4"], ap["app_specific_password"][-4:])
        self.assertTrue(a["capabilities"]["finance"]["ok"])
        self.assertFalse(a["capabilities"]["reviews_reply"]["ok"])
        status, acme, _ = owner.call("GET", "/api/v1/teams")
        acme_id = [t["id"] for t in acme["teams"] if t["name"] == "Acme"][0]
        status, _, _ = owner.call("PUT", "/api/v1/session/team", {"team_id": acme_id})
        self.assertEqual(status, 200)

        sub = self.creds["sub-account.json"]
        status, a, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "apple-id", "name": "Support", "apple_id": sub["apple_id"], "password": sub["password"]})
        self.assertEqual(status, 201, a)
        self.assertEqual(a["status"], "pending")
        self.assertEqual(a["next"]["step"], "two_factor_code")
        status, err, _ = owner.call("POST", "/api/v1/accounts/%d/refresh" % a["id"], {"code": "000000"})
        self.assertEqual(status, 400, err)
        code = self.sandbox_get("/_sandbox/appleid/code")["code"]
        status, done, _ = owner.call("POST", "/api/v1/accounts/%d/refresh" % a["id"], {"code": code})
        self.assertEqual(status, 200, done)
        self.assertEqual(done["status"], "active")
        self.assertTrue(done["capabilities"]["reviews_reply"]["ok"])
        self.assertEqual(done["issuer_id"], k["issuer_id"])
        cls.apple_id_account = a["id"]

        sa = self.creds["searchads.json"]
        status, a, _ = owner.call("POST", "/api/v1/accounts", {
            "method": "search-ads", "name": "Ads", "client_id": sa["client_id"], "team_id": sa["team_id"],
            "key_id": sa["key_id"], "private_key": self.ads_pem})
        self.assertEqual(status, 201, a)
        self.assertTrue(a["capabilities"]["ads"]["ok"])

        status, health, _ = owner.call("GET", "/api/v1/accounts/%d/health" % cls.apple_id_account)
        self.assertEqual(status, 200)
        self.assertEqual(health["state"], "active")
        self.assertGreater(health["refresh_due_at"], 0)

    def test_3_roles_teams_and_tokens_over_http(self):
        viewer = self.client()
        viewer.login("viewer@acme.example")
        type(self).session_cookies += [c.value for c in viewer.jar]
        status, err, _ = viewer.call("POST", "/api/v1/accounts", {"method": "asc-key"})
        self.assertEqual(status, 403)
        self.assertIn("owner@acme.example", err["error"]["message"])
        self.assertIn("admin@acme.example", err["error"]["message"])
        status, sent, _ = viewer.call("POST", "/api/v1/link-requests", {"message": "please link finance"})
        self.assertEqual(status, 202)
        self.assertEqual(sorted(sent["sent_to"]), ["admin@acme.example", "owner@acme.example"])
        admin = self.client()
        admin.login("admin@acme.example")
        status, notes, _ = admin.call("GET", "/api/v1/notifications")
        self.assertTrue(any("please link finance" in n["message"] for n in notes["notifications"]))
        # The CLI's API token sees its team's accounts; Beta's owner sees none of them (404).
        bearer = self.client(token=self.api_tokens[0])
        status, listed, _ = bearer.call("GET", "/api/v1/accounts")
        self.assertEqual(status, 200)
        ids = [a["id"] for a in listed["accounts"]]
        self.assertIn(self.asc_id, ids)
        beta = self.client()
        beta.login("owner@beta.example")
        for method, path in [("GET", "/api/v1/accounts/%d"), ("GET", "/api/v1/accounts/%d/health"),
                             ("DELETE", "/api/v1/accounts/%d"), ("POST", "/api/v1/accounts/%d/refresh")]:
            status, _, _ = beta.call(method, path % self.asc_id, {} if method == "POST" else None)
            self.assertEqual(status, 404, (method, path))
        status, listed, _ = beta.call("GET", "/api/v1/accounts")
        self.assertEqual(listed["accounts"], [])
        # Without credentials: 401.
        status, _, _ = self.client().call("GET", "/api/v1/accounts")
        self.assertEqual(status, 401)

    def test_4_link_every_method_from_the_cli(self):
        k = self.creds["key.json"]
        p = self.orchard("link", "asc-key", "--team", "Beta", "--issuer-id", k["issuer_id"], "--key-id", k["key_id"],
                         "--key-file", os.path.join(self.keys, k["key_file"]), "--vendor-number", k["vendor_number"])
        self.assertIn("sales ✓", p.stdout)
        ap = self.creds["apple-id.json"]
        p = self.orchard("link", "app-password", "--team", "Beta", "--apple-id", ap["apple_id"],
                         "--vendor-number", ap["vendor_number"], stdin=ap["app_specific_password"] + "\n", ok=False)
        self.assertIn("count its sales twice", p.stderr)
        key_account = json.loads(self.orchard("accounts", "list", "--team", "Beta", "--format", "json").stdout)["rows"][0]
        self.orchard("accounts", "unlink", key_account["id"], "--team", "Beta")
        env = dict(self.env, ORCHARD_APP_PASSWORD=ap["app_specific_password"])
        p = self.orchard("link", "app-password", "--team", "Beta", "--apple-id", ap["apple_id"],
                         "--vendor-number", ap["vendor_number"], env=env)
        self.assertIn("payments ✓", p.stdout)
        reporter = [a for a in json.loads(self.orchard("accounts", "list", "--team", "Beta", "--format", "json").stdout)["rows"]
                    if a["method"] == "app-password"][0]
        # Sales through the Reporter protocol: the stored rows are the sandbox's own report's.
        day = (time.strftime("%Y-%m-%d", time.gmtime(time.time() - 3 * 86400)))
        p = self.orchard("sync", "--team", "Beta", "--account", reporter["id"], "--from", day, "--to", day, "-q")
        with urllib.request.urlopen(self.sandbox_url + "/_sandbox/salesReports?date=" + day, timeout=30) as r:
            rows = gzip.decompress(r.read()).decode().count("\n") - 1
        self.assertIn("1 report(s) loaded (%d rows)" % rows, p.stdout)
        sub = self.creds["sub-account.json"]
        p = self.orchard("link", "apple-id", "--team", "Beta", "--apple-id", sub["apple_id"], stdin=sub["password"] + "\n")
        account = int(re.search(r"orchard accounts refresh (\d+) --code-stdin", p.stdout).group(1))
        code = self.sandbox_get("/_sandbox/appleid/code")["code"]
        # The trust cookie of the HTTP link above is not shared with this account: a new code.
        p = self.orchard("accounts", "refresh", str(account), "--code-stdin", "--team", "Beta", stdin=code + "\n")
        self.assertIn("Signed in", p.stdout)
        sa = self.creds["searchads.json"]
        p = self.orchard("link", "search-ads", "--team", "Beta", "--client-id", sa["client_id"],
                         "--ads-team-id", sa["team_id"], "--key-id", sa["key_id"],
                         "--key-file", os.path.join(self.keys, sa["private_key_file"]))
        self.assertIn("ads ✓", p.stdout)
        listed = json.loads(self.orchard("accounts", "list", "--team", "Beta", "--format", "json").stdout)["rows"]
        self.assertEqual(sorted(a["method"] for a in listed), ["app-password", "apple-id", "search-ads"])
        shown = self.orchard("accounts", "show", str(account), "--team", "Beta").stdout
        self.assertIn("trust until", shown)
        # Unlink erases the secret; the audit log says who did what, never a secret.
        self.orchard("accounts", "unlink", str(account), "--team", "Beta")
        p = self.orchard("accounts", "show", str(account), "--team", "Beta", ok=False)
        self.assertNotEqual(p.returncode, 0)
        audit = self.orchard("audit", "--team", "Beta", "--format", "json").stdout
        self.assertIn("account.unlink", audit)
        self.assertIn("account.link", audit)

    def test_5_keys_rotate_while_the_server_uses_the_secrets(self):
        owner = self.client()
        owner.login("owner@acme.example")
        failures, calls = [], [0]
        stop = threading.Event()

        def reader():  # each refresh unseals the .p8 and signs with it
            while not stop.is_set():
                status, answer, _ = owner.call("POST", "/api/v1/accounts/%d/refresh" % self.asc_id, {})
                calls[0] += 1
                if status != 200:
                    failures.append((status, answer))

        t = threading.Thread(target=reader)
        t.start()
        time.sleep(0.3)
        p = self.orchard("keys", "rotate")
        time.sleep(0.5)
        stop.set()
        t.join()
        self.assertIn("Re-wrapped", p.stdout)
        self.assertEqual(failures, [])
        self.assertGreater(calls[0], 0)
        self.assertEqual(sum(1 for line in read(self.env["ORCHARD_MASTER_KEY_FILE"]).splitlines()
                             if line.startswith("orchard-kek v")), 2)
        # Secrets sealed after the rotation (a new link) use the new key and open too.
        status, a, _ = owner.call("POST", "/api/v1/accounts/%d/refresh" % self.apple_id_account, {})
        self.assertEqual(status, 200, a)

    def test_6_without_the_master_key_the_server_is_sealed(self):
        copy = os.path.join(self.tmp, "copied-data")
        shutil.copytree(self.data, copy)
        missing = os.path.join(self.tmp, "elsewhere", "missing.key")
        env = dict(self.env, ORCHARD_MASTER_KEY_FILE=missing)
        proc, url, line = self.start_server(data=copy, env=env)
        try:
            self.assertIn("SEALED", line)
            c = Client(url, self.transcript)
            status, health, _ = c.call("GET", "/healthz")
            self.assertEqual((health["status"], health["sealed"], health["database"]), ("ok", True, "ok"), health)
            c.login("owner@acme.example")
            status, listed, _ = c.call("GET", "/api/v1/accounts")
            self.assertEqual(status, 200)
            self.assertGreaterEqual(len(listed["accounts"]), 3)
            status, err, _ = c.call("POST", "/api/v1/accounts/%d/refresh" % self.asc_id, {})
            self.assertEqual(status, 409, err)
            self.assertIn("sealed", err["error"]["message"])
            self.assertFalse(os.path.exists(missing), "a sealed server must not make a new key")
        finally:
            proc.terminate()
            out, errs = proc.communicate(timeout=30)
            self.transcript.append(out + errs)

    def test_7_no_secret_anywhere(self):
        cls = type(self)
        cls.server.terminate()
        out, errs = cls.server.communicate(timeout=30)
        self.transcript.append(out + errs)
        self.assertIn("Stopped", out)
        pem_body = lambda pem: "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
        canaries = {
            "p8": pem_body(self.p8), "searchads key": pem_body(self.ads_pem),
            "app password": self.creds["apple-id.json"]["app_specific_password"],
            "app password typed": self.creds["apple-id.json"]["app_specific_password"].replace("-", "").upper(),
            "app password plain": self.creds["apple-id.json"]["app_specific_password"].replace("-", ""),
            "sub-account password": self.creds["sub-account.json"]["password"],
        }
        canaries.update({"password of " + e: p for e, p in PASSWORDS.items()})
        canaries.update({"api token %d" % i: t for i, t in enumerate(self.api_tokens)})
        canaries.update({"session %d" % i: s for i, s in enumerate(self.session_cookies)})
        forms = {}
        for name, c in canaries.items():
            raw = c.encode()
            forms[name + " raw"] = raw
            forms[name + " base64"] = base64.b64encode(raw)
            forms[name + " base64url"] = base64.urlsafe_b64encode(raw).rstrip(b"=")
            forms[name + " hex"] = binascii.hexlify(raw)
            forms[name + " HEX"] = binascii.hexlify(raw).upper()
            forms[name + " json"] = json.dumps(c)[1:-1].encode()
            forms[name + " url"] = urllib.parse.quote(c, safe="").encode()
            forms[name + " url+"] = urllib.parse.quote_plus(c).encode()
        for key in ("p8", "searchads key"):  # the DER bytes inside the PEM, too
            forms[key + " der"] = base64.b64decode(canaries[key])
        hits = []
        for root, _, files in os.walk(self.tmp):
            if root.startswith(self.keys):
                continue  # the sandbox's own files are where the canaries come from
            for fn in files:
                path = os.path.join(root, fn)
                if path.endswith("master.key"):
                    continue
                with open(path, "rb") as f:
                    blob = f.read()
                for name, form in forms.items():
                    if form in blob:
                        hits.append((path, name))
        for text in self.transcript:
            blob = text.encode()
            for name, form in forms.items():
                if form in blob:
                    hits.append(("output", name))
        self.assertEqual(hits, [])
        self.assertGreater(len(self.transcript), 30)

    def test_8_help_teaches_every_new_command(self):
        for cmd in (["serve"], ["team", "create"], ["user", "add"], ["token", "create"], ["keys", "rotate"],
                    ["link", "app-password"], ["link", "apple-id"], ["link", "search-ads"],
                    ["accounts", "show"], ["accounts", "refresh"], ["accounts", "unlink"], ["audit"]):
            p = subprocess.run([ORCHARD, *cmd, "--help"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("--data-dir", p.stdout, cmd)
            self.assertIn("--team", p.stdout, cmd)


if __name__ == "__main__":
    unittest.main(verbosity=2)
