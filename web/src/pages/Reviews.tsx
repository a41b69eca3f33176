// The reviews inbox: the filters of the reviews API, replies written in place (pending until
// Apple publishes them), and for one app its ratings histogram and ratings over time.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, get, query } from "../api";
import { BarList, TimeChart } from "../components/TimeChart";
import { Badge, Card, ErrorNote, Loading, Select, useAsync } from "../components/ui";
import { countryName } from "../countries";
import { formatInt, formatInstant } from "../format";
import { navigate } from "../router";
import { products } from "../reports";
import { canManage } from "../session";
import type { PageProps } from "./registry";

interface Review {
  id: number;
  app: string;
  country: string;
  rating: number;
  title: string;
  body: string;
  author: string;
  version: string;
  updated: string;
  reply_state: "none" | "pending" | "published" | "outdated";
  source: "asc" | "rss";
  response: { body: string; state: string; updated: string | null } | null;
}

interface Page {
  total: number;
  reviews: Review[];
}

interface Counts {
  total: number;
  by_rating: Record<string, number>;
}

interface RatingsAnswer {
  rows: { app: string; country: string; day: string; average: number; count: number; one_star?: number; two_star?: number; three_star?: number; four_star?: number; five_star?: number }[];
}

const PAGE = 25;
const STATES = [
  { value: "", label: "Any reply state" },
  { value: "none", label: "Unanswered" },
  { value: "pending", label: "Reply pending" },
  { value: "published", label: "Reply published" },
  { value: "outdated", label: "Reply outdated (review edited)" },
];
const SINCE = [
  { value: "", label: "Any time" },
  { value: "-6d", label: "Last 7 days" }, // from is inclusive: today and the 6 days before
  { value: "-29d", label: "Last 30 days" },
  { value: "-89d", label: "Last 90 days" },
  { value: "-1y", label: "Last 12 months" },
];
const STATE_TONE = { none: "warn", pending: "info", published: "ok", outdated: "bad" } as const;
const STATE_WORDS = { none: "Unanswered", pending: "Reply pending", published: "Reply published", outdated: "Reply outdated" };

