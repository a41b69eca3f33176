// The report grammar as controls: range, granularity, group by, product and country filters,
// currency. The URL holds the query (a deep link shows the same answer); chart, table and CSV
// export read the same API answer.
import { useEffect, useMemo, useState } from "preact/hooks";
import { BarList, TimeChart, type Series } from "../components/TimeChart";
import { Card, ErrorNote, Loading, Select, useAsync } from "../components/ui";
import { countryName } from "../countries";
import { CURRENCIES, formatDay, formatInt, formatMoney, formatMoneyCompact, preferences } from "../format";
import { navigate } from "../router";
import { col, everyDay, fetchSales, isMoney, measureLabel, MEASURES, presetRange, products, RANGES, salesCsvUrl, type Product, type SalesAnswer } from "../reports";
import type { PageProps } from "./registry";

const KEYS = ["date", "product", "country", "device"] as const;
const KEY_LABELS: Record<string, string> = { date: "Date", product: "Product", country: "Country", device: "Device", product_name: "Name" };
// Text columns of an answer: the group keys, and the product's name beside its id.
const isText = (c: string) => c in KEY_LABELS;
const GRANULARITIES = [
  { value: "daily", label: "Daily" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
  { value: "yearly", label: "Yearly" },
];
const ROW_LIMIT = 1000;

interface Query {
  range: string; // a preset, or "custom"
  start: string;
  end: string;
  granularity: string;
  groupBy: string[];
  products: string[];
  countries: string;
  currency: string;
  measure: string;
}

function readQuery(p: URLSearchParams): Query {
  const range = p.get("range") ?? (p.get("start_date") ? "custom" : "30d");
  const preset = presetRange(range === "custom" ? "30d" : range);
  const groupBy = (p.get("group_by") ?? "date").split(",").filter((k) => (KEYS as readonly string[]).includes(k)).slice(0, 3);
  return {
    range,
    start: range === "custom" ? (p.get("start_date") ?? preset.start) : preset.start,
    end: range === "custom" ? (p.get("end_date") ?? preset.end) : preset.end,
    granularity: p.get("granularity") ?? "daily",
    groupBy,
    products: (p.get("products") ?? "").split(",").filter(Boolean),
    countries: p.get("countries") ?? "",
    currency: p.get("currency") ?? "",
    measure: MEASURES.some((m) => m.key === p.get("measure")) ? p.get("measure")! : "downloads",
  };
}

function writeQuery(q: Query): string {
  const p = new URLSearchParams();
  p.set("range", q.range);
  if (q.range === "custom") {
    p.set("start_date", q.start);
    p.set("end_date", q.end);
  }
  if (q.granularity !== "daily") p.set("granularity", q.granularity);
  p.set("group_by", q.groupBy.join(","));
  if (q.products.length) p.set("products", q.products.join(","));
  if (q.countries.trim()) p.set("countries", q.countries.trim());
  if (q.currency) p.set("currency", q.currency);
  if (q.measure !== "downloads") p.set("measure", q.measure);
  return "/sales?" + p.toString();
}

// The API's parameters for a query (group_by may be empty: totals only).
function apiParams(q: Query): Record<string, string | undefined> {
  return {
    start_date: q.start,
    end_date: q.end,
    granularity: q.granularity,
    group_by: q.groupBy.join(",") || undefined,
    products: q.products.join(",") || undefined,
    countries: q.countries.replace(/\s+/g, "") || undefined,
    currency: q.currency || undefined,
  };
}

export function Sales({ params }: PageProps) {
  const q = readQuery(params);
  const set = (patch: Partial<Query>) => navigate(writeQuery({ ...q, ...patch }), true);
  const key = JSON.stringify(apiParams(q));
  const answer = useAsync(() => fetchSales(apiParams(q)), [key]);
  const catalog = useAsync(() => products(), []);
  const [countriesDraft, setCountriesDraft] = useState(q.countries);
  useEffect(() => setCountriesDraft(q.countries), [q.countries]); // back/forward, links
  const [sort, setSort] = useState<{ name: string; desc: boolean } | null>(null);

  const currency = answer.data?.query.currency ?? q.currency ?? preferences().currency;
  const fmt = (m: string) => (isMoney(m) ? (n: number) => formatMoney(n, currency) : formatInt);
  const label = (k: string, v: string | number) => cellLabel(k, v, catalog.data);

  const chart = useMemo(() => (answer.data ? chartOf(answer.data, q, label) : null), [answer.data, q.measure, catalog.data]);
  const rows = useMemo(() => {
    if (!answer.data) return [];
    const r = [...answer.data.rows];
    const i = sort ? answer.data.columns.indexOf(sort.name) : -1;
    if (sort && i >= 0) {
      r.sort((a, b) => {
        const x = a[i];
        const y = b[i];
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return sort.desc ? -c : c;
      });
    }
    return r;
  }, [answer.data, sort]);

  // Apps by name, each followed by its in-app purchases.
  const all = [...(catalog.data?.values() ?? [])];
  const apps = all
    .filter((p) => p.kind === "app")
    .sort((a, b) => a.title.localeCompare(b.title))
    .flatMap((a) => [a, ...all.filter((p) => p.parent_apple_id === a.apple_id).sort((x, y) => x.title.localeCompare(y.title))]);
  apps.push(...all.filter((p) => p.kind !== "app" && !all.some((a) => a.apple_id === p.parent_apple_id)));
  return (
    <>
      <div class="page-head">
        <h1>Sales</h1>
        <a class="button secondary" href={salesCsvUrl(apiParams(q))} download="orchard-sales.csv" data-testid="export-csv">
          Export CSV
        </a>
      </div>
      <form class="card controls-grid" aria-label="Report controls" onSubmit={(e) => e.preventDefault()}>
        <Select label="Range" id="sales-range" value={q.range} options={[...RANGES, { value: "custom", label: "Custom…" }]} onChange={(v) => set({ range: v, ...(v === "custom" ? {} : presetRange(v)) })} />
        {q.range === "custom" && (
          <>
            <label class="field">
              <span>From</span>
              <input type="date" value={q.start} max={q.end} onChange={(e) => set({ start: (e.target as HTMLInputElement).value })} />
            </label>
            <label class="field">
              <span>To</span>
              <input type="date" value={q.end} min={q.start} onChange={(e) => set({ end: (e.target as HTMLInputElement).value })} />
            </label>
          </>
        )}
        <Select label="Granularity" id="sales-granularity" value={q.granularity} options={GRANULARITIES} onChange={(v) => set({ granularity: v })} />
        <fieldset class="field checks">
          <legend>Group by (up to 3)</legend>
          {KEYS.map((k) => {
            const on = q.groupBy.includes(k);
            return (
              <label class="check">
                <input
                  type="checkbox"
                  name="group_by"
                  value={k}
                  checked={on}
                  disabled={!on && q.groupBy.length >= 3}
                  onChange={() => set({ groupBy: on ? q.groupBy.filter((x) => x !== k) : KEYS.filter((x) => x === k || q.groupBy.includes(x)) })}
                />
                {KEY_LABELS[k]}
              </label>
            );
          })}
        </fieldset>
        <label class="field">
          <span>Products</span>
          <select
            multiple
            size={4}
            aria-describedby="products-help"
            onChange={(e) => set({ products: [...(e.target as HTMLSelectElement).selectedOptions].map((o) => o.value) })}
          >
            {apps.map((p) => (
              <option value={p.apple_id} selected={q.products.includes(p.apple_id)}>
                {p.kind === "in_app" ? "\u00a0\u00a0↳ " : ""}
                {p.title}
              </option>
            ))}
          </select>
          <small id="products-help" class="muted">
            None selected: all products
          </small>
        </label>
        <label class="field">
          <span>Countries</span>
          <input
            type="text"
            placeholder="e.g. US, GB, DE"
            value={countriesDraft}
            aria-describedby="countries-help"
            onInput={(e) => setCountriesDraft((e.target as HTMLInputElement).value)}
            onBlur={() => countriesDraft !== q.countries && set({ countries: countriesDraft })}
            onKeyDown={(e) => e.key === "Enter" && set({ countries: countriesDraft })}
          />
          <small id="countries-help" class="muted">
            Two-letter codes, comma separated
          </small>
        </label>
        <Select
          label="Currency"
          id="sales-currency"
          value={q.currency}
          options={[{ value: "", label: `My default (${preferences().currency || "USD"})` }, ...CURRENCIES.map((c) => ({ value: c, label: c }))]}
          onChange={(v) => set({ currency: v })}
        />
        <Select label="Chart measure" id="sales-measure" value={q.measure} options={MEASURES.map((m) => ({ value: m.key, label: m.label }))} onChange={(v) => set({ measure: v })} />
      </form>
      <ErrorNote error={answer.error} />
      {answer.loading && !answer.data && <Loading what="the report" />}
      {answer.loading && answer.data && (
        <p class="muted" role="status">
          Updating…
        </p>
      )}
      {answer.data && chart && (
        <Card
          title={`${measureLabel(q.measure)}${q.groupBy.length ? " by " + q.groupBy.map((k) => KEY_LABELS[k].toLowerCase()).join(", ") : ""}`}
          id="h-sales-chart"
          actions={chart.kind === "time" && chart.series.length >= 6 ? <span class="muted small">the 6 largest; every row is in the table</span> : undefined}
        >
          {chart.kind === "time" ? (
            <TimeChart days={chart.days} series={chart.series} money={isMoney(q.measure) ? fmt(q.measure) : undefined} axis={isMoney(q.measure) ? (n) => formatMoneyCompact(n, currency) : undefined} label={`${measureLabel(q.measure)} over time`} />
          ) : (
            <BarList label={`${measureLabel(q.measure)} by group`} rows={chart.bars} format={fmt(q.measure)} />
          )}
        </Card>
      )}
      {answer.data && (
        <Card title="Table" id="h-sales-table" actions={<span class="muted" data-testid="row-count" aria-busy={answer.loading}>{answer.loading ? "updating" : `${formatInt(answer.data.rows.length)} rows`}</span>}>
          <div class="table-wrap" tabIndex={0} aria-label="Sales table, scrollable">
            <table class="data" data-testid="sales-table">
              <thead>
                <tr>
                  {answer.data.columns.map((c) => (
                    <th scope="col" class={isText(c) ? "" : "num"} aria-sort={sort?.name === c ? (sort.desc ? "descending" : "ascending") : undefined}>
                      <button class="th-sort" onClick={() => setSort({ name: c, desc: sort?.name === c ? !sort.desc : !isText(c) })}>
                        {KEY_LABELS[c] ?? measureLabel(c)}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, ROW_LIMIT).map((r) => (
                  <tr>
                    {r.map((v, i) => {
                      const c = answer.data!.columns[i];
                      if (c === "product_name") return <td>{String(v)}</td>;
                      if (c === "product") return <td>{String(v)}</td>; // the Apple ID; its name is the next column
                      return isText(c) ? <td>{label(c, v)}</td> : <td class="num">{fmt(c)(Number(v))}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  {answer.data.columns.map((c, i) =>
                    isText(c) ? (i === 0 ? <th scope="row">Total</th> : <td />) : <td class="num" data-total={c}>{fmt(c)(Number(answer.data!.totals[c] ?? 0))}</td>,
                  )}
                </tr>
              </tfoot>
            </table>
          </div>
          {rows.length > ROW_LIMIT && <p class="muted">The first {formatInt(ROW_LIMIT)} rows are shown; the CSV export has all {formatInt(rows.length)}.</p>}
          {rows.length === 0 && <p class="muted">No sales in this range and filter.</p>}
        </Card>
      )}
    </>
  );
}

function cellLabel(key: string, v: string | number, catalog?: Map<string, Product>): string {
  const s = String(v);
  if (key === "product") {
    const p = catalog?.get(s);
    return p ? p.title : s;
  }
  if (key === "country") return `${countryName(s)} (${s})`;
  if (key === "date") return formatDay(s);
  return s;
}

type Chart = { kind: "time"; days: string[]; series: Series[] } | { kind: "bars"; bars: { key: string; label: string; value: number }[] };

function chartOf(a: SalesAnswer, q: Query, label: (k: string, v: string | number) => string): Chart {
  const m = col(a, q.measure);
  const d = col(a, "date");
  const others = q.groupBy.filter((k) => k !== "date");
  if (d >= 0) {
    const days =
      q.granularity === "daily" && a.query.start_date && a.query.end_date
        ? everyDay({ start: a.query.start_date, end: a.query.end_date })
        : [...new Set(a.rows.map((r) => String(r[d])))].sort();
    const index = new Map(days.map((day, i) => [day, i]));
    // One line per value of the next key, the 6 largest (the rest is in the table: a summed
    // "Other" line would dwarf them).
    const other = others[0];
    const o = other ? col(a, other) : -1;
    const totals = new Map<string, number>();
    for (const r of a.rows) {
      const k = o >= 0 ? String(r[o]) : "all";
      totals.set(k, (totals.get(k) ?? 0) + Number(r[m]));
    }
    const top = [...totals.entries()].sort((x, y) => y[1] - x[1]).slice(0, 6).map(([k]) => k);
    const lines = new Map<string, number[]>(top.map((k) => [k, days.map(() => 0)]));
    for (const r of a.rows) {
      const i = index.get(String(r[d]));
      if (i === undefined) continue;
      const k = o >= 0 ? String(r[o]) : "all";
      const line = lines.get(k);
      if (line) line[i] += Number(r[m]);
    }
    const series: Series[] = top.map((k) => ({ label: o >= 0 ? label(other, k) : measureLabel(q.measure), values: lines.get(k)! }));
    if (series.length === 0) series.push({ label: measureLabel(q.measure), values: days.map(() => 0) });
    return { kind: "time", days, series };
  }
  const keys = q.groupBy.map((k) => col(a, k));
  const bars = a.rows
    .map((r) => ({ key: keys.map((i) => String(r[i])).join("|"), label: keys.map((i, j) => label(q.groupBy[j], r[i])).join(" · ") || "All", value: Number(r[m]) }))
    .sort((x, y) => y.value - x.value)
    .slice(0, 15);
  return { kind: "bars", bars };
}
