/** The boosting learning curve (loss per round) and the auto-mode leaderboard. */
import type { LeaderboardEntry, LearningCurve } from "../types.js";
import { chartText, formatNumber } from "./i18n.js";
import type { ChartOptions } from "./importance-chart.js";
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
  svgDocument,
  text,
  WIDTH,
} from "./svg.js";

const CURVE_BOX: PlotBox = { left: 190, top: 120, width: 840, height: 700 };

export function learningCurveSvg(curve: LearningCurve, opts: ChartOptions = {}): string {
  const t = chartText(opts.language);
  const rounds = Math.max(curve.train.length, curve.validation?.length ?? 0);
  const all = [...curve.train, ...(curve.validation ?? [])].filter(Number.isFinite);
  const yDomain = niceDomain(Math.min(0, ...all), Math.max(...all, 1e-9));
  const xDomain: [number, number] = [1, Math.max(2, rounds)];
  const box = CURVE_BOX;
  const sx = linearScale(xDomain[0], xDomain[1], box.left, box.left + box.width);
  const sy = linearScale(yDomain[0], yDomain[1], box.top + box.height, box.top);
  const xTicks = niceTicks(1, xDomain[1]).filter((v) => Number.isInteger(v));
  const body = axes(
    box,
    { domain: xDomain, label: t.round, ticks: xTicks },
    { domain: yDomain, label: `${t.loss} (${curve.metric})` },
    opts.language ?? "en",
  );
  const toPoints = (values: number[]) =>
    values.map((v, r): [number, number] => [sx(r + 1), sy(Number.isFinite(v) ? v : yDomain[1])]);
  const items: Array<{ label: string; color: string }> = [{ label: t.training, color: COLOR.primary }];
  body.push(
    polyline(toPoints(curve.train), COLOR.primary, {
      class: "curve",
      "data-series": "train",
      "data-rounds": curve.train.length,
    }),
  );
  if (curve.validation) {
    body.push(
      polyline(toPoints(curve.validation), COLOR.secondary, {
        class: "curve",
        "data-series": "validation",
        "data-rounds": curve.validation.length,
      }),
    );
    items.push({ label: t.validation, color: COLOR.secondary });
  }
  if (curve.bestIteration !== undefined) {
    const x = sx(curve.bestIteration + 1);
    body.push(
      line(x, box.top, x, box.top + box.height, COLOR.good, {
        class: "best",
        "stroke-width": 3,
        "stroke-dasharray": "10 8",
      }),
    );
    items.push({ label: `${t.bestRound}: ${curve.bestIteration + 1}`, color: COLOR.good });
  }
  body.push(...legend(items, box.left + box.width - 420, box.top + 20));
  return svgDocument(box.top + box.height + 110, opts.title ?? t.learningCurve, body, "learning-curve");
}

const ROW = 74;
const LABEL_WIDTH = 430;

/** One bar per candidate (CV mean from zero, ± std whiskers), best first; the winner in green. */
export function leaderboardSvg(entries: LeaderboardEntry[], opts: ChartOptions = {}): string {
  const t = chartText(opts.language);
  const rows = [...entries].sort((a, b) => b.cvMean - a.cvMean).slice(0, 15);
  const lo = Math.min(0, ...rows.map((e) => e.cvMean - e.cvStd));
  const hi = Math.max(0, ...rows.map((e) => e.cvMean + e.cvStd));
  const plotLeft = LABEL_WIDTH + 20;
  const plotRight = WIDTH - 250;
  const sx = linearScale(lo, hi > lo ? hi : lo + 1, plotLeft, plotRight);
  const x0 = sx(0);
  const y0 = 130;
  const body: string[] = [];
  rows.forEach((e, k) => {
    const y = y0 + k * ROW;
    const x = sx(e.cvMean);
    const mid = y + ROW / 2;
    body.push(
      el("rect", {
        class: "bar",
        "data-model": e.modelType,
        "data-value": e.cvMean,
        x: Math.min(x, x0),
        y: y + 10,
        width: Math.abs(x - x0),
        height: ROW - 20,
        fill: e.winner ? COLOR.good : COLOR.primary,
        "fill-opacity": e.status === "complete" ? 1 : 0.5,
        rx: 4,
      }),
    );
    if (e.cvStd > 0) {
      const a = sx(e.cvMean - e.cvStd);
      const b = sx(e.cvMean + e.cvStd);
      body.push(line(a, mid, b, mid, COLOR.text, { class: "whisker", "stroke-width": 3 }));
      body.push(line(a, mid - 12, a, mid + 12, COLOR.text, { "stroke-width": 3 }));
      body.push(line(b, mid - 12, b, mid + 12, COLOR.text, { "stroke-width": 3 }));
    }
    const name = clip(e.label, 24);
    body.push(
      text(LABEL_WIDTH, mid - 2, name, {
        size: FONT.small + 2,
        anchor: "end",
        weight: e.winner ? "bold" : "normal",
      }),
    );
    body.push(
      text(LABEL_WIDTH, mid + 26, `${e.folds} × ${formatNumber(e.fitSeconds, opts.language, 2)} s`, {
        size: FONT.small - 4,
        anchor: "end",
        fill: COLOR.muted,
      }),
    );
    const score = `${formatNumber(e.cvMean, opts.language, 3, true)} ± ${formatNumber(e.cvStd, opts.language, 3, true)}`;
    body.push(text(plotRight + 20, mid + 10, score, { size: FONT.small, fill: COLOR.text }));
  });
  const bottom = y0 + Math.max(1, rows.length) * ROW;
  body.push(line(x0, y0, x0, bottom, COLOR.axis, { class: "axis" }));
  const metric = rows[0]?.metric === "r2" ? "R²" : t.accuracy;
  body.push(
    text((plotLeft + plotRight) / 2, bottom + 56, `${t.cvScore} (${metric})`, {
      size: FONT.label,
      anchor: "middle",
    }),
  );
  return svgDocument(bottom + 90, opts.title ?? t.leaderboard, body, "leaderboard");
}
