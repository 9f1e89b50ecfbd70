/**
 * For every registered model and task: same seed → identical model; artifact round trip → identical
 * predictions and probabilities; the original's aliases resolve. Small data and few iterations keep it fast.
 */
import { describe, expect, it } from "vitest";
import {
  deserializeModel,
  MODEL_REGISTRY,
  predictFrame,
  serializeModel,
  trainModel,
} from "../../../src/ml/index.js";
import { supportsTask } from "../../../src/ml/models/factory.js";
import type { Frame, ModelMetadata, Task, TrainResult } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";

const KEY = "signing-key-for-tests-0123456789abcdef";
const FAST: Record<string, Record<string, unknown>> = {
  mlp: { maxIter: 30 },
  random_forest: { nEstimators: 20 },
  gradient_boosting: { nEstimators: 30 },
  catboost: { iterations: 100 },
};
const CASES: Array<{ task: Task; dataset: "diabetes" | "penguins"; target: string }> = [
  { task: "regression", dataset: "diabetes", target: "progression" },
  { task: "classification", dataset: "penguins", target: "Species" },
];

function train(frame: Frame, id: string, task: Task, target: string, seed: number): TrainResult {
  return trainModel(frame, {
    modelType: id,
    task,
    target,
    features: [],
    seed,
    hyperparameters: FAST[id] ?? {},
  });
}

function metadata(r: TrainResult): ModelMetadata {
  return {
    modelId: "x",
    name: "x",
    modelType: r.model.modelType,
    taskType: r.model.task,
    target: r.model.target,
    features: r.model.features.map((f) => f.name),
    trainedAt: new Date(0).toISOString(),
    metrics: r.metrics,
    trainedOn: "local",
  };
}

describe.each(CASES)("every $task model", ({ task, dataset, target }) => {
  const models = MODEL_REGISTRY.filter((s) => supportsTask(s.id, task)).map((s) => s.id);

  it.each(models)("%s: deterministic for a seed, identical after a signed round trip", async (id) => {
    const frame = await loadFixture(dataset);
    const a = train(frame, id, task, target, 11);
    const b = train(frame, id, task, target, 11);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.importance).toEqual(a.importance);
    const before = predictFrame(a.model, frame, { probabilities: true });
    expect(predictFrame(b.model, frame, { probabilities: true })).toEqual(before);
    const { model } = deserializeModel(serializeModel(a.model, metadata(a), KEY), KEY);
    const after = predictFrame(model, frame, { probabilities: true });
    expect(after.predictions).toEqual(before.predictions);
    expect(after.probabilities).toEqual(before.probabilities);
    expect(a.importance.map((i) => i.feature).sort()).toEqual(a.model.features.map((f) => f.name).sort());
  });
});

describe("randomised models depend on the seed", () => {
  it.each(["random_forest", "mlp"])("%s", async (id) => {
    const frame = await loadFixture("diabetes");
    const a = train(frame, id, "regression", "progression", 1);
    const b = trainModel(frame, {
      modelType: id,
      task: "regression",
      target: "progression",
      features: [],
      seed: 1,
      testSize: 0.2,
      hyperparameters: FAST[id],
    });
    expect(b.evaluation.yPred).toEqual(a.evaluation.yPred);
    const c = train(frame, id, "regression", "progression", 2);
    expect(c.evaluation.yPred).not.toEqual(a.evaluation.yPred);
  });
});

describe("the brief's example bar", () => {
  it("a random forest on breast_cancer reaches accuracy ≥ 0.94 (seed 42, 100 trees)", async () => {
    const r = trainModel(await loadFixture("breast_cancer"), {
      modelType: "random_forest",
      task: "classification",
      target: "diagnosis",
      features: [],
    });
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.94);
    expect(r.importance[0].importance).toBeGreaterThan(0);
  });
});

describe("the original's model ids", () => {
  it.each([
    ["mlp_regression", "regression", "mlp"],
    ["mlp_classification", "classification", "mlp"],
    ["random_forest_regression", "regression", "random_forest"],
    ["gradient_boosting_classification", "classification", "gradient_boosting"],
  ] as const)("%s trains as %s", async (alias, task, id) => {
    const frame = await loadFixture(task === "regression" ? "diabetes" : "iris");
    const target = task === "regression" ? "progression" : "species";
    const r = trainModel(frame, { modelType: alias, task, target, features: [], hyperparameters: FAST[id] });
    expect(r.model.modelType).toBe(id);
  });
});
