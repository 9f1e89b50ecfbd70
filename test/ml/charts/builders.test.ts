/** Each chart's SVG structure against the data it draws, and each renders to a 1080 px wide PNG. */
import { describe, expect, it } from "vitest";
import {
  confusionMatrixSvg,
  importanceSvg,
  leaderboardSvg,
  learningCurveSvg,
  precisionRecallSvg,
  predictedVsActualSvg,
  residualsSvg,
  rocSvg,
  svgToPng,
} from "../../../src/ml/index.js";
import { averagePrecision, rocAuc } from "../../../src/ml/metrics/ranking.js";
import { Random } from "../../../src/ml/random.js";
import type { LeaderboardEntry } from "../../../src/ml/types.js";
import { elements, num, pngSize, points, texts } from "./svg-parse.js";

function expectPng(svg: string): void {
  const png = svgToPng(svg);
  const { width, height } = pngSize(png);
  expect(width).toBe(1080);
  expect(height).toBeGreaterThan(300);
  // A chart with text and marks compresses to tens of kilobytes; a blank page would be a few hundred bytes.
  expect(png.length).toBeGreaterThan(15_000);
}

/** Bar width per unit of value is the same for every bar. */
function expectProportional(widths: number[], values: number[]): void {
  const unit = widths[0] / Math.abs(values[0]);
  widths.forEach((w, k) => {
    expect(w).toBeCloseTo(unit * Math.abs(values[k]), 0);
  });
}

describe("importanceSvg", () => {
  const items = Array.from({ length: 20 }, (_, j) => ({
    feature: `feature_${j}`,
    importance: (j + 1) / 210,
  }));

  it("draws the top 15 as bars, largest first, lengths proportional to the values", () => {
    const svg = importanceSvg(items);
    const bars = elements(svg, "rect", "bar");
    expect(bars).toHaveLength(15);
    expect(bars.map((b) => b["data-feature"])).toEqual(
      Array.from({ length: 15 }, (_, k) => `feature_${19 - k}`),
    );
    const ys = bars.map((b) => num(b, "y"));
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expectProportional(
      bars.map((b) => num(b, "width")),
      bars.map((b) => num(b, "data-value")),
    );
    expect(num(bars[0], "width")).toBeGreaterThan(400);
    expect(texts(svg)).toContain("Feature importance");
    expectPng(svg);
  });

  it("draws as many bars as features when there are fewer than 15, negatives left of zero", () => {
    const svg = importanceSvg([
      { feature: "a", importance: 0.3 },
      { feature: "b", importance: 0.1 },
      { feature: "c", importance: -0.05 },
    ]);
    const bars = elements(svg, "rect", "bar");
    expect(bars).toHaveLength(3);
    const zero = num(elements(svg, "line", "axis")[0], "x1");
    expect(num(bars[0], "x")).toBeCloseTo(zero, 1);
    expect(num(bars[2], "x") + num(bars[2], "width")).toBeCloseTo(zero, 1);
    expectProportional(
      bars.map((b) => num(b, "width")),
      [0.3, 0.1, 0.05],
    );
  });

  it("titles in Portuguese with decimal commas", () => {
    const svg = importanceSvg([{ feature: "x", importance: 0.25 }], { language: "pt" });
    expect(texts(svg)).toContain("Importância das variáveis");
    expect(texts(svg)).toContain("0,25");
  });
});

describe("regression charts", () => {
  const rng = new Random(3);
  const yTrue = Array.from({ length: 300 }, () => 50 + 20 * rng.normal());
  const yPred = yTrue.map((v) => v + 5 * rng.normal());

  it("predicted vs actual: one point per row and the identity line through equal values", () => {
    const svg = predictedVsActualSvg([...yTrue, 40], [...yPred, 40]);
    const pts = elements(svg, "circle", "point");
    expect(pts).toHaveLength(301);
    const id = elements(svg, "line", "identity")[0];
    const [x1, y1, x2, y2] = ["x1", "y1", "x2", "y2"].map((k) => num(id, k));
    // Square plot with one domain for both axes: the identity line is the 45° diagonal.
    expect(x2 - x1).toBeCloseTo(y1 - y2, 1);
    const last = pts[pts.length - 1];
    const t = (num(last, "cx") - x1) / (x2 - x1);
    expect(num(last, "cy")).toBeCloseTo(y1 + t * (y2 - y1), 0);
    expectPng(svg);
  });

  it("residuals: bars count every row, heights proportional to counts", () => {
    const svg = residualsSvg(yTrue, yPred);
    const bars = elements(svg, "rect", "bar");
    expect(bars.length).toBeGreaterThanOrEqual(5);
    expect(bars.reduce((s, b) => s + num(b, "data-count"), 0)).toBe(300);
    const tallest = bars.reduce((a, b) => (num(b, "data-count") > num(a, "data-count") ? b : a));
    const unit = num(tallest, "height") / num(tallest, "data-count");
    for (const b of bars) expect(num(b, "height")).toBeCloseTo(unit * num(b, "data-count"), 0);
    for (const b of bars) {
      const from = num(b, "data-from");
      const to = num(b, "data-to");
      const inBin = yTrue.filter((v, i) => {
        const r = v - yPred[i];
        return r >= from && (r < to || b === bars[bars.length - 1]);
      }).length;
      expect(num(b, "data-count")).toBe(inBin);
    }
    expectPng(svg);
  });
});

