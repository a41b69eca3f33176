// Small pieces every page uses: loading and error states, a labelled select, tiles, badges.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (e) => live && setState({ error: (e as Error).message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function ErrorNote({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function Select(props: {
  label: string;
  value: string;
  options: Option[];
  onChange: (v: string) => void;
  id?: string;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.options.map((o) => (
          <option value={o.value}>{o.label}</option>
        ))}
      </select>
    </label>
  );
}

export function Tile(props: { label: string; value: string; change?: string; good?: boolean; testid?: string }) {
  const cls = props.change === "" || props.change === undefined ? "" : props.good ? "up" : "down";
  return (
    <div class="tile" data-testid={props.testid}>
      <div class="tile-label">{props.label}</div>
      <div class="tile-value">{props.value}</div>
      {props.change !== undefined && (
        <div class={"tile-change " + (props.change === "n/a" ? "" : cls)}>
          {props.change === "n/a" ? "no data for the previous period" : props.change ? `${props.change} vs previous period` : "no change"}
        </div>
      )}
    </div>
  );
}

export function Badge({ tone, children }: { tone: "ok" | "warn" | "bad" | "info"; children: ComponentChildren }) {
  return <span class={"badge " + tone}>{children}</span>;
}

export function Card({ title, children, actions, id }: { title?: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={title && id ? id : undefined}>
      {(title || actions) && (
        <div class="card-head">
          {title && <h2 id={id}>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}
