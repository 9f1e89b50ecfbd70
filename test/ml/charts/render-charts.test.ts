/** renderCharts picks the charts that suit a result, renders PNGs, and results keep a capped evaluation. */
import { describe, expect, it } from "vitest";
import { chartSvgs, renderCharts, trainModel } from "../../../src/ml/index.js";
import { Random } from "../../../src/ml/random.js";
import { MAX_EVALUATION_ROWS } from "../../../src/ml/train.js";
import type { Frame } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";
import { pngSize, texts } from "./svg-parse.js";

describe("renderCharts", () => {
  it("regression: importance, predicted vs actual and residuals as 1080 px PNGs", async () => {
    const frame = await loadFixture("diabetes");
    const result = trainModel(frame, {
      modelType: "ridge",
      task: "regression",
      target: "progression",
      features: [],
    });
    const charts = renderCharts(result);
    expect(charts.map((c) => c.name)).toEqual(["importance", "predicted_vs_actual", "residuals"]);
    for (const c of charts) {
      expect(pngSize(c.png).width).toBe(1080);
      expect(c.png.length).toBeGreaterThan(15_000);
    }
    expect(charts[1].title).toBe("Predicted vs actual");
  });

  it("binary classification: importance, confusion matrix, ROC and PR; titles in Portuguese on request", async () => {
    const frame = await loadFixture("breast_cancer");
    const result = trainModel(frame, {
      modelType: "logistic",
      task: "classification",
      target: "diagnosis",
      features: [],
    });
    const charts = renderCharts(result, { language: "pt" });
    expect(charts.map((c) => c.name)).toEqual(["importance", "confusion_matrix", "roc", "pr"]);
    expect(charts.map((c) => c.title)).toEqual([
      "Importância das variáveis",
      "Matriz de confusão",
      "Curva ROC",
      "Curva precisão–revocação",
    ]);
    for (const c of charts) expect(pngSize(c.png).width).toBe(1080);
    // The legend's AUC is the one on the metrics card.
    const roc = chartSvgs(result).find((c) => c.name === "roc")?.svg ?? "";
    expect(texts(roc).some((s) => s.includes(`AUC ${(result.metrics.rocAuc as number).toFixed(3)}`))).toBe(
      true,
    );
  });

  it("never more than four charts, with a leaderboard and a learning curve present", async () => {
    const frame = await loadFixture("iris");
    const result = trainModel(frame, {
      modelType: "knn",
      task: "classification",
      target: "species",
      features: [],
    });
    const entry = { modelType: "knn", label: "kNN", hyperparameters: {}, metric: "accuracy" as const };
    result.leaderboard = [
      { ...entry, cvMean: 0.95, cvStd: 0.02, folds: 5, fitSeconds: 0.01, status: "complete", winner: true },
      {
        ...entry,
        modelType: "logistic",
        cvMean: 0.9,
        cvStd: 0.02,
        folds: 5,
        fitSeconds: 0.01,
        status: "complete",
      },
    ];
    result.learningCurve = { metric: "mlogloss", train: [1, 0.5, 0.3] };
    const names = chartSvgs(result).map((c) => c.name);
    expect(names).toEqual(["leaderboard", "importance", "confusion_matrix", "roc"]);
  });
});

describe("held-out evaluation kept in a result", () => {
  function bigFrame(n: number): Frame {
    const rng = new Random(5);
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const codes = Int32Array.from(x, (v) => (v + 0.3 * rng.normal() > 0 ? 1 : 0));
    return {
      nRows: n,
      columns: [
        { name: "x", type: "numeric", values: x },
        { name: "y", type: "categorical", codes, levels: ["no", "yes"] },
      ],
    };
  }

  it("is a seeded sample of at most MAX_EVALUATION_ROWS rows; metrics still use every held-out row", () => {
    const frame = bigFrame(30_000);
    const spec = { modelType: "naive_bayes", task: "classification" as const, target: "y", features: ["x"] };
    const a = trainModel(frame, spec);
    const b = trainModel(frame, spec);
    expect(a.facts.testRows).toBe(6000);
    expect(a.evaluation.yTrue).toHaveLength(MAX_EVALUATION_ROWS);
    expect(a.evaluation.yPred).toHaveLength(MAX_EVALUATION_ROWS);
    expect(a.evaluation.proba).toHaveLength(2 * MAX_EVALUATION_ROWS);
    expect(a.evaluation).toEqual(b.evaluation);
    const total = (a.metrics.confusionMatrix ?? []).flat().reduce((s, v) => s + v, 0);
    expect(total).toBe(6000);
    // Each kept row's probabilities still sum to 1 and agree with its predicted class.
    const p = a.evaluation.proba ?? [];
    for (let i = 0; i < 100; i++) {
      expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 12);
      expect(a.evaluation.yPred[i]).toBe(p[2 * i + 1] > p[2 * i] ? 1 : 0);
    }
  });
});
