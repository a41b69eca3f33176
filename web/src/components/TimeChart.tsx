// A line chart over report days (uPlot: canvas, ~50 KB, fast at thousands of points). Screen
// readers get the chart's label (role="img"); the Sales page's table holds the same numbers.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatCompact, formatDay } from "../format";

export interface Series {
  label: string;
  values: (number | null)[];
  dashed?: boolean;
  color?: string;
}

// Okabe–Ito-like palette, each ≥ 3:1 against white for lines.
export const PALETTE = ["#1f6f43", "#0b62a4", "#b3480b", "#7a3e9d", "#a1005f", "#5d6b00", "#00707a", "#6b4f2a"];

function dayToSeconds(iso: string): number {
  return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 1000;
}

export function TimeChart(props: { days: string[]; series: Series[]; label: string; height?: number; money?: (n: number) => string; axis?: (n: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    const width = Math.max(280, el.clientWidth);
    const fmt = props.money ?? formatCompact;
    const opts: uPlot.Options = {
      width,
      height: props.height ?? 260,
      legend: { show: props.series.length > 1 },
      cursor: { points: { size: 6 } },
      scales: { x: { time: true } },
      axes: [
        { stroke: "#4a5568", grid: { stroke: "#edf0f3" }, ticks: { stroke: "#d5dbe1" } },
        {
          stroke: "#4a5568",
          grid: { stroke: "#edf0f3" },
          ticks: { stroke: "#d5dbe1" },
          size: 64,
          values: (_u, vals) => vals.map((v) => (v == null ? "" : (props.axis ?? fmt)(v))),
        },
      ],
      series: [
        { label: "Day", value: (_u, v) => (v == null ? "" : formatDay(new Date(v * 1000).toISOString().slice(0, 10))) },
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          value: (_u: uPlot, v: number | null) => (v == null ? "–" : fmt(v)),
          points: { show: props.days.length <= 60 },
        })),
      ],
    };
    const data: uPlot.AlignedData = [props.days.map(dayToSeconds), ...props.series.map((s) => s.values)];
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (plot.current && Math.abs(plot.current.width - w) > 2) plot.current.setSize({ width: w, height: opts.height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [props.days, props.series]);
  return <div class="chart" ref={box} role="img" aria-label={props.label} data-points={props.days.length} data-series={props.series.length} />;
}

// Horizontal bars for a ranking (top products, countries): plain HTML, no chart library needed.
export function BarList(props: { rows: { key: string; label: string; value: number; note?: string }[]; format: (n: number) => string; label: string }) {
  const max = Math.max(1, ...props.rows.map((r) => Math.abs(r.value)));
  return (
    <ol class="barlist" aria-label={props.label}>
      {props.rows.map((r) => (
        <li data-key={r.key}>
          <span class="bar-label" title={r.label}>
            {r.label}
          </span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar" ref={(el) => { if (el) el.style.width = `${(Math.abs(r.value) / max) * 100}%`; }} />
          </span>
          <span class="bar-value">{props.format(r.value)}</span>
        </li>
      ))}
    </ol>
  );
}