export function Reviews({ params, who }: PageProps) {
  const f = {
    app: params.get("app") ?? "",
    rating: params.get("rating") ?? "",
    country: params.get("country") ?? "",
    reply_state: params.get("reply_state") ?? "",
    q: params.get("q") ?? "",
    from: params.get("from") ?? "",
  };
  const offset = Number(params.get("offset") ?? 0) || 0;
  const set = (patch: Record<string, string>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries({ ...patch, offset: patch.offset ?? "" })) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    navigate("/reviews?" + p.toString(), true);
  };
  const filter = { app: f.app, rating: f.rating, country: f.country, reply_state: f.reply_state, q: f.q, from: f.from };
  const key = JSON.stringify(filter);
  const list = useAsync(() => get<Page>("/api/v1/reviews" + query({ ...filter, limit: PAGE, offset })), [key, offset]);
  const counts = useAsync(() => get<Counts>("/api/v1/reviews/counts" + query(filter)), [key]);
  const catalog = useAsync(() => products(), []);
  const tracked = useAsync(() => get<{ apps: { app: string }[] }>("/api/v1/apps/tracked").catch(() => ({ apps: [] })), []);
  const [search, setSearch] = useState(f.q);
  const [countryDraft, setCountryDraft] = useState(f.country);
  useEffect(() => setSearch(f.q), [f.q]); // back/forward, links
  useEffect(() => setCountryDraft(f.country), [f.country]);
  const [edited, setEdited] = useState<Record<number, Review>>({});
  useEffect(() => setEdited({}), [key, offset]);

  const appName = (id: string) => catalog.data?.get(id)?.title ?? `App ${id}`;
  const appOptions = [
    { value: "", label: "All apps" },
    ...[...(catalog.data?.values() ?? [])].filter((p) => p.kind === "app").map((p) => ({ value: p.apple_id, label: p.title })),
    ...(tracked.data?.apps ?? []).filter((a) => !catalog.data?.has(a.app)).map((a) => ({ value: a.app, label: `App ${a.app} (tracked)` })),
  ];
  // Ratings of the chosen app, else of the first app (by name) of the team.
  const firstApp = appOptions.find((o) => o.value !== "")?.value ?? "";
  const ratingApp = f.app && /^\d+$/.test(f.app) && !f.app.includes(",") ? f.app : firstApp;
  const mayReply = canManage(who.team);

  return (
    <>
      <div class="page-head">
        <h1>Reviews</h1>
        <a class="button secondary" href={"/api/v1/reviews" + query({ ...filter, format: "csv", limit: 1000 })} download="orchard-reviews.csv">
          Export CSV (up to 1,000)
        </a>
      </div>
      <form class="card controls-grid" aria-label="Review filters" onSubmit={(e) => { e.preventDefault(); set({ q: search.trim(), country: countryDraft.trim() }); }}>
        <Select label="App" id="reviews-app" value={f.app} options={appOptions} onChange={(v) => set({ app: v })} />
        <Select
          label="Stars"
          id="reviews-rating"
          value={f.rating}
          options={[{ value: "", label: "Any rating" }, { value: "1,2", label: "1–2 stars" }, { value: "3", label: "3 stars" }, { value: "4,5", label: "4–5 stars" }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: `${n} star${n > 1 ? "s" : ""} only` }))]}
          onChange={(v) => set({ rating: v })}
        />
        <Select label="Reply" id="reviews-state" value={f.reply_state} options={STATES} onChange={(v) => set({ reply_state: v })} />
        <Select label="Updated" id="reviews-from" value={f.from} options={SINCE} onChange={(v) => set({ from: v })} />
        <label class="field">
          <span>Countries</span>
          <input type="text" placeholder="e.g. us, gb" value={countryDraft} onInput={(e) => setCountryDraft((e.target as HTMLInputElement).value)} onBlur={() => countryDraft.trim() !== f.country && set({ country: countryDraft.trim() })} />
        </label>
        <label class="field grow">
          <span>Search text</span>
          <input type="search" placeholder="Words in the title or text" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </label>
        <div class="field end">
          <button type="submit">Apply</button>
        </div>
      </form>
      <div class="grid-reviews">
        <div>
          <ErrorNote error={list.error} />
          {list.loading && !list.data && <Loading what="reviews" />}
          {list.data && (
            <>
              <p class="muted" aria-live="polite" data-testid="review-total">
                {formatInt(list.data.total)} review{list.data.total === 1 ? "" : "s"}
                {list.data.total > PAGE && ` · ${offset + 1}–${Math.min(offset + PAGE, list.data.total)}`}
              </p>
              <ul class="reviews" aria-label="Reviews">
                {list.data.reviews.map((r0) => {
                  const r = edited[r0.id] ?? r0;
                  return <ReviewItem key={r.id} r={r} appName={appName(r.app)} mayReply={mayReply} onChange={(n) => { setEdited((e) => ({ ...e, [n.id]: n })); counts.reload(); }} />;
                })}
              </ul>
              {list.data.total === 0 && <p class="muted">No reviews match these filters.</p>}
              <div class="pager">
                <button class="secondary" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - PAGE)) })}>
                  Newer
                </button>
                <button class="secondary" disabled={offset + PAGE >= list.data.total} onClick={() => set({ offset: String(offset + PAGE) })}>
                  Older
                </button>
              </div>
            </>
          )}
        </div>
        <aside>
          <Card title="Stars" id="h-stars">
            {counts.data ? (
              <BarList label="Reviews by star rating" rows={[5, 4, 3, 2, 1].map((n) => ({ key: String(n), label: `${n} ★`, value: counts.data!.by_rating[String(n)] ?? 0 }))} format={formatInt} />
            ) : (
              <Loading what="counts" />
            )}
          </Card>
          {ratingApp ? <RatingsCard app={ratingApp} name={appName(ratingApp)} /> : (
            <Card title="Ratings over time" id="h-ratings">
              <p class="muted">Choose an app to see its star ratings in the App Store and how they moved.</p>
            </Card>
          )}
        </aside>
      </div>
    </>
  );
}

