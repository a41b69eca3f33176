// Per-user preferences: display currency, time zone, date format.
import { useState } from "preact/hooks";
import { api, type Me } from "../api";
import { Card, ErrorNote, Select } from "../components/ui";
import { CURRENCIES, formatDay, formatInstant, setPreferences } from "../format";
import type { PageProps } from "./registry";

const FORMATS = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];

function zones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? ["UTC"];
  } catch {
    return ["UTC"];
  }
}

export function Settings({ who, refreshWho }: PageProps) {
  const p = who.me.preferences;
  const [currency, setCurrency] = useState(p.currency || "USD");
  const [zone, setZone] = useState(p.time_zone || "UTC");
  const [format, setFormat] = useState(p.date_format || "YYYY-MM-DD");
  const [saved, setSaved] = useState("");
  const [error, setError] = useState("");
  const allZones = zones();
  if (!allZones.includes(zone)) allZones.unshift(zone);
  return (
    <>
      <div class="page-head">
        <h1>Settings</h1>
      </div>
      <Card title="Display preferences" id="h-prefs">
        <form
          class="controls-grid"
          onSubmit={async (e) => {
            e.preventDefault();
            setSaved("");
            setError("");
            try {
              const me = await api<Me>("PUT", "/api/v1/me/preferences", { currency, time_zone: zone, date_format: format });
              setPreferences(me.preferences);
              setSaved("Saved. Reports now use " + me.preferences.currency + ".");
              refreshWho();
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          <Select label="Currency" id="pref-currency" value={currency} options={CURRENCIES.map((c) => ({ value: c, label: c }))} onChange={setCurrency} />
          <Select label="Time zone" id="pref-zone" value={zone} options={allZones.map((z) => ({ value: z, label: z.replace(/_/g, " ") }))} onChange={setZone} />
          <Select label="Date format" id="pref-format" value={format} options={FORMATS.map((f) => ({ value: f, label: f }))} onChange={setFormat} />
          <div class="field end">
            <button type="submit">Save preferences</button>
          </div>
        </form>
        <p class="muted small">
          Report days are Apple's and never shift with your time zone; sync times and review dates do. Example: {formatDay("2026-03-09")}, {formatInstant(Date.now() / 1000)}.
        </p>
        {saved && <p class="note" role="status">{saved}</p>}
        <ErrorNote error={error} />
      </Card>
      <Card title="Signed in" id="h-me">
        <p>
          {who.me.email} · {who.team?.name} ({who.team?.role})
        </p>
      </Card>
    </>
  );
}
