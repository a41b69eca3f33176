// At a glance: downloads, revenue, updates, returns over a range against the period before it;
// the daily trend; top products and countries; a world map by downloads or revenue.
import { useEffect, useMemo, useState } from "preact/hooks";
import { BarList, TimeChart, type Series } from "../components/TimeChart";
import { WorldMap } from "../components/WorldMap";
import { Card, ErrorNote, Loading, Select, Tile } from "../components/ui";
import { countryName } from "../countries";
import { formatChange, formatDay, formatInt, formatMoney, formatMoneyCompact } from "../format";
import { navigate } from "../router";
import { col, everyDay, fetchSales, presetRange, previousRange, products, RANGES, type Product, type SalesAnswer } from "../reports";
import type { PageProps } from "./registry";

interface OverviewData {
  current: SalesAnswer;
  previous: SalesAnswer;
  byProduct: SalesAnswer;
  byCountry: SalesAnswer;
  catalog: Map<string, Product>;
}

declare global {
  interface Window {
    __orchardOverview?: { apiDone: number; rendered: number; apps: number; days: number; start: string };
  }
}

export function Overview({ params }: PageProps) {
  const rangeKey = RANGES.some((r) => r.value === params.get("range")) ? params.get("range")! : "30d";
  const mapMeasure = params.get("map") === "revenue" ? "revenue" : "downloads";
  const range = useMemo(() => presetRange(rangeKey), [rangeKey]);
  const [data, setData] = useState<OverviewData | null>(null);
  const [error, setError] = useState("");
  const [apiDone, setApiDone] = useState(0);

  useEffect(() => {
    let live = true;
    setError("");
    setData(null); // never the old range's numbers under the new range's label
    const prev = previousRange(range);
    const base = { start_date: range.start, end_date: range.end };
    Promise.all([
      fetchSales({ ...base, group_by: "date" }),
      fetchSales({ start_date: prev.start, end_date: prev.end, group_by: "date" }),
      fetchSales({ ...base, group_by: "product" }),
      fetchSales({ ...base, group_by: "country" }),
      products(),
    ]).then(
      ([current, previous, byProduct, byCountry, catalog]) => {
        if (!live) return;
        setApiDone(performance.now());
        setData({ current, previous, byProduct, byCountry, catalog });
      },
      (e) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [range.start, range.end]);

  // The time from the last API answer to the page drawn (the browser test reads it).
  useEffect(() => {
    if (!data || !apiDone) return;
    requestAnimationFrame(() => {
      window.__orchardOverview = {
        apiDone,
        rendered: performance.now(),
        apps: [...data.catalog.values()].filter((p) => p.kind === "app").length,
        days: data.current.rows.length,
        start: range.start,
      };
      performance.measure("overview-render", { start: apiDone, end: performance.now() });
    });
  }, [data, apiDone]);

  const set = (k: string, v: string) => {
    const q = new URLSearchParams(params);
    q.set(k, v);
    navigate("/?" + q.toString(), true);
  };

  const currency = data?.current.query.currency ?? "USD";
  const money = (n: number) => formatMoney(n, currency);
  const view = useMemo(() => (data ? derive(data, range) : null), [data]);

  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <div class="controls">
          <Select label="Range" id="overview-range" value={rangeKey} options={RANGES} onChange={(v) => set("range", v)} />
        </div>
      </div>
      <p class="muted">
        {formatDay(range.start)} – {formatDay(range.end)}, compared with the {RANGES.find((r) => r.value === rangeKey)!.days} days before.
        Amounts in {currency}.
      </p>
      <ErrorNote error={error} />
      {!data && !error && <Loading what="the overview" />}
      {data && view && (
        <>
          <div class="tiles" aria-label="Totals">
            <Tile testid="tile-downloads" label="Downloads" value={formatInt(view.now.downloads)} change={formatChange(view.now.downloads, view.before.downloads)} good={view.now.downloads >= view.before.downloads} />
            <Tile testid="tile-revenue" label="Revenue" value={money(view.now.revenue)} change={formatChange(view.now.revenue, view.before.revenue)} good={view.now.revenue >= view.before.revenue} />
            <Tile testid="tile-updates" label="Updates" value={formatInt(view.now.updates)} change={formatChange(view.now.updates, view.before.updates)} good={view.now.updates >= view.before.updates} />
            <Tile testid="tile-returns" label="Returns" value={formatInt(view.now.returns)} change={formatChange(view.now.returns, view.before.returns)} good={view.now.returns <= view.before.returns} />
          </div>
          <div class="grid2">
            <Card title="Downloads" id="h-dl">
              <TimeChart days={view.days} series={view.downloads} label={`Downloads per day, ${range.start} to ${range.end}, with the previous period dashed`} />
            </Card>
            <Card title="Revenue" id="h-rev">
              <TimeChart days={view.days} series={view.revenue} money={money} axis={(n) => formatMoneyCompact(n, currency)} label={`Revenue per day in ${currency}, with the previous period dashed`} />
            </Card>
          </div>
          <div class="grid2">
            <Card title="Top products" id="h-top-products">
              <BarList label="Top products by revenue" rows={view.topProducts} format={money} />
            </Card>
            <Card title="Top countries" id="h-top-countries">
              <BarList label="Top countries by downloads" rows={view.topCountries} format={formatInt} />
            </Card>
          </div>
          <Card
            title={mapMeasure === "revenue" ? "Revenue by country" : "Downloads by country"}
            id="h-map"
            actions={
              <div class="segmented" role="group" aria-label="Map measure">
                <button aria-pressed={mapMeasure === "downloads"} onClick={() => set("map", "downloads")}>Downloads</button>
                <button aria-pressed={mapMeasure === "revenue"} onClick={() => set("map", "revenue")}>Revenue</button>
              </div>
            }
          >
            <WorldMap
              values={mapMeasure === "revenue" ? view.revenueByCountry : view.downloadsByCountry}
              format={mapMeasure === "revenue" ? money : formatInt}
              label={`World map of ${mapMeasure} by country`}
            />
          </Card>
        </>
      )}
    </>
  );
}

function derive(data: OverviewData, range: { start: string; end: string }) {
  const t = (a: SalesAnswer, k: string) => Number(a.totals[k] ?? 0);
  const now = { downloads: t(data.current, "downloads"), revenue: t(data.current, "revenue"), updates: t(data.current, "updates"), returns: t(data.current, "returns") };
  const before = { downloads: t(data.previous, "downloads"), revenue: t(data.previous, "revenue"), updates: t(data.previous, "updates"), returns: t(data.previous, "returns") };
  const days = everyDay(range);
  const prevDays = everyDay(previousRange(range));
  const byDay = (a: SalesAnswer, k: string, over: string[]) => {
    const d = col(a, "date");
    const m = col(a, k);
    const map = new Map(a.rows.map((r) => [String(r[d]), Number(r[m])]));
    return over.map((day) => map.get(day) ?? 0);
  };
  // The previous period dashed beside this one, when there is one to show.
  const hasBefore = data.previous.rows.length > 0;
  const line = (label: string, k: string): Series[] => [
    { label, values: byDay(data.current, k, days) },
    ...(hasBefore ? [{ label: "Previous period", values: byDay(data.previous, k, prevDays), dashed: true, color: "#6b7280" }] : []),
  ];
  const downloads = line("Downloads", "downloads");
  const revenue = line("Revenue", "revenue");
  const p = col(data.byProduct, "product");
  const rev = col(data.byProduct, "revenue");
  const dl = col(data.byProduct, "downloads");
  const topProducts = data.byProduct.rows
    .map((r) => {
      const id = String(r[p]);
      const prod = data.catalog.get(id);
      const parent = prod?.parent_apple_id ? data.catalog.get(prod.parent_apple_id) : undefined;
      return { key: id, label: prod ? (parent ? `${parent.title} › ${prod.title}` : prod.title) : id, value: Number(r[rev]), downloads: Number(r[dl]) };
    })
    .sort((a, b) => b.value - a.value || b.downloads - a.downloads)
    .slice(0, 8);
  const c = col(data.byCountry, "country");
  const cd = col(data.byCountry, "downloads");
  const cr = col(data.byCountry, "revenue");
  const downloadsByCountry = new Map<string, number>();
  const revenueByCountry = new Map<string, number>();
  for (const r of data.byCountry.rows) {
    downloadsByCountry.set(String(r[c]).toUpperCase(), Number(r[cd]));
    revenueByCountry.set(String(r[c]).toUpperCase(), Number(r[cr]));
  }
  const topCountries = [...downloadsByCountry.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([code, v]) => ({ key: code, label: countryName(code), value: v }));
  return { now, before, days, downloads, revenue, topProducts, topCountries, downloadsByCountry, revenueByCountry };
}
