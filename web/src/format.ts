// Numbers, money and dates the way the signed-in user asked (GET /api/v1/me preferences).
import type { Preferences } from "./api";

// The display currencies offered (reports convert to any ISO 4217 code the rates know).
export const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "CNY", "SEK", "NOK", "DKK", "BRL", "INR", "MXN", "KRW"];

let prefs: Preferences = { currency: "USD", time_zone: "", date_format: "YYYY-MM-DD" };

export function setPreferences(p: Preferences): void {
  prefs = { ...prefs, ...p };
}
export function preferences(): Preferences {
  return prefs;
}

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
export function formatInt(n: number): string {
  return intFmt.format(Math.round(n));
}

// 1234 → "1.2K" for chart axes and tiles.
export function formatCompact(n: number): string {
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}

export function formatMoney(amount: number | string, currency: string): string {
  const n = typeof amount === "string" ? Number(amount) : amount;
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: 2 }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

// $8.2K for chart axes.
export function formatMoneyCompact(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }).format(amount);
  } catch {
    return formatCompact(amount);
  }
}

// "+12.5%" / "−3.0%" / "n/a" (nothing before to compare with) / "" (both 0).
export function formatChange(now: number, before: number): string {
  if (before === 0) return now === 0 ? "" : "n/a";
  const pct = ((now - before) / Math.abs(before)) * 100;
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "±";
  return `${sign}${Math.abs(pct).toFixed(1)}%`;
}

// A report day (YYYY-MM-DD, never shifted by a zone) in the user's date format.
export function formatDay(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m;
  switch (prefs.date_format) {
    case "DD/MM/YYYY":
      return `${d}/${mo}/${y}`;
    case "MM/DD/YYYY":
      return `${mo}/${d}/${y}`;
    case "DD.MM.YYYY":
      return `${d}.${mo}.${y}`;
    default:
      return iso;
  }
}

// An instant (Unix seconds) as a day and time in the user's time zone; "never" for 0.
export function formatInstant(seconds: number | undefined): string {
  if (!seconds) return "never";
  const d = new Date(seconds * 1000);
  const zone = prefs.time_zone || undefined;
  let parts: Record<string, string> = {};
  try {
    for (const p of new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(d)) {
      parts[p.type] = p.value;
    }
  } catch {
    parts = {};
  }
  if (!parts.year) return d.toISOString().slice(0, 16).replace("T", " ");
  return `${formatDay(`${parts.year}-${parts.month}-${parts.day}`)} ${parts.hour}:${parts.minute}`;
}

// "in 3 h", "5 min ago", for health at a glance.
export function formatRelative(seconds: number | undefined, now = Date.now() / 1000): string {
  if (!seconds) return "never";
  const delta = seconds - now;
  const abs = Math.abs(delta);
  const unit = abs < 90 ? "now" : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} days`;
  if (unit === "now") return delta >= 0 ? "due now" : "just now";
  return delta >= 0 ? `in ${unit}` : `${unit} ago`;
}

// Report days: today in Apple's report zone (America/Los_Angeles), as YYYY-MM-DD.
export function reportToday(): string {
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat("en-CA", {
    timeZone: "America/Los_Angeles", year: "numeric", month: "2-digit", day: "2-digit",
  }).formatToParts(new Date())) {
    parts[p.type] = p.value;
  }
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(iso: string, days: number): string {
  const t = Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) + days * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  const a = Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10));
  const b = Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10));
  return Math.round((b - a) / 86400000);
}
