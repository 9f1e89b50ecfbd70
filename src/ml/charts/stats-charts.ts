/**
 * Charts of /stats: a correlation heatmap, box plots by group, a histogram with the normal curve of the same
 * mean and SD, a contingency table as a heatmap, and a scatter plot with the fitted line. Marks carry data-*
 * attributes with the numbers they show, like the other charts.
 */
import { quantileSorted } from "../kernels/quantile.js";
import { type ChartLanguage, chartText, formatNumber } from "./i18n.js";
import type { ChartOptions } from "./importance-chart.js";
import { dot, histogram, histogramBars } from "./regression-charts.js";
import {
  axes,
  COLOR,
  clip,
  el,
  FONT,
  legend,
  line,
  linearScale,
  niceDomain,
  niceTicks,
  type PlotBox,
  polyline,
  shade,
  svgDocument,
  text,
  WIDTH,
} from "./svg.js";

const GRID_LEFT = 300;
const GRID_RIGHT = 60;
const GRID_SIZE = WIDTH - GRID_LEFT - GRID_RIGHT;

/** −1 (orange) through white to +1 (blue). */
const diverging = (r: number): string => shade(Math.abs(r), r >= 0 ? [0x2f, 0x6f, 0xde] : [0xe8, 0x74, 0x3b]);

interface GridCell {
  fill: string;
  label?: string;
  sublabel?: string;
  /** Dark cells get white ink. */
  dark: boolean;
  data: Record<string, number>;
}

/** A labelled grid of coloured cells: row labels on the left, column labels slanted above. */
/** Room above the grid for the title and the upright column labels. */
const GRID_TOP = 400;

function grid(
  rows: string[],
  columns: string[],
  cellAt: (r: number, c: number) => GridCell,
  top = GRID_TOP,
): { body: string[]; bottom: number } {
  const width = GRID_SIZE / Math.max(1, columns.length);
  const height = Math.min(width, 720 / Math.max(1, rows.length), 160);
  const labelSize = Math.min(FONT.label, Math.max(16, Math.min(width, height) * 0.42));
  // DejaVu Sans averages about 0.6 em per character.
  const fitting = Math.max(4, Math.floor((GRID_LEFT - 24) / (labelSize * 0.6)));
  const body: string[] = [];
  rows.forEach((rowLabel, r) => {
    const y = top + r * height;
    columns.forEach((_, c) => {
      const cell = cellAt(r, c);
      const x = GRID_LEFT + c * width;
      const data = Object.fromEntries(Object.entries(cell.data).map(([k, v]) => [`data-${k}`, v]));
      body.push(
        el("rect", {
          class: "cell",
          x,
          y,
          width,
          height,
          fill: cell.fill,
          stroke: "#ffffff",
          "stroke-width": 2,
          ...data,
        }),
      );
      const ink = cell.dark ? "#ffffff" : COLOR.text;
      const size = Math.min(FONT.tick, width * 0.3, height * 0.36);
      if (cell.label && size >= 12) {
        const dy = cell.sublabel ? -size * 0.1 : size * 0.35;
        body.push(
          text(x + width / 2, y + height / 2 + dy, cell.label, {
            size,
            anchor: "middle",
            fill: ink,
            cls: "value",
          }),
        );
        if (cell.sublabel)
          body.push(
            text(x + width / 2, y + height / 2 + size, cell.sublabel, {
              size: size * 0.75,
              anchor: "middle",
              fill: ink,
            }),
          );
      }
    });
    body.push(
      text(GRID_LEFT - 14, y + height / 2 + labelSize / 3, clip(rowLabel, fitting), {
        size: labelSize,
        anchor: "end",
        cls: "row-label",
      }),
    );
  });
  // Column labels run upwards from the grid, so long names never leave the picture.
  const upright = Math.max(4, Math.floor((top - 110) / (labelSize * 0.6)));
  columns.forEach((label, c) => {
    const x = GRID_LEFT + c * width + width / 2 + labelSize / 3;
    body.push(
      text(x, top - 14, clip(label, upright), {
        size: labelSize,
        anchor: "start",
        rotate: -90,
        cls: "column-label",
      }),
    );
  });
  return { body, bottom: top + rows.length * height };
}

/**
 * Pearson r below the diagonal and Spearman ρ above it, for up to about 15 columns (the cells get small
 * beyond that).
 */
export function correlationHeatmapSvg(
  columns: string[],
  pearson: number[][],
  spearman: number[][],
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  const { body, bottom } = grid(columns, columns, (r, c) => {
    const value = r === c ? 1 : r > c ? pearson[r][c] : spearman[r][c];
    return {
      fill: r === c ? COLOR.grid : diverging(value),
      label: r === c ? "" : formatNumber(value, opts.language, 2, true),
      dark: r !== c && Math.abs(value) > 0.6,
      data: { row: r, col: c, r: value },
    };
  });
  body.push(
    text(WIDTH / 2, bottom + 50, t.correlationKey, { size: FONT.small, anchor: "middle", fill: COLOR.muted }),
  );
  return svgDocument(bottom + 80, opts.title ?? t.correlations, body, "correlations");
}

