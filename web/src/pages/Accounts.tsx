// Every linked account's health: state, last and next sync, last error, capabilities, refresh due;
// refresh (with the two-factor code when Apple asks for one) and unlink. Viewers see who can link
// for them and may ask.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, get, type Account, type Member } from "../api";
import { METHOD_NAMES, STATE_WORDS } from "../accounts";
import { Capabilities } from "../components/Capabilities";
import { Badge, Card, ErrorNote, Loading, useAsync } from "../components/ui";
import { formatInstant, formatRelative } from "../format";
import { canManage } from "../session";
import type { PageProps } from "./registry";

export function Accounts({ who }: PageProps) {
  const manage = canManage(who.team);
  const list = useAsync(async () => {
    const { accounts } = await get<{ accounts: Account[] }>("/api/v1/accounts");
    // Health applies the clock (refresh due, needs refresh) to each.
    return Promise.all(accounts.map((a) => get<Account>(`/api/v1/accounts/${a.id}/health`).then((h) => ({ ...a, ...h })).catch(() => a)));
  }, []);
  return (
    <>
      <div class="page-head">
        <h1>Accounts</h1>
        {manage && (
          <a class="button" href="/accounts/link">
            Link an account
          </a>
        )}
      </div>
      {!manage && <RequestLinking />}
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading what="accounts" />}
      {list.data?.length === 0 && (
        <Card>
          <p>No App Store Connect account is linked yet. {manage ? <a href="/accounts/link">Link one</a> : "Ask an Owner or Admin to link one."}</p>
        </Card>
      )}
      <div class="accounts">
        {list.data?.map((a) => <AccountCard key={a.id} a={a} manage={manage} reload={list.reload} />)}
      </div>
    </>
  );
}

function AccountCard({ a, manage, reload }: { a: Account; manage: boolean; reload: () => void }) {
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [askCode, setAskCode] = useState(a.status === "pending");
  const [code, setCode] = useState("");
  const [confirmUnlink, setConfirmUnlink] = useState(false);
  const [purge, setPurge] = useState(false);
  const unlinkButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirmUnlink) unlinkButton.current?.focus(); // the question is announced and answerable at once
  }, [confirmUnlink]);
  const state = STATE_WORDS[a.state ?? a.status] ?? { words: a.state ?? a.status, tone: "info" as const };
  const run = async (what: string, f: () => Promise<void>) => {
    setBusy(what);
    setError("");
    setMessage("");
    try {
      await f();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy("");
    }
  };
  const refresh = () =>
    run("refresh", async () => {
      const r = await api<Account>("POST", `/api/v1/accounts/${a.id}/refresh`, code ? { code } : {});
      setMessage(r.message ?? "Checked.");
      setCode("");
      if (r.next?.step === "two_factor_code") setAskCode(true);
      else {
        setAskCode(false);
        reload();
      }
    });
  const headingId = `account-${a.id}`;
  return (
    <section class="card account" aria-labelledby={headingId} data-account-id={a.id}>
      <div class="card-head">
        <h2 id={headingId}>{a.name || METHOD_NAMES[a.method]}</h2>
        <Badge tone={state.tone}>{state.words}</Badge>
      </div>
      <p class="muted small">
        {METHOD_NAMES[a.method]}
        {a.key_id && ` · key ${a.key_id}`}
        {a.apple_id && ` · ${a.apple_id}`}
        {a.vendor_number && ` · vendor ${a.vendor_number}`}
      </p>
      <dl class="facts">
        <div>
          <dt>Last sync</dt>
          <dd title={formatInstant(a.last_sync_at)}>{formatRelative(a.last_sync_at)}</dd>
        </div>
        <div>
          <dt>Next sync</dt>
          <dd title={a.next_sync_at ? formatInstant(a.next_sync_at) : (a.sync_note ?? "")}>
            {!a.next_sync_at ? "not scheduled" : a.next_sync_at <= Date.now() / 1000 + 60 ? "due now" : formatRelative(a.next_sync_at)}
          </dd>
        </div>
        {a.refresh_due_at ? (
          <div>
            <dt>Refresh due</dt>
            <dd>{formatInstant(a.refresh_due_at)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Last error</dt>
          <dd class={a.last_error ? "error-text" : ""}>{a.last_error || "none"}</dd>
        </div>
      </dl>
      {a.message && a.state !== "active" && <p class="note">{a.message}</p>}
      {a.sync_note && a.method !== "search-ads" && <p class="muted small">Not synced: {a.sync_note}</p>}
      <Capabilities caps={a.capabilities} method={a.method} />
      {manage && (
        <div class="row actions">
          <button class="secondary" disabled={!!busy} onClick={refresh}>
            {busy === "refresh" ? "Checking…" : a.method === "apple-id" ? "Refresh sign-in" : "Check now"}
          </button>
          <button class="danger" disabled={!!busy} onClick={() => setConfirmUnlink(true)}>
            Unlink
          </button>
        </div>
      )}
      {askCode && manage && (
        <form class="code-box" onSubmit={(e) => { e.preventDefault(); refresh(); }}>
          <label>
            Two-factor code sent to the sub-account's trusted device
            <input inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit" disabled={!!busy || code.length !== 6}>Verify</button>
        </form>
      )}
      {confirmUnlink && (
        <div class="confirm" role="alertdialog" aria-labelledby={`unlink-${a.id}`}>
          <p id={`unlink-${a.id}`}>
            Unlink <strong>{a.name}</strong>? Its credentials are erased at once; syncing stops.
          </p>
          <label class="check">
            <input type="checkbox" checked={purge} onChange={() => setPurge(!purge)} /> Also delete the data synced from it
          </label>
          <div class="row">
            <button class="danger" disabled={!!busy} ref={unlinkButton} onClick={() => run("unlink", async () => { await api("DELETE", `/api/v1/accounts/${a.id}${purge ? "?purge_data=true" : ""}`); reload(); })}>
              Unlink now
            </button>
            <button class="secondary" onClick={() => setConfirmUnlink(false)}>Keep it</button>
          </div>
        </div>
      )}
      {message && <p class="note" role="status">{message}</p>}
      <ErrorNote error={error} />
    </section>
  );
}

// For Viewers: who can link, and a request they receive as a notification.
export function RequestLinking() {
  const members = useAsync(() => get<{ members: Member[] }>("/api/v1/team/members"), []);
  const [note, setNote] = useState("");
  const [sent, setSent] = useState("");
  const [error, setError] = useState("");
  const managers = (members.data?.members ?? []).filter((m) => m.role !== "viewer");
  return (
    <Card title="Linking is done by an Owner or Admin" id="h-request">
      <p>
        You are a Viewer in this team: you can see everything, but linking an App Store Connect account needs an Owner or Admin.
      </p>
      {managers.length > 0 && (
        <p data-testid="managers">
          Who can link: {managers.map((m) => `${m.email} (${m.role === "owner" ? "Owner" : "Admin"})`).join(", ")}
        </p>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          try {
            await api("POST", "/api/v1/link-requests", note.trim() ? { message: note.trim() } : {});
            setSent("Your request was sent to them. They will see it in their notifications.");
            setNote("");
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          A note for them (optional)
          <input type="text" maxLength={500} value={note} placeholder="e.g. please link the new app's account" onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Request linking</button>
      </form>
      {sent && <p class="note" role="status">{sent}</p>}
      <ErrorNote error={error} />
    </Card>
  );
}
