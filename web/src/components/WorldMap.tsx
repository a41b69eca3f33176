// A choropleth of a measure by storefront: Natural Earth 1:110m shapes (world-atlas, ~40 KB
// gzipped, part of the one bundle), projected with d3-geo into one SVG.
import { useMemo } from "preact/hooks";
import { geoNaturalEarth1, geoPath } from "d3-geo";
import { feature } from "topojson-client";
import type { FeatureCollection, Geometry } from "geojson";
import type { Topology } from "topojson-specification";
import world from "world-atlas/countries-110m.json";
import { alpha2OfNumeric, countryName } from "../countries";

const STEPS = ["#e6f2ea", "#b9dcc5", "#7fbf98", "#3f9a66", "#1f6f43"];
const NO_DATA = "#f1f3f5";

const shapes = (() => {
  const topo = world as unknown as Topology;
  const all = feature(topo, topo.objects.countries) as unknown as FeatureCollection<Geometry, { name: string }>;
  const fc = { ...all, features: all.features.filter((f) => f.properties.name !== "Antarctica") };
  const projection = geoNaturalEarth1().fitSize([960, 440], fc);
  const path = geoPath(projection);
  return fc.features
    .map((f) => ({ alpha2: alpha2OfNumeric(String(f.id ?? "")) ?? "", name: f.properties.name, d: path(f) ?? "" }));
})();

export function WorldMap(props: { values: Map<string, number>; format: (n: number) => string; label: string }) {
  const scale = useMemo(() => {
    const sorted = [...props.values.values()].filter((v) => v > 0).sort((a, b) => a - b);
    // Quantile steps: a few big markets do not wash out the rest.
    const cuts = [0.2, 0.4, 0.6, 0.8].map((q) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0);
    return (v: number) => (v <= 0 ? NO_DATA : STEPS[cuts.filter((c) => v > c).length]);
  }, [props.values]);
  return (
    <figure class="worldmap">
      <svg viewBox="0 0 960 440" role="img" aria-label={props.label}>
        {shapes.map((s) => {
          const v = props.values.get(s.alpha2) ?? 0;
          return (
            <path d={s.d} fill={scale(v)} stroke="#ffffff" stroke-width="0.5" data-country={s.alpha2}>
              <title>{`${countryName(s.alpha2 || s.name)}: ${v > 0 ? props.format(v) : "none"}`}</title>
            </path>
          );
        })}
      </svg>
      <figcaption class="legend">
        <span>less</span>
        {STEPS.map((c) => (
          <span class="swatch" ref={(el) => { if (el) el.style.background = c; }} />
        ))}
        <span>more</span>
      </figcaption>
    </figure>
  );
}
