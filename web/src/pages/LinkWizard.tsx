// Linking, step by step (product.md §2): choose a method, follow Apple's steps to make the
// credential, enter it (checked here in plain words, then validated against Apple), the
// two-factor code for a sub-account, and the probed capabilities before confirming.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Account } from "../api";
import { METHOD_NAMES } from "../accounts";
import { Capabilities } from "../components/Capabilities";
import { ErrorNote } from "../components/ui";
import { navigate } from "../router";
import { canManage } from "../session";
import { RequestLinking } from "./Accounts";
import type { PageProps } from "./registry";

type Method = "asc-key" | "app-password" | "apple-id" | "search-ads";
const METHODS: { id: Method; title: string; blurb: string; unlocks: string }[] = [
  { id: "asc-key", title: "API key", blurb: "Recommended. A key you create in App Store Connect; no password, no two-factor codes.", unlocks: "Sales, payments, reviews and replies (with the right role), usage" },
  { id: "app-password", title: "App-specific password", blurb: "For an Apple ID that cannot make API keys. No two-factor codes.", unlocks: "Sales and payments; reviews from the public store, no replies" },
  { id: "apple-id", title: "Sub-account", blurb: "A limited Apple ID of your team, signed in with a two-factor code about once a month.", unlocks: "Sales, payments, reviews and replies, usage" },
  { id: "search-ads", title: "Apple Search Ads", blurb: "Campaign reports, linked separately with an API certificate.", unlocks: "Spend, impressions, taps, installs" },
];

interface Form {
  name: string;
  issuer_id: string;
  key_id: string;
  private_key: string;
  vendor_number: string;
  apple_id: string;
  app_password: string;
  password: string;
  client_id: string;
  team_id: string;
}
const EMPTY: Form = { name: "", issuer_id: "", key_id: "", private_key: "", vendor_number: "", apple_id: "", app_password: "", password: "", client_id: "", team_id: "" };

const FIELDS: Record<Method, (keyof Form)[]> = {
  "asc-key": ["name", "issuer_id", "key_id", "private_key", "vendor_number"],
  "app-password": ["name", "apple_id", "app_password", "vendor_number"],
  "apple-id": ["name", "apple_id", "password"],
  "search-ads": ["name", "client_id", "team_id", "key_id", "private_key"],
};

// Checks before anything is sent, in plain words. Apple validates the rest.
function problems(m: Method, f: Form): Partial<Record<keyof Form, string>> {
  const p: Partial<Record<keyof Form, string>> = {};
  const has = (k: keyof Form) => f[k].trim() !== "";
  for (const k of FIELDS[m]) if (k !== "name" && !has(k)) p[k] = "Required.";
  if (m === "asc-key") {
    if (has("issuer_id") && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(f.issuer_id.trim()))
      p.issuer_id = "The Issuer ID looks like 57246542-96fe-1a63-e053-0824d011072a (above the key list in App Store Connect).";
    if (has("key_id") && !/^[A-Z0-9]{10}$/.test(f.key_id.trim())) p.key_id = "The Key ID is 10 capital letters and digits, e.g. 2X9R4HXF34.";
  }
  if ((m === "asc-key" || m === "search-ads") && has("private_key") && !f.private_key.includes("-----BEGIN"))
    p.private_key = m === "asc-key" ? "Choose the .p8 file Apple let you download once (it starts with -----BEGIN PRIVATE KEY-----)." : "Choose the private key PEM file you made for the certificate.";
  if ((m === "asc-key" || m === "app-password") && has("vendor_number") && !/^\d{6,10}$/.test(f.vendor_number.trim()))
    p.vendor_number = "The vendor number is digits only (Payments and Financial Reports, top left), e.g. 85461294.";
  if ((m === "app-password" || m === "apple-id") && has("apple_id") && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(f.apple_id.trim()))
    p.apple_id = "An Apple ID is an e-mail address.";
  if (m === "app-password" && has("app_password") && !/^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/.test(f.app_password.trim()))
    p.app_password = "An app-specific password looks like abcd-efgh-ijkl-mnop (four groups of four lower-case letters).";
  if (m === "search-ads" && has("client_id") && !f.client_id.trim().startsWith("SEARCHADS.")) p.client_id = "The client ID starts with SEARCHADS.";
  if (m === "search-ads" && has("team_id") && !f.team_id.trim().startsWith("SEARCHADS.")) p.team_id = "The team ID starts with SEARCHADS.";
  return p;
}

const LABELS: Record<keyof Form, string> = {
  name: "A name for this account (optional)",
  issuer_id: "Issuer ID",
  key_id: "Key ID",
  private_key: "Private key file",
  vendor_number: "Vendor number",
  apple_id: "Apple ID",
  app_password: "App-specific password",
  password: "Password",
  client_id: "Client ID",
  team_id: "Team ID",
};