/** Counts of a contingency table, shaded by their share of the row, with the share under each count. */
export function contingencySvg(
  rowTitle: string,
  columnTitle: string,
  table: { rows: string[]; columns: string[]; counts: number[][] },
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  const { body, bottom } = grid(table.rows, table.columns, (r, c) => {
    const count = table.counts[r][c];
    const rowTotal = table.counts[r].reduce((s, v) => s + v, 0);
    const share = rowTotal > 0 ? count / rowTotal : 0;
    return {
      fill: shade(share),
      label: String(count),
      sublabel: `${formatNumber(100 * share, opts.language, 1)}%`,
      dark: share > 0.5,
      data: { row: r, col: c, count, share },
    };
  });
  body.push(
    text(WIDTH / 2, bottom + 50, `${t.rowShares} ${rowTitle}`, {
      size: FONT.small,
      anchor: "middle",
      fill: COLOR.muted,
    }),
  );
  return svgDocument(bottom + 80, opts.title ?? `${rowTitle} × ${columnTitle}`, body, "contingency");
}

const BOX: PlotBox = { left: 170, top: 120, width: 860, height: 640 };

export interface BoxGroup {
  name: string;
  values: Float64Array;
}

/** Quartiles by numpy's linear rule, whiskers to the furthest value within 1.5 IQR, points beyond them. */
export function boxPlotSvg(
  valueLabel: string,
  groupLabel: string,
  groups: BoxGroup[],
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  const summaries = groups.map((g) => ({ name: g.name, ...boxStats(g.values) }));
  const lo = Math.min(...summaries.map((s) => s.min));
  const hi = Math.max(...summaries.map((s) => s.max));
  const domain = niceDomain(lo, hi);
  const sy = linearScale(domain[0], domain[1], BOX.top + BOX.height, BOX.top);
  const slot = BOX.width / groups.length;
  const body = axes(BOX, { domain: [0, 1], label: "", ticks: [] }, { domain, label: valueLabel }, lang(opts));
  summaries.forEach((s, k) => {
    const cx = BOX.left + slot * (k + 0.5);
    const half = Math.min(80, slot * 0.3);
    const color = COLOR.series[k % COLOR.series.length];
    body.push(line(cx, sy(s.whiskerLow), cx, sy(s.q1), COLOR.muted, { class: "whisker" }));
    body.push(line(cx, sy(s.q3), cx, sy(s.whiskerHigh), COLOR.muted, { class: "whisker" }));
    body.push(
      el("rect", {
        class: "box",
        "data-group": s.name,
        "data-q1": s.q1,
        "data-median": s.median,
        "data-q3": s.q3,
        "data-n": s.n,
        x: cx - half,
        y: sy(s.q3),
        width: 2 * half,
        height: Math.max(1, sy(s.q1) - sy(s.q3)),
        fill: color,
        "fill-opacity": 0.35,
        stroke: color,
        "stroke-width": 3,
      }),
    );
    body.push(
      line(cx - half, sy(s.median), cx + half, sy(s.median), color, { class: "median", "stroke-width": 5 }),
    );
    body.push(
      el("circle", {
        class: "mean",
        "data-mean": s.mean,
        cx,
        cy: sy(s.mean),
        r: 8,
        fill: "#ffffff",
        stroke: color,
        "stroke-width": 3,
      }),
    );
    for (const v of s.outliers)
      body.push(
        el("circle", {
          class: "outlier",
          "data-value": v,
          cx,
          cy: sy(v),
          r: 6,
          fill: "none",
          stroke: color,
          "stroke-width": 2,
        }),
      );
    body.push(
      text(cx, BOX.top + BOX.height + 40, clip(s.name, Math.max(4, Math.floor(slot / 17))), {
        anchor: "middle",
        cls: "group-label",
      }),
    );
    body.push(
      text(cx, BOX.top + BOX.height + 72, `n = ${s.n}`, {
        size: FONT.small,
        anchor: "middle",
        fill: COLOR.muted,
      }),
    );
  });
  body.push(
    text(BOX.left + BOX.width / 2, BOX.top + BOX.height + 125, groupLabel, {
      size: FONT.label,
      anchor: "middle",
    }),
    text(BOX.left + BOX.width, BOX.top - 16, `○ ${t.mean}`, {
      size: FONT.small,
      anchor: "end",
      fill: COLOR.muted,
    }),
  );
  return svgDocument(
    BOX.top + BOX.height + 170,
    opts.title ?? `${valueLabel} ${t.by} ${groupLabel}`,
    body,
    "box-plot",
  );
}

/** The most outliers drawn per group: enough to see them, few enough to keep the file small. */
const MAX_OUTLIERS = 200;

