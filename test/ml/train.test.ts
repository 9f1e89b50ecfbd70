/** trainModel end to end on the shared datasets, plus the data-handling rules around it. */
import { describe, expect, it } from "vitest";
import { DataError, InvalidParameterError, NoUsableTargetError } from "../../src/errors.js";
import { predictFrame, trainModel } from "../../src/ml/index.js";
import type { TrainProgress } from "../../src/ml/types.js";
import { csvFrame, loadFixture } from "./helpers/fixtures.js";

describe("trainModel: linear regression", () => {
  it("reaches held-out R² ≥ 0.35 on diabetes (target progression)", async () => {
    const frame = await loadFixture("diabetes");
    const progress: TrainProgress[] = [];
    const r = trainModel(
      frame,
      { modelType: "linear", task: "regression", target: "progression", features: [] },
      (p) => progress.push(p),
    );
    expect(r.metrics.r2).toBeGreaterThanOrEqual(0.35);
    expect(r.metrics.rmse).toBeCloseTo(Math.sqrt(r.metrics.mse as number), 12);
    expect(r.facts).toMatchObject({ rowsUsed: 442, trainRows: 353, testRows: 89, droppedMissingTarget: 0 });
    expect(r.facts.targetQuartiles?.[1]).toBe(140.5);
    expect(r.importance).toHaveLength(10);
    expect(r.importance[0].importance).toBeGreaterThanOrEqual(r.importance[9].importance);
    expect(r.evaluation.yTrue).toHaveLength(89);
    expect(progress[0].phase).toBe("preparing");
    expect(progress.at(-1)?.percent).toBe(100);
  });

  it("is deterministic for a seed and changes with the seed", async () => {
    const frame = await loadFixture("diabetes");
    const spec = { modelType: "linear", task: "regression" as const, target: "progression", features: [] };
    const a = trainModel(frame, { ...spec, seed: 7 });
    const b = trainModel(frame, { ...spec, seed: 7 });
    const c = trainModel(frame, { ...spec, seed: 8 });
    expect(a.metrics).toEqual(b.metrics);
    expect(a.metrics.r2).not.toBe(c.metrics.r2);
  });
});

describe("trainModel: logistic regression", () => {
  it("binary on breast_cancer: accuracy ≥ 0.94 and every probability metric", async () => {
    const frame = await loadFixture("breast_cancer");
    const r = trainModel(frame, {
      modelType: "logistic",
      task: "classification",
      target: "diagnosis",
      features: [],
    });
    expect(r.model.classes).toEqual(["benign", "malignant"]);
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.94);
    for (const k of ["precision", "recall", "f1", "rocAuc", "prAuc", "logLoss", "brier"] as const) {
      expect(r.metrics[k]).toBeTypeOf("number");
    }
    expect(r.facts.classBalance).toEqual([
      { label: "benign", count: 357 },
      { label: "malignant", count: 212 },
    ]);
    expect(r.evaluation.proba).toHaveLength(2 * (r.facts.testRows ?? 0));
  });

  it("multinomial on wine and iris, stratified: each class keeps its share of the test split", async () => {
    for (const [name, target] of [
      ["wine", "cultivar"],
      ["iris", "species"],
    ] as const) {
      const r = trainModel(await loadFixture(name), {
        modelType: "logistic",
        task: "classification",
        target,
        features: [],
      });
      expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
      const perClass = (r.metrics.confusionMatrix ?? []).map((row) => row.reduce((s, v) => s + v, 0));
      const balance = r.facts.classBalance ?? [];
      perClass.forEach((n, k) => {
        expect(Math.abs(n - balance[k].count * 0.2)).toBeLessThanOrEqual(1);
      });
    }
  });

  it("handles categoricals and missing values (penguins) and predicts labels", async () => {
    const frame = await loadFixture("penguins");
    const r = trainModel(frame, {
      modelType: "logistic",
      task: "classification",
      target: "Species",
      features: [],
    });
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    const p = predictFrame(r.model, frame, { probabilities: true });
    expect(p.predictions).toHaveLength(344);
    expect(new Set(p.predictions)).toEqual(new Set(["Adelie", "Chinstrap", "Gentoo"]));
    expect(p.probabilities?.[0].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });
});

describe("trainModel: data rules", () => {
  it("drops rows with a missing target and reports how many", async () => {
    const frame = await loadFixture("penguins");
    const r = trainModel(frame, {
      modelType: "logistic",
      task: "classification",
      target: "Sex",
      features: [],
    });
    expect(r.facts.droppedMissingTarget).toBe(11);
    expect(r.facts.rowsUsed).toBe(333);
  });

  it("refuses a one-class target, a categorical regression target and too few rows", async () => {
    const one = await csvFrame(`x,y\n${Array.from({ length: 20 }, (_, i) => `${i},a`).join("\n")}`);
    expect(() =>
      trainModel(one, { modelType: "logistic", task: "classification", target: "y", features: ["x"] }),
    ).toThrow(NoUsableTargetError);
    const cat = await csvFrame(
      `x,y\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? "a" : "b"}`).join("\n")}`,
    );
    expect(() =>
      trainModel(cat, { modelType: "linear", task: "regression", target: "y", features: ["x"] }),
    ).toThrow(/not numeric/);
    const few = await csvFrame("x,y\n1,2\n2,3\n3,5\n");
    expect(() =>
      trainModel(few, { modelType: "linear", task: "regression", target: "y", features: ["x"] }),
    ).toThrow(DataError);
  });

  it("refuses unknown features, unknown models, a model/task mismatch and bad hyperparameters", async () => {
    const frame = await loadFixture("iris");
    const base = { task: "classification" as const, target: "species", features: [] };
    expect(() => trainModel(frame, { ...base, modelType: "logistic", features: ["nope"] })).toThrow(/"nope"/);
    expect(() => trainModel(frame, { ...base, modelType: "magic" })).toThrow(InvalidParameterError);
    expect(() => trainModel(frame, { ...base, modelType: "linear" })).toThrow(
      /cannot be used for classification/,
    );
    expect(() => trainModel(frame, { ...base, modelType: "logistic", hyperparameters: { C: -1 } })).toThrow(
      "The 'C' parameter of LogisticRegression must be a float in (0, 1000000]. Got -1.",
    );
  });
});
