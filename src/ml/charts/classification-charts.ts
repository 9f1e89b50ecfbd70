/** Classification charts: confusion matrix with counts and row percentages, ROC and precision–recall curves. */

import { areaUnder, type CurvePoints, precisionRecallPoints, rocPoints, stepArea } from "./curves.js";
import { chartText, formatNumber } from "./i18n.js";
import type { ChartOptions } from "./importance-chart.js";
import {
  axes,
  COLOR,
  clip,
  el,
  FONT,
  legend,
  linearScale,
  type PlotBox,
  polyline,
  shade,
  svgDocument,
  text,
  WIDTH,
} from "./svg.js";

const GRID_LEFT = 300;
const GRID_TOP = 190;
const GRID_SIZE = WIDTH - GRID_LEFT - 60;

/**
 * Rows are the true class, columns the predicted one; each cell shows its count and its share of the row
 * (the recall of that true class when on the diagonal). Colour follows the row share.
 */
export function confusionMatrixSvg(matrix: number[][], classes: string[], opts: ChartOptions = {}): string {
  const t = chartText(opts.language);
  const k = matrix.length;
  const cell = GRID_SIZE / Math.max(1, k);
  const body: string[] = [];
  const labelSize = Math.min(FONT.label, Math.max(16, cell * 0.4));
  const maxLabel = Math.max(4, Math.floor(GRID_LEFT / (labelSize * 0.62)) - 2);
  for (let r = 0; r < k; r++) {
    const rowTotal = matrix[r].reduce((s, v) => s + v, 0);
    for (let c = 0; c < k; c++) {
      const count = matrix[r][c];
      const share = rowTotal > 0 ? count / rowTotal : 0;
      const x = GRID_LEFT + c * cell;
      const y = GRID_TOP + r * cell;
      body.push(
        el("rect", {
          class: "cell",
          "data-row": r,
          "data-col": c,
          "data-count": count,
          "data-share": share,
          x,
          y,
          width: cell,
          height: cell,
          fill: shade(share),
          stroke: "#ffffff",
          "stroke-width": 2,
        }),
      );
      const ink = share > 0.5 ? "#ffffff" : COLOR.text;
      if (cell >= 90) {
        const size = Math.min(FONT.title, cell * 0.28);
        body.push(
          text(x + cell / 2, y + cell / 2, String(count), {
            size,
            anchor: "middle",
            weight: "bold",
            fill: ink,
            cls: "count",
          }),
        );
        body.push(
          text(x + cell / 2, y + cell / 2 + size, `${formatNumber(100 * share, opts.language, 1)}%`, {
            size: size * 0.72,
            anchor: "middle",
            fill: ink,
            cls: "share",
          }),
        );
      } else if (cell >= 36) {
        body.push(
          text(x + cell / 2, y + cell / 2 + cell * 0.12, String(count), {
            size: cell * 0.34,
            anchor: "middle",
            fill: ink,
            cls: "count",
          }),
        );
      }
    }
    body.push(
      text(
        GRID_LEFT - 14,
        GRID_TOP + r * cell + cell / 2 + labelSize / 3,
        clip(classes[r] ?? String(r), maxLabel),
        { size: labelSize, anchor: "end" },
      ),
    );
  }
  for (let c = 0; c < k; c++) {
    const x = GRID_LEFT + c * cell + cell / 2;
    const label = clip(classes[c] ?? String(c), Math.max(3, Math.floor(cell / (labelSize * 0.62))));
    body.push(text(x, GRID_TOP - 16, label, { size: labelSize, anchor: "middle" }));
  }
  const bottom = GRID_TOP + k * cell;
  body.push(
    text(GRID_LEFT + GRID_SIZE / 2, GRID_TOP - 64, t.predictedClass, {
      size: FONT.label,
      anchor: "middle",
      weight: "bold",
    }),
  );
  body.push(
    text(40, GRID_TOP + (k * cell) / 2, t.trueClass, {
      size: FONT.label,
      anchor: "middle",
      rotate: -90,
      weight: "bold",
    }),
  );
  return svgDocument(bottom + 60, opts.title ?? t.confusion, body, "confusion-matrix");
}

const CURVE_BOX: PlotBox = { left: 170, top: 120, width: 860, height: 760 };
/** One-vs-rest curves for at most this many classes (the palette's size), the most frequent first. */
export const MAX_CURVES = 8;

