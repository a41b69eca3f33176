// The sales report grammar of product.md §4 as the dashboard uses it.
import { get, query } from "./api";
import { addDays, daysBetween, reportToday } from "./format";

export interface SalesAnswer {
  query: { start_date: string | null; end_date: string | null; currency: string; group_by: string[]; granularity: string };
  columns: string[];
  rows: (string | number)[][];
  totals: Record<string, number>;
}

export const MEASURES: { key: string; label: string; money?: boolean }[] = [
  { key: "downloads", label: "Downloads" },
  { key: "redownloads", label: "Re-downloads" },
  { key: "updates", label: "Updates" },
  { key: "returns", label: "Returns" },
  { key: "iap", label: "In-app purchases" },
  { key: "revenue", label: "Revenue (proceeds)", money: true },
  { key: "gross_revenue", label: "Gross revenue", money: true },
  { key: "returns_amount", label: "Refunded proceeds", money: true },
  { key: "other_units", label: "Other units" },
];

export function measureLabel(key: string): string {
  return MEASURES.find((m) => m.key === key)?.label ?? key;
}
export function isMoney(key: string): boolean {
  return MEASURES.find((m) => m.key === key)?.money ?? false;
}

export type SalesParams = Record<string, string | undefined>;

export function fetchSales(params: SalesParams): Promise<SalesAnswer> {
  return get<SalesAnswer>("/api/v1/reports/sales" + query({ ...params, format: undefined }));
}

export function salesCsvUrl(params: SalesParams): string {
  return "/api/v1/reports/sales" + query({ ...params, format: "csv" });
}

// Column index by name: the answer is read by header, never by position.
export function col(answer: SalesAnswer, name: string): number {
  return answer.columns.indexOf(name);
}

// Range presets, each ending yesterday (today's report is not out yet).
export const RANGES: { value: string; label: string; days: number }[] = [
  { value: "7d", label: "Last 7 days", days: 7 },
  { value: "30d", label: "Last 30 days", days: 30 },
  { value: "90d", label: "Last 90 days", days: 90 },
  { value: "365d", label: "Last 12 months", days: 365 },
];

export interface Range {
  start: string;
  end: string;
}

export function presetRange(value: string, today = reportToday()): Range {
  const days = RANGES.find((r) => r.value === value)?.days ?? 30;
  const end = addDays(today, -1);
  return { start: addDays(end, -(days - 1)), end };
}

// The same number of days just before `r`.
export function previousRange(r: Range): Range {
  const len = daysBetween(r.start, r.end) + 1;
  return { start: addDays(r.start, -len), end: addDays(r.start, -1) };
}

// Every day of a range, for charts with gaps filled by zero.
export function everyDay(r: Range): string[] {
  const out: string[] = [];
  for (let d = r.start; d <= r.end; d = addDays(d, 1)) out.push(d);
  return out;
}

export interface Product {
  apple_id: string;
  title: string;
  kind: "app" | "in_app";
  parent_apple_id: string;
  sku: string;
}

let productCache: Promise<Map<string, Product>> | null = null;
export function products(): Promise<Map<string, Product>> {
  productCache ??= get<{ products: Product[] }>("/api/v1/products").then(
    (r) => new Map(r.products.map((p) => [p.apple_id, p])),
  );
  productCache.catch(() => (productCache = null));
  return productCache;
}
export function forgetProducts(): void {
  productCache = null;
}
