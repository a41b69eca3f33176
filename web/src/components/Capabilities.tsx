import type { Capability } from "../api";
import { capabilityList } from "../accounts";

// "Sales ✓  Payments ✓  Replies ✗ — the key lacks the Customer Support role"
// Search Ads is its own link method: an App Store account always says "linked separately" for
// `ads`, and a Search Ads link reaches campaigns only, so each shows only what it is for.
export function Capabilities({ caps, method }: { caps: Record<string, Capability>; method: string }) {
  const list = capabilityList(caps).filter((c) => (method === "search-ads") === (c.key === "ads"));
  if (list.length === 0) return <p class="muted">Not probed yet.</p>;
  return (
    <ul class="caps" aria-label="What this account can sync">
      {list.map((c) => (
        <li class={c.ok ? "cap ok" : "cap no"} data-capability={c.key} data-ok={String(c.ok)}>
          <span aria-hidden="true">{c.ok ? "✓" : "✗"}</span> <strong>{c.name}</strong>
          <span class="visually-hidden">{c.ok ? ": yes" : ": no"}</span>
          {!c.ok && c.why && <span class="why"> — {c.why}</span>}
        </li>
      ))}
    </ul>
  );
}
