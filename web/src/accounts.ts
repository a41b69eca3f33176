// What the dashboard says about link methods and capabilities, in one place.
import type { Capability } from "./api";

export const METHOD_NAMES: Record<string, string> = {
  "asc-key": "App Store Connect API key",
  "app-password": "App-specific password",
  "apple-id": "Sub-account (Apple ID + two-factor code)",
  "search-ads": "Apple Search Ads",
};

export const CAPABILITY_NAMES: Record<string, string> = {
  sales: "Sales",
  finance: "Payments",
  reviews_read: "Reviews",
  reviews_reply: "Replies",
  usage: "Usage",
  ads: "Search Ads",
};

export function capabilityList(caps: Record<string, Capability>): { key: string; name: string; ok: boolean; why?: string }[] {
  const order = Object.keys(CAPABILITY_NAMES);
  return Object.entries(caps)
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([key, c]) => ({ key, name: CAPABILITY_NAMES[key] ?? key, ok: c.ok, why: c.why }));
}

export const STATE_WORDS: Record<string, { words: string; tone: "ok" | "warn" | "bad" | "info" }> = {
  active: { words: "Healthy", tone: "ok" },
  pending: { words: "Waiting for the two-factor code", tone: "info" },
  refresh_due: { words: "Refresh due", tone: "warn" },
  needs_refresh: { words: "Needs refresh", tone: "bad" },
  needs_attention: { words: "Needs attention", tone: "bad" },
  revoked: { words: "Revoked at Apple", tone: "bad" },
};