function Guidance({ m }: { m: Method }) {
  switch (m) {
    case "asc-key":
      return (
        <ol class="guide">
          <li>Sign in to App Store Connect as the Account Holder or an Admin and open <strong>Users and Access → Integrations → App Store Connect API</strong>.</li>
          <li>Under <strong>Team Keys</strong>, choose <strong>Generate API Key</strong>, name it "Orchard" and give it the <strong>Admin</strong> role — or, to keep it narrow, <strong>Finance</strong> for sales and payments plus <strong>Customer Support</strong> to reply to reviews.</li>
          <li>Download the key (<code>AuthKey_XXXXXXXXXX.p8</code>). Apple lets you download it only once; keep it safe.</li>
          <li>Copy the <strong>Issuer ID</strong> shown above the list and the key's <strong>Key ID</strong>.</li>
          <li>Your <strong>vendor number</strong> is at the top of <strong>Payments and Financial Reports</strong>.</li>
        </ol>
      );
    case "app-password":
      return (
        <ol class="guide">
          <li>Sign in at <strong>account.apple.com</strong> with the Apple ID that has the Finance or Sales role in App Store Connect.</li>
          <li>Open <strong>Sign-In and Security → App-Specific Passwords</strong> and generate one labelled <strong>"Orchard"</strong>.</li>
          <li>Copy it as shown (<code>abcd-efgh-ijkl-mnop</code>). You can revoke it there at any time; Orchard then stops syncing and tells you.</li>
          <li>Your <strong>vendor number</strong> is at the top of <strong>Payments and Financial Reports</strong>.</li>
        </ol>
      );
    case "apple-id":
      return (
        <ol class="guide">
          <li>In App Store Connect, <strong>Users and Access → +</strong>: invite a new user with an e-mail address <strong>different from the owner's</strong> (e.g. <code>orchard@yourcompany.com</code>).</li>
          <li>Give it only the <strong>Finance</strong> and <strong>Customer Support</strong> roles, and access to the apps you want to sync.</li>
          <li>Accept the invitation, set a password, and turn on two-factor authentication with a trusted device your team can reach.</li>
          <li>Enter that Apple ID and password below. Apple then sends a six-digit code to the trusted device; Orchard asks you for it, and again about once a month.</li>
        </ol>
      );
    case "search-ads":
      return (
        <ol class="guide">
          <li>Generate a private key: <code>openssl ecparam -genkey -name prime256v1 -noout -out private-key.pem</code>, and its public key with <code>openssl ec -in private-key.pem -pubout</code>.</li>
          <li>In Apple Search Ads, <strong>Account Settings → API</strong>, paste the public key to create the certificate.</li>
          <li>Copy the <strong>client ID</strong>, <strong>team ID</strong> and <strong>key ID</strong> it shows.</li>
        </ol>
      );
  }
}

function Steps({ current, twoFactor }: { current: number; twoFactor: boolean }) {
  const names = ["Method", "Credentials", ...(twoFactor ? ["Two-factor code"] : []), "Confirm"];
  return (
    <ol class="steps" aria-label="Steps">
      {names.map((n, i) => (
        <li aria-current={i === current ? "step" : undefined} class={i < current ? "done" : i === current ? "current" : ""}>
          <span class="step-no">{i + 1}</span> {n}
        </li>
      ))}
    </ol>
  );
}

function StepHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h2 tabIndex={-1} ref={ref} class="step-heading">
      {children}
    </h2>
  );
}