export interface CurveInput {
  /** Class indices of the held-out rows. */
  yTrue: ArrayLike<number>;
  /** n × k row-major class probabilities. */
  proba: ArrayLike<number>;
  classes: string[];
}

interface Series {
  label: string;
  points: CurvePoints;
  area: number;
}

/** The binary problems to draw: class 1 for two classes, else one-vs-rest for the most frequent classes. */
function problems(input: CurveInput): Array<{ label: string; positive: Uint8Array; score: Float64Array }> {
  const k = input.classes.length;
  const n = input.yTrue.length;
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[input.yTrue[i]]++;
  const chosen =
    k === 2
      ? [1]
      : [...counts.keys()]
          .sort((a, b) => counts[b] - counts[a] || a - b)
          .slice(0, MAX_CURVES)
          .sort((a, b) => a - b);
  return chosen.map((c) => ({
    label: input.classes[c],
    positive: Uint8Array.from({ length: n }, (_, i) => (input.yTrue[i] === c ? 1 : 0)),
    score: Float64Array.from({ length: n }, (_, i) => input.proba[i * k + c]),
  }));
}

function curveChart(
  series: Series[],
  kind: "roc" | "pr",
  baseline: Array<[number, number]>,
  opts: ChartOptions,
): string {
  const t = chartText(opts.language);
  const box = CURVE_BOX;
  const sx = linearScale(0, 1, box.left, box.left + box.width);
  const sy = linearScale(0, 1, box.top + box.height, box.top);
  const body = axes(
    box,
    { domain: [0, 1], label: kind === "roc" ? t.fpr : t.recall },
    { domain: [0, 1], label: kind === "roc" ? t.tpr : t.precision },
    opts.language ?? "en",
  );
  body.push(
    polyline(
      baseline.map(([x, y]) => [sx(x), sy(y)]),
      COLOR.axis,
      { class: "chance", "stroke-dasharray": "12 10", "stroke-width": 3 },
    ),
  );
  const items = series.map((s, k): { label: string; color: string } => {
    const color = COLOR.series[k % COLOR.series.length];
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < s.points.x.length; i++) pts.push([sx(s.points.x[i]), sy(s.points.y[i])]);
    body.push(polyline(pts, color, { class: "curve", "data-label": s.label, "data-area": s.area }));
    const name = kind === "roc" ? t.auc : t.ap;
    return { label: `${clip(s.label, 18)} (${name} ${formatNumber(s.area, opts.language, 3, true)})`, color };
  });
  items.push({ label: t.chance, color: COLOR.axis });
  const legendX = kind === "roc" ? box.left + box.width - 520 : box.left + 30;
  const legendY =
    kind === "roc"
      ? box.top + box.height - 30 - items.length * 42
      : box.top + box.height - 30 - items.length * 42;
  body.push(...legend(items, legendX, legendY));
  return svgDocument(
    box.top + box.height + 110,
    opts.title ?? (kind === "roc" ? t.roc : t.pr),
    body,
    kind === "roc" ? "roc" : "pr",
  );
}

/** ROC curve(s) with the area under each in the legend. */
export function rocSvg(input: CurveInput, opts: ChartOptions = {}): string {
  const series: Series[] = [];
  for (const p of problems(input)) {
    const points = rocPoints(p.positive, p.score);
    if (points) series.push({ label: p.label, points, area: areaUnder(points) });
  }
  return curveChart(
    series,
    "roc",
    [
      [0, 0],
      [1, 1],
    ],
    opts,
  );
}

/** Precision–recall curve(s) with the average precision in the legend; the chance line is the prevalence. */
export function precisionRecallSvg(input: CurveInput, opts: ChartOptions = {}): string {
  const series: Series[] = [];
  let prevalence = 0;
  const ps = problems(input);
  for (const p of ps) {
    const points = precisionRecallPoints(p.positive, p.score);
    if (!points) continue;
    series.push({ label: p.label, points, area: stepArea(points) });
    prevalence += p.positive.reduce((s, v) => s + v, 0) / Math.max(1, p.positive.length) / ps.length;
  }
  return curveChart(
    series,
    "pr",
    [
      [0, prevalence],
      [1, prevalence],
    ],
    opts,
  );
}