describe("classification charts", () => {
  it("confusion matrix: k² cells with the counts and row percentages", () => {
    const matrix = [
      [30, 2, 0],
      [3, 11, 1],
      [0, 0, 25],
    ];
    const svg = confusionMatrixSvg(matrix, ["Adelie", "Chinstrap", "Gentoo"]);
    const cells = elements(svg, "rect", "cell");
    expect(cells).toHaveLength(9);
    for (const c of cells) expect(num(c, "data-count")).toBe(matrix[num(c, "data-row")][num(c, "data-col")]);
    const counts = elements(svg, "text", "count").map((e) => e.content);
    expect(counts).toEqual(matrix.flat().map(String));
    const shares = elements(svg, "text", "share").map((e) => e.content);
    expect(shares.slice(3, 6)).toEqual(["20%", "73.3%", "6.7%"]);
    expect(texts(svg)).toEqual(expect.arrayContaining(["Adelie", "Chinstrap", "Gentoo", "True class"]));
    expectPng(svg);
  });

  const rng = new Random(9);
  const n = 400;
  const yTrue = Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
  const proba = yTrue.flatMap((y) => {
    const p = Math.min(1, Math.max(0, 0.5 + (y === 1 ? 0.2 : -0.2) + 0.3 * rng.normal()));
    return [1 - p, p];
  });
  const p1 = proba.filter((_, i) => i % 2 === 1);

  it("ROC (binary): one curve from (0,0) to (1,1) whose area is the ROC-AUC, shown in the legend", () => {
    const svg = rocSvg({ yTrue, proba, classes: ["no", "yes"] });
    const curves = elements(svg, "polyline", "curve");
    expect(curves).toHaveLength(1);
    const auc = rocAuc(yTrue, p1);
    expect(num(curves[0], "data-area")).toBeCloseTo(auc, 10);
    expect(texts(svg)).toContain(`yes (AUC ${auc.toFixed(3)})`);
    const pts = points(curves[0]);
    const chance = points(elements(svg, "polyline", "chance")[0]);
    expect(pts[0]).toEqual(chance[0]);
    expect(pts[pts.length - 1]).toEqual(chance[1]);
    expectPng(svg);
  });

  it("PR (binary): area is the average precision", () => {
    const svg = precisionRecallSvg({ yTrue, proba, classes: ["no", "yes"] });
    const curves = elements(svg, "polyline", "curve");
    expect(curves).toHaveLength(1);
    const ap = averagePrecision(yTrue, p1);
    expect(num(curves[0], "data-area")).toBeCloseTo(ap, 10);
    expect(texts(svg)).toContain(`yes (AP ${ap.toFixed(3)})`);
    expectPng(svg);
  });

  it("ROC (multiclass): one one-vs-rest curve per class", () => {
    const k = 3;
    const y = Array.from({ length: 90 }, (_, i) => i % k);
    const p = y.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 0.5 : 0.25) + 0.01 * rng.next()));
    const svg = rocSvg({ yTrue: y, proba: p, classes: ["a", "b", "c"] });
    const curves = elements(svg, "polyline", "curve");
    expect(curves.map((c) => c["data-label"])).toEqual(["a", "b", "c"]);
    for (const c of curves) expect(num(c, "data-area")).toBeGreaterThan(0.9);
  });
});

describe("boosting and auto-mode charts", () => {
  it("learning curve: one point per round for each series and the best round marked", () => {
    const train = Array.from({ length: 60 }, (_, r) => Math.exp(-r / 20));
    const validation = train.map((v, r) => v + 0.1 + r * 0.001);
    const svg = learningCurveSvg({ metric: "rmse", train, validation, bestIteration: 41 });
    const curves = elements(svg, "polyline", "curve");
    expect(curves.map((c) => c["data-series"])).toEqual(["train", "validation"]);
    for (const c of curves) expect(points(c)).toHaveLength(60);
    // Losses fall: y in pixels grows downward, so the train curve's y increases along the rounds.
    const ys = points(curves[0]).map((p) => p[1]);
    expect(ys[59]).toBeGreaterThan(ys[0]);
    expect(elements(svg, "line", "best")).toHaveLength(1);
    expect(texts(svg)).toContain("Best round: 42");
    expectPng(svg);
  });

  it("leaderboard: a bar per candidate, best first, lengths proportional, the winner highlighted", () => {
    const entry = (modelType: string, cvMean: number, winner = false): LeaderboardEntry => ({
      modelType,
      label: modelType,
      hyperparameters: {},
      metric: "accuracy",
      cvMean,
      cvStd: 0.01,
      folds: 5,
      fitSeconds: 0.5,
      status: "complete",
      winner,
    });
    const svg = leaderboardSvg([
      entry("logistic", 0.9),
      entry("hist_gradient_boosting", 0.96, true),
      entry("knn", 0.8),
    ]);
    const bars = elements(svg, "rect", "bar");
    expect(bars.map((b) => b["data-model"])).toEqual(["hist_gradient_boosting", "logistic", "knn"]);
    expectProportional(
      bars.map((b) => num(b, "width")),
      [0.96, 0.9, 0.8],
    );
    expect(bars[0].fill).not.toBe(bars[1].fill);
    expect(elements(svg, "line", "whisker")).toHaveLength(3);
    expect(texts(svg)).toContain("0.960 ± 0.010");
    expectPng(svg);
  });
});