export function LinkWizard({ who, path }: PageProps) {
  const chosen = path.split("/")[3] as Method | undefined;
  const method = METHODS.some((m) => m.id === chosen) ? chosen! : undefined;
  const [form, setForm] = useState<Form>(EMPTY);
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [account, setAccount] = useState<Account | null>(null);
  const [needCode, setNeedCode] = useState(false);
  const [code, setCode] = useState("");
  const [fileName, setFileName] = useState("");
  const [attempt, setAttempt] = useState(0);
  // After a refused submit, the first field in error takes the focus (its message is linked).
  useEffect(() => {
    if (attempt) document.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
  }, [attempt]);
  useEffect(() => {
    setForm(EMPTY);
    setTouched(false);
    setError("");
    setAccount(null);
    setNeedCode(false);
    setFileName("");
  }, [method]);

  if (!canManage(who.team)) {
    return (
      <>
        <h1>Link an account</h1>
        <RequestLinking />
      </>
    );
  }

  const twoFactor = method === "apple-id";
  const step = !method ? 0 : !account ? 1 : needCode ? 2 : twoFactor ? 3 : 2;
  const issues = method ? problems(method, form) : {};
  const setField = (k: keyof Form, v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (!method || Object.keys(issues).length) {
      setAttempt((a) => a + 1);
      return;
    }
    setBusy(true);
    setError("");
    try {
      const body: Record<string, string> = { method };
      for (const k of FIELDS[method]) if (form[k].trim()) body[k] = k === "private_key" || k === "password" ? form[k] : form[k].trim();
      const r = await api<Account>("POST", "/api/v1/accounts", body);
      setForm(EMPTY); // secrets leave the page's memory once sent
      setAccount(r);
      setNeedCode(r.next?.step === "two_factor_code");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const sendCode = async (e: Event) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(code)) {
      setError("The code is the six digits shown on the trusted device.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      const r = await api<Account>("POST", `/api/v1/accounts/${account!.id}/refresh`, { code });
      setAccount(r);
      setNeedCode(r.next?.step === "two_factor_code");
      setCode("");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const cancelLink = async () => {
    setError("");
    try {
      if (account) await api("DELETE", `/api/v1/accounts/${account.id}?purge_data=true`);
      navigate("/accounts");
    } catch (err) {
      setError("Could not unlink it: " + (err as Error).message + " — it is still linked; unlink it on the Accounts page.");
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>Link an account</h1>
      </div>
      <Steps current={step} twoFactor={twoFactor} />
      {step === 0 && (
        <section class="card" aria-labelledby="choose">
          <h2 id="choose">How do you want to link?</h2>
          <ul class="methods">
            {METHODS.map((m) => (
              <li>
                <a class="method" href={`/accounts/link/${m.id}`} data-method={m.id}>
                  <strong>{m.title}</strong>
                  <span>{m.blurb}</span>
                  <span class="muted small">Syncs: {m.unlocks}</span>
                </a>
              </li>
            ))}
          </ul>
          <p class="muted small">Credentials are checked with Apple, stored encrypted on this machine only, and never shown again.</p>
        </section>
      )}
      {step === 1 && method && (
        <section class="card">
          <StepHeading>{METHOD_NAMES[method]}</StepHeading>
          <div class="wizard-cols">
            <div>
              <h3>In Apple's website</h3>
              <Guidance m={method} />
            </div>
            <form onSubmit={submit} noValidate aria-label="Credentials">
              <h3>Then enter</h3>
              {FIELDS[method].map((k) => {
                const id = `f-${k}`;
                const bad = touched && issues[k];
                const common = {
                  id,
                  name: k,
                  "aria-invalid": bad ? ("true" as const) : ("false" as const),
                  "aria-describedby": bad ? `${id}-err` : undefined,
                };
                return (
                  <div class="field">
                    <label for={id}>{LABELS[k]}</label>
                    {k === "private_key" ? (
                      <>
                        <input
                          {...common}
                          type="file"
                          accept=".p8,.pem,.key,.txt"
                          onChange={async (e) => {
                            const file = (e.target as HTMLInputElement).files?.[0];
                            setFileName(file?.name ?? "");
                            setField("private_key", file ? await file.text() : "");
                          }}
                        />
                        {fileName && <small class="muted">{fileName} read; it is sent once and never shown again.</small>}
                      </>
                    ) : (
                      <input
                        {...common}
                        type={(k === "app_password" || k === "password" ? "password" : k === "apple_id" ? "email" : "text") as "text"}
                        autocomplete={k === "password" || k === "app_password" ? "new-password" : "off"} /* never Orchard's own saved login */
                        spellcheck={false}
                        inputMode={k === "vendor_number" ? "numeric" : undefined}
                        value={form[k]}
                        placeholder={k === "name" ? "e.g. Acme Games" : undefined}
                        onInput={(e) => setField(k, (e.target as HTMLInputElement).value)}
                      />
                    )}
                    {bad && (
                      <small id={`${id}-err`} class="error-text">
                        {issues[k]}
                      </small>
                    )}
                  </div>
                );
              })}
              <ErrorNote error={error} />
              <div class="row">
                <button type="submit" disabled={busy}>
                  {busy ? "Checking with Apple…" : "Check and link"}
                </button>
                <a class="button secondary" href="/accounts/link">
                  Back
                </a>
              </div>
            </form>
          </div>
        </section>
      )}
      {account && needCode && (
        <section class="card">
          <StepHeading>Enter the two-factor code</StepHeading>
          <p>{account.message || "Apple sent a six-digit code to the sub-account's trusted device."}</p>
          <form onSubmit={sendCode} class="code-box" aria-label="Two-factor code">
            <label for="f-code">Six-digit code</label>
            <input id="f-code" inputMode="numeric" autocomplete="one-time-code" maxLength={6} value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value.replace(/\D/g, ""))} />
            <ErrorNote error={error} />
            <div class="row">
              <button type="submit" disabled={busy}>{busy ? "Verifying…" : "Verify"}</button>
              <button type="button" class="secondary" onClick={cancelLink}>Cancel</button>
            </div>
          </form>
        </section>
      )}
      {account && !needCode && (
        <section class="card" data-testid="confirm-step">
          <StepHeading>Apple accepted {account.name || "the account"}</StepHeading>
          <p>
            It is linked, and here is what Orchard can sync with it. Confirm to keep it: syncing starts at the scheduler's next look. Cancel unlinks it at once and
            deletes anything already synced from it.
          </p>
          <Capabilities caps={account.capabilities} method={account.method} />
          {account.message && <p class="note">{account.message}</p>}
          <ErrorNote error={error} />
          <div class="row">
            <button onClick={() => navigate("/accounts")}>Confirm and start syncing</button>
            <button class="secondary" onClick={cancelLink}>Cancel and unlink</button>
          </div>
        </section>
      )}
    </>
  );
}
