/**
 * SVG building blocks shared by the charts: a 1080 px wide document with a title, text, shapes, linear scales
 * and axes with "nice" ticks. Every mark carries a class and data-* attributes (the raw number it shows), so
 * tests can check the drawing against the data without rendering it.
 */
import { type ChartLanguage, formatNumber } from "./i18n.js";

/** Chart width in px: Telegram shows photos up to 1280 px; 1080 keeps labels large on a phone. */
export const WIDTH = 1080;
export const FONT_FAMILY = "DejaVu Sans";
export const FONT = { title: 44, label: 32, tick: 28, small: 26 } as const;
export const COLOR = {
  background: "#ffffff",
  text: "#1f2933",
  muted: "#616e7c",
  grid: "#e4e7eb",
  axis: "#9aa5b1",
  primary: "#2f6fde",
  secondary: "#e8743b",
  good: "#19a979",
  series: ["#2f6fde", "#e8743b", "#19a979", "#945ecf", "#ed4a7b", "#13a4b4", "#a0a000", "#6c8893"],
} as const;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Shortens a label to max characters with an ellipsis. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return (
    Object.entries(a)
      .filter(([, v]) => v !== undefined)
      // Data attributes keep full precision (they are for readers and tests); coordinates are rounded.
      .map(
        ([k, v]) =>
          ` ${k}="${typeof v === "number" ? (k.startsWith("data-") ? String(v) : round(v)) : escapeXml(v as string)}"`,
      )
      .join("")
  );
}

/** Coordinates with two decimals keep files small and output stable. */
export function round(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function el(tag: string, a: Attrs, content?: string): string {
  return content === undefined ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${content}</${tag}>`;
}

export interface TextOptions {
  size?: number;
  anchor?: "start" | "middle" | "end";
  weight?: "normal" | "bold";
  fill?: string;
  rotate?: number;
  cls?: string;
}

export function text(x: number, y: number, s: string, o: TextOptions = {}): string {
  return el(
    "text",
    {
      class: o.cls,
      x,
      y,
      "font-size": o.size ?? FONT.tick,
      "text-anchor": o.anchor ?? "start",
      "font-weight": o.weight === "bold" ? "bold" : undefined,
      fill: o.fill ?? COLOR.text,
      transform: o.rotate ? `rotate(${o.rotate} ${round(x)} ${round(y)})` : undefined,
    },
    escapeXml(s),
  );
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, a: Attrs = {}): string {
  return el("line", { x1, y1, x2, y2, stroke, "stroke-width": 2, ...a });
}

export function polyline(points: Array<[number, number]>, stroke: string, a: Attrs = {}): string {
  const d = points.map(([x, y]) => `${round(x)},${round(y)}`).join(" ");
  return el("polyline", { points: d, fill: "none", stroke, "stroke-width": 4, ...a });
}

/** The whole document: white background, title on top. Height follows the content. */
export function svgDocument(height: number, title: string, body: string[], kind: string): string {
  const h = Math.round(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" data-chart="${kind}" font-family="${FONT_FAMILY}">`,
    el("rect", { x: 0, y: 0, width: WIDTH, height: h, fill: COLOR.background }),
    text(WIDTH / 2, 70, title, { size: FONT.title, anchor: "middle", weight: "bold", cls: "title" }),
    ...body,
    "</svg>",
  ].join("\n");
}

/** White blended towards `to` (an RGB triple, the primary colour by default) by fraction f in [0, 1]. */
export function shade(f: number, to: readonly number[] = [0x2f, 0x6f, 0xde]): string {
  const k = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0));
  const c = to.map((v) => Math.round(255 + (v - 255) * k));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** A linear map from [d0, d1] to [r0, r1]; a zero-width domain maps to the middle. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (!(span > 0)) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** About `count` round tick values covering [lo, hi] (1, 2, 2.5, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

/** A domain padded to nice ticks: [min(ticks), max(ticks)] that still contains [lo, hi]. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceDomain(lo - pad, hi + pad, count);
  }
  const ticks = niceTicks(lo, hi, count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : hi - lo;
  const d0 = ticks[0] > lo ? ticks[0] - step : ticks[0];
  const last = ticks[ticks.length - 1];
  const d1 = last < hi ? last + step : last;
  return [d0, d1];
}

export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Grid lines, tick labels and axis titles for a 2-D plot. */
export function axes(
  box: PlotBox,
  x: { domain: [number, number]; label: string; ticks?: number[] },
  y: { domain: [number, number]; label: string; ticks?: number[] },
  language: ChartLanguage,
): string[] {
  const sx = linearScale(x.domain[0], x.domain[1], box.left, box.left + box.width);
  const sy = linearScale(y.domain[0], y.domain[1], box.top + box.height, box.top);
  const out: string[] = [];
  const bottom = box.top + box.height;
  for (const t of y.ticks ?? niceTicks(y.domain[0], y.domain[1])) {
    out.push(line(box.left, sy(t), box.left + box.width, sy(t), COLOR.grid, { class: "grid" }));
    out.push(
      text(box.left - 14, sy(t) + 10, formatNumber(t, language), { anchor: "end", fill: COLOR.muted }),
    );
  }
  for (const t of x.ticks ?? niceTicks(x.domain[0], x.domain[1])) {
    out.push(line(sx(t), box.top, sx(t), bottom, COLOR.grid, { class: "grid" }));
    out.push(text(sx(t), bottom + 40, formatNumber(t, language), { anchor: "middle", fill: COLOR.muted }));
  }
  out.push(line(box.left, bottom, box.left + box.width, bottom, COLOR.axis, { class: "axis" }));
  out.push(line(box.left, box.top, box.left, bottom, COLOR.axis, { class: "axis" }));
  out.push(text(box.left + box.width / 2, bottom + 90, x.label, { size: FONT.label, anchor: "middle" }));
  const midY = box.top + box.height / 2;
  out.push(text(40, midY, y.label, { size: FONT.label, anchor: "middle", rotate: -90 }));
  return out;
}

/** A legend box of colour swatches and labels, top-left inside the plot box unless placed elsewhere. */
export function legend(
  items: Array<{ label: string; color: string; dashed?: boolean }>,
  x: number,
  y: number,
): string[] {
  const rowHeight = 42;
  const width = Math.max(...items.map((i) => i.label.length)) * 16 + 100;
  const out = [
    el("rect", {
      class: "legend",
      x,
      y,
      width,
      height: items.length * rowHeight + 16,
      fill: "#ffffff",
      "fill-opacity": 0.9,
      stroke: COLOR.grid,
      "stroke-width": 2,
      rx: 8,
    }),
  ];
  items.forEach((item, k) => {
    const cy = y + 8 + rowHeight * k + rowHeight / 2;
    out.push(
      line(x + 16, cy, x + 66, cy, item.color, {
        "stroke-width": 6,
        "stroke-dasharray": item.dashed ? "10 8" : undefined,
      }),
    );
    out.push(text(x + 80, cy + 9, item.label, { size: FONT.small, cls: "legend-label" }));
  });
  return out;
}
