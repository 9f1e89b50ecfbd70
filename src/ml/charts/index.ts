/**
 * Charts for a training result card: which charts fit the task, built as SVG and rendered to PNG by one
 * renderer. At most MAX_CARD_CHARTS per result, in order of usefulness.
 */
import { confusionMatrix } from "../metrics/classification.js";
import type { TrainResult } from "../types.js";
import { leaderboardSvg, learningCurveSvg } from "./boosting-charts.js";
import { confusionMatrixSvg, precisionRecallSvg, rocSvg } from "./classification-charts.js";
import { type ChartLanguage, chartText } from "./i18n.js";
import { type ChartOptions, importanceSvg } from "./importance-chart.js";
import { predictedVsActualSvg, residualsSvg } from "./regression-charts.js";
import { svgToPng } from "./render.js";

export { leaderboardSvg, learningCurveSvg } from "./boosting-charts.js";
export { confusionMatrixSvg, precisionRecallSvg, rocSvg } from "./classification-charts.js";
export type { ChartLanguage } from "./i18n.js";
export { type ChartOptions, importanceSvg } from "./importance-chart.js";
export { predictedVsActualSvg, residualsSvg } from "./regression-charts.js";
export { svgToPng } from "./render.js";

export const MAX_CARD_CHARTS = 4;

/** A chart as SVG; `name` is a file-safe id (stored as charts/<name>.png). */
export interface ChartSvg {
  name: string;
  title: string;
  svg: string;
}

/** A rendered chart. */
export interface RenderedChart {
  name: string;
  title: string;
  png: Uint8Array;
}

/** The charts that suit this result, as SVG, most useful first (at most MAX_CARD_CHARTS). */
export function chartSvgs(result: TrainResult, opts: { language?: ChartLanguage } = {}): ChartSvg[] {
  const language = opts.language ?? "en";
  const t = chartText(language);
  const o: ChartOptions = { language };
  const out: ChartSvg[] = [];
  const add = (name: string, title: string, build: () => string) => {
    if (out.length < MAX_CARD_CHARTS) out.push({ name, title, svg: build() });
  };
  const { evaluation, model } = result;
  if (result.leaderboard && result.leaderboard.length > 1)
    add("leaderboard", t.leaderboard, () => leaderboardSvg(result.leaderboard ?? [], o));
  if (result.importance.length > 0)
    add("importance", t.importance, () => importanceSvg(result.importance, o));
  if (model.task === "regression") {
    add("predicted_vs_actual", t.predictedVsActual, () =>
      predictedVsActualSvg(evaluation.yTrue, evaluation.yPred, o),
    );
    add("residuals", t.residuals, () => residualsSvg(evaluation.yTrue, evaluation.yPred, o));
  } else {
    const classes = model.classes ?? [];
    const matrix =
      result.metrics.confusionMatrix ?? confusionMatrix(evaluation.yTrue, evaluation.yPred, classes.length);
    add("confusion_matrix", t.confusion, () => confusionMatrixSvg(matrix, classes, o));
    if (evaluation.proba) {
      const input = { yTrue: evaluation.yTrue, proba: evaluation.proba, classes };
      add("roc", t.roc, () => rocSvg(input, o));
      if (classes.length === 2 && !result.learningCurve) add("pr", t.pr, () => precisionRecallSvg(input, o));
    }
  }
  if (result.learningCurve)
    add("learning_curve", t.learningCurve, () =>
      learningCurveSvg(result.learningCurve ?? { metric: "", train: [] }, o),
    );
  return out;
}

/** The result card's charts as PNG (1080 px wide, fonts embedded). */
export function renderCharts(result: TrainResult, opts: { language?: ChartLanguage } = {}): RenderedChart[] {
  return chartSvgs(result, opts).map((c) => ({ name: c.name, title: c.title, png: svgToPng(c.svg) }));
}
