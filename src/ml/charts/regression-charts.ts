/** Regression charts: predicted vs actual with the identity line, and the histogram of residuals. */
import { chartText, formatNumber } from "./i18n.js";
import type { ChartOptions } from "./importance-chart.js";
import {
  axes,
  COLOR,
  el,
  legend,
  line,
  linearScale,
  niceDomain,
  niceTicks,
  type PlotBox,
  svgDocument,
  text,
} from "./svg.js";

const SCATTER_BOX: PlotBox = { left: 170, top: 120, width: 860, height: 860 };

/** Points in a square plot; both axes share one domain so the identity line is the diagonal. */
export function predictedVsActualSvg(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < yTrue.length; i++) {
    for (const v of [yTrue[i], yPred[i]]) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  const domain = niceDomain(lo, hi);
  const box = SCATTER_BOX;
  const sx = linearScale(domain[0], domain[1], box.left, box.left + box.width);
  const sy = linearScale(domain[0], domain[1], box.top + box.height, box.top);
  const body = axes(box, { domain, label: t.actual }, { domain, label: t.predicted }, opts.language ?? "en");
  for (let i = 0; i < yTrue.length; i++) {
    if (!Number.isFinite(yTrue[i]) || !Number.isFinite(yPred[i])) continue;
    body.push(dot(sx(yTrue[i]), sy(yPred[i]), yTrue.length));
  }
  body.push(
    line(sx(domain[0]), sy(domain[0]), sx(domain[1]), sy(domain[1]), COLOR.secondary, {
      class: "identity",
      "stroke-width": 4,
      "stroke-dasharray": "14 10",
    }),
  );
  body.push(
    ...legend([{ label: t.identity, color: COLOR.secondary, dashed: true }], box.left + 20, box.top + 20),
  );
  return svgDocument(
    box.top + box.height + 110,
    opts.title ?? t.predictedVsActual,
    body,
    "predicted-vs-actual",
  );
}

/** A scatter point; smaller and more transparent among many, so dense regions still read as dense. */
export function dot(cx: number, cy: number, count: number): string {
  const r = count > 2000 ? 4 : count > 300 ? 6 : 9;
  return el("circle", {
    class: "point",
    cx,
    cy,
    r,
    fill: COLOR.primary,
    "fill-opacity": count > 2000 ? 0.35 : 0.6,
  });
}

/** Bin count by the Freedman–Diaconis rule, between 5 and 40 so bars stay readable. */
function binCount(sorted: Float64Array): number {
  const n = sorted.length;
  const iqr = sorted[Math.floor(0.75 * (n - 1))] - sorted[Math.floor(0.25 * (n - 1))];
  const range = sorted[n - 1] - sorted[0];
  if (!(range > 0)) return 1;
  const width = iqr > 0 ? (2 * iqr) / Math.cbrt(n) : range / Math.sqrt(n);
  return Math.min(40, Math.max(5, Math.ceil(range / width)));
}

/** Counts per equal-width bin over [min, max]. */
export function histogram(values: Float64Array): { edges: number[]; counts: number[] } {
  const sorted = values.filter(Number.isFinite).sort();
  if (sorted.length === 0) return { edges: [0, 1], counts: [0] };
  const bins = binCount(sorted);
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1] > lo ? sorted[sorted.length - 1] : lo + 1;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  return { edges, counts };
}

/** One bar per bin, from zero to its count; the data-* attributes carry the bin and its count. */
export function histogramBars(
  edges: number[],
  counts: number[],
  sx: (v: number) => number,
  sy: (v: number) => number,
  extra: Record<string, number | string> = {},
): string[] {
  return counts.map((c, k) => {
    const x = sx(edges[k]);
    return el("rect", {
      class: "bar",
      "data-count": c,
      "data-from": edges[k],
      "data-to": edges[k + 1],
      x: x + 1,
      y: sy(c),
      width: Math.max(0, sx(edges[k + 1]) - x - 2),
      height: sy(0) - sy(c),
      fill: COLOR.primary,
      ...extra,
    });
  });
}

const HIST_BOX: PlotBox = { left: 170, top: 120, width: 860, height: 620 };

export function residualsSvg(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  const residuals = Float64Array.from({ length: yTrue.length }, (_, i) => yTrue[i] - yPred[i]);
  const { edges, counts } = histogram(residuals);
  const maxCount = Math.max(1, ...counts);
  const xDomain: [number, number] = [edges[0], edges[edges.length - 1]];
  const yDomain = niceDomain(0, maxCount);
  const yTicks = niceTicks(yDomain[0], yDomain[1]).filter((v) => Number.isInteger(v));
  const box = HIST_BOX;
  const sx = linearScale(xDomain[0], xDomain[1], box.left, box.left + box.width);
  const sy = linearScale(yDomain[0], yDomain[1], box.top + box.height, box.top);
  const body = axes(
    box,
    { domain: xDomain, label: t.residualAxis, ticks: niceTicks(xDomain[0], xDomain[1]) },
    { domain: yDomain, label: t.count, ticks: yTicks },
    opts.language ?? "en",
  );
  body.push(...histogramBars(edges, counts, sx, sy));
  if (xDomain[0] < 0 && xDomain[1] > 0) {
    body.push(
      line(sx(0), box.top, sx(0), box.top + box.height, COLOR.secondary, {
        class: "zero",
        "stroke-width": 4,
      }),
    );
  }
  const n = residuals.length;
  let mean = 0;
  for (const r of residuals) mean += r / Math.max(1, n);
  body.push(
    text(box.left + box.width, box.top - 12, `n = ${n}, mean = ${formatNumber(mean, opts.language)}`, {
      anchor: "end",
      fill: COLOR.muted,
    }),
  );
  return svgDocument(box.top + box.height + 110, opts.title ?? t.residuals, body, "residuals");
}