function Stars({ n }: { n: number }) {
  return (
    <span class="stars" role="img" aria-label={`${n} out of 5 stars`}>
      <span aria-hidden="true">{"★".repeat(n)}</span>
      <span class="stars-off" aria-hidden="true">{"★".repeat(5 - n)}</span>
    </span>
  );
}

function ReviewItem({ r, appName, mayReply, onChange }: { r: Review; appName: string; mayReply: boolean; onChange: (r: Review) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(r.response?.body ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const send = async () => {
    setBusy(true);
    setError("");
    try {
      const next = await api<Review>("PUT", `/api/v1/reviews/${r.id}/response`, { body: text });
      onChange(next);
      setOpen(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const replyId = `reply-${r.id}`;
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (open) box.current?.focus();
  }, [open]);
  return (
    <li class="review card" data-review-id={r.id} data-reply-state={r.reply_state}>
      <div class="review-head">
        <Stars n={r.rating} />
        <strong class="review-title">{r.title || "(no title)"}</strong>
        <Badge tone={STATE_TONE[r.reply_state]}>{STATE_WORDS[r.reply_state]}</Badge>
      </div>
      <p class="review-body">{r.body}</p>
      <p class="muted small">
        {r.author || "Anonymous"} · {countryName(r.country)} · {appName}
        {r.version && ` · version ${r.version}`} · {formatInstant(Date.parse(r.updated) / 1000)}
      </p>
      {r.response && (
        <blockquote class="response">
          <span class="muted small">Your response ({r.response.state}):</span>
          <p>{r.response.body}</p>
        </blockquote>
      )}
      {mayReply && r.source === "asc" && !open && (
        <button class="secondary small" onClick={() => setOpen(true)}>
          {r.response ? "Edit response" : "Reply"}
        </button>
      )}
      {open && (
        <div class="reply-box">
          <label for={replyId}>Your response to {r.author || "this customer"}</label>
          <textarea ref={box} id={replyId} rows={4} maxLength={5970} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          <ErrorNote error={error} />
          <div class="row">
            <button disabled={busy || !text.trim()} onClick={send}>
              {busy ? "Sending…" : "Send response"}
            </button>
            <button class="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
          <p class="muted small">Apple reviews responses before they appear in the store: it stays "pending" until then.</p>
        </div>
      )}
    </li>
  );
}

function RatingsCard({ app, name }: { app: string; name: string }) {
  const ww = useAsync(() => get<RatingsAnswer>("/api/v1/ratings" + query({ app, country: "ww" })), [app]);
  const rows = ww.data?.rows ?? [];
  const latest = rows[rows.length - 1];
  const days = useMemo(() => rows.map((r) => r.day), [ww.data]);
  const series = useMemo(() => [{ label: "Average rating", values: rows.map((r) => r.average) }], [ww.data]);
  return (
    <Card title={`Ratings of ${name}`} id="h-ratings">
      <ErrorNote error={ww.error} />
      {ww.loading && <Loading what="ratings" />}
      {!ww.loading && !latest && <p class="muted">No ratings snapshot yet: they are taken once a day.</p>}
      {latest && (
        <>
          <p class="rating-big">
            <strong>{latest.average.toFixed(2)}</strong> ★ from {formatInt(latest.count)} ratings worldwide
          </p>
          {latest.five_star !== undefined && (
            <BarList
              label="Ratings histogram"
              format={formatInt}
              rows={[
                { key: "5", label: "5 ★", value: latest.five_star ?? 0 },
                { key: "4", label: "4 ★", value: latest.four_star ?? 0 },
                { key: "3", label: "3 ★", value: latest.three_star ?? 0 },
                { key: "2", label: "2 ★", value: latest.two_star ?? 0 },
                { key: "1", label: "1 ★", value: latest.one_star ?? 0 },
              ]}
            />
          )}
          <h3>Average over time</h3>
          <TimeChart height={180} days={days} series={series} money={(n) => n.toFixed(2)} label={`Average rating of ${name} per day`} />
        </>
      )}
    </Card>
  );
}