function boxStats(values: Float64Array) {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const q = (p: number) => quantileSorted(s, p);
  const q1 = q(0.25);
  const q3 = q(0.75);
  const fence = 1.5 * (q3 - q1);
  const inside = s.filter((v) => v >= q1 - fence && v <= q3 + fence);
  const outliers = s.filter((v) => v < q1 - fence || v > q3 + fence);
  let total = 0;
  for (const v of s) total += v;
  return {
    n,
    min: s[0],
    max: s[n - 1],
    q1,
    median: q(0.5),
    q3,
    mean: total / n,
    whiskerLow: inside[0] ?? q1,
    whiskerHigh: inside[inside.length - 1] ?? q3,
    outliers: Array.from(outliers).slice(0, MAX_OUTLIERS),
  };
}

const HIST: PlotBox = { left: 170, top: 120, width: 860, height: 620 };

/** Bars of the values and the normal density with their mean and SD, scaled to counts. */
export function normalHistogramSvg(
  valueLabel: string,
  values: Float64Array,
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  const { edges, counts } = histogram(values);
  const n = values.length;
  let mu = 0;
  for (const v of values) mu += v / n;
  let ss = 0;
  for (const v of values) ss += (v - mu) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, n - 1));
  const binWidth = edges[1] - edges[0];
  const density = (x: number) =>
    (n * binWidth * Math.exp(-0.5 * ((x - mu) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI));
  const xDomain: [number, number] = [
    Math.min(edges[0], mu - 3 * sd),
    Math.max(edges[edges.length - 1], mu + 3 * sd),
  ];
  const peak = Math.max(...counts, sd > 0 ? density(mu) : 0);
  // Headroom above the tallest bar for the legend.
  const yDomain = niceDomain(0, Math.max(1, peak * 1.25));
  const sx = linearScale(xDomain[0], xDomain[1], HIST.left, HIST.left + HIST.width);
  const sy = linearScale(yDomain[0], yDomain[1], HIST.top + HIST.height, HIST.top);
  const yTicks = niceTicks(yDomain[0], yDomain[1]).filter((v) => Number.isInteger(v));
  const body = axes(
    HIST,
    { domain: xDomain, label: valueLabel },
    { domain: yDomain, label: t.count, ticks: yTicks },
    lang(opts),
  );
  body.push(...histogramBars(edges, counts, sx, sy, { "fill-opacity": 0.7 }));
  if (sd > 0) {
    const points: Array<[number, number]> = Array.from({ length: 121 }, (_, k) => {
      const x = xDomain[0] + ((xDomain[1] - xDomain[0]) * k) / 120;
      return [sx(x), sy(density(x))];
    });
    body.push(polyline(points, COLOR.secondary, { class: "normal-curve", "data-mean": mu, "data-sd": sd }));
  }
  body.push(...legend([{ label: t.normalCurve, color: COLOR.secondary }], HIST.left + 20, HIST.top + 20));
  return svgDocument(
    HIST.top + HIST.height + 110,
    opts.title ?? `${t.distributionOf} ${valueLabel}`,
    body,
    "normal-histogram",
  );
}

const SCATTER: PlotBox = { left: 170, top: 120, width: 860, height: 760 };
/** Points drawn at most; larger samples are thinned evenly (the fit uses every point). */
export const MAX_SCATTER_POINTS = 4000;

export function scatterFitSvg(
  xLabel: string,
  yLabel: string,
  x: Float64Array,
  y: Float64Array,
  fit: { slope: number; intercept: number },
  opts: ChartOptions = {},
): string {
  const t = chartText(opts.language);
  const xDomain = niceDomain(...extent(x));
  const fitted = [fit.intercept + fit.slope * xDomain[0], fit.intercept + fit.slope * xDomain[1]];
  const [ylo, yhi] = extent(y);
  const yDomain = niceDomain(Math.min(ylo, ...fitted), Math.max(yhi, ...fitted));
  const sx = linearScale(xDomain[0], xDomain[1], SCATTER.left, SCATTER.left + SCATTER.width);
  const sy = linearScale(yDomain[0], yDomain[1], SCATTER.top + SCATTER.height, SCATTER.top);
  const body = axes(
    SCATTER,
    { domain: xDomain, label: xLabel },
    { domain: yDomain, label: yLabel },
    lang(opts),
  );
  const step = Math.max(1, Math.ceil(x.length / MAX_SCATTER_POINTS));
  for (let i = 0; i < x.length; i += step) body.push(dot(sx(x[i]), sy(y[i]), x.length));
  body.push(
    line(sx(xDomain[0]), sy(fitted[0]), sx(xDomain[1]), sy(fitted[1]), COLOR.secondary, {
      class: "fit",
      "stroke-width": 5,
      "data-slope": fit.slope,
      "data-intercept": fit.intercept,
    }),
  );
  body.push(
    ...legend([{ label: t.fittedLine, color: COLOR.secondary }], SCATTER.left + 20, SCATTER.top + 20),
  );
  return svgDocument(
    SCATTER.top + SCATTER.height + 110,
    opts.title ?? `${yLabel} ~ ${xLabel}`,
    body,
    "scatter-fit",
  );
}

function extent(values: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? [lo, hi] : [0, 1];
}

const lang = (opts: ChartOptions): ChartLanguage => opts.language ?? "en";
