/**
 * Forest split quality on few features (issue 12's weak-2 shape: two features, a weak signal, much noise).
 * The reference is scikit-learn's method written plainly: exact CART trees (the decision tree, thresholds
 * at midpoints) on bootstrap resamples of the rows, averaged. Trees split on 255 shared bin edges scored
 * 0.036 below it here (R² −0.162 vs −0.126: every tree cut at the same places, so averaging removed less
 * variance); the exact forest scores −0.133.
 */
import { describe, expect, it } from "vitest";
import { shape } from "../../../../bench/ml/shapes.js";
import { deserializeModel, predictFrame, serializeModel, trainModel } from "../../../../src/ml/index.js";
import { r2Score } from "../../../../src/ml/metrics/regression.js";
import { DecisionTreeRegressor } from "../../../../src/ml/models/decision-tree.js";
import { type BinnedForestFitted, RandomForestRegressor } from "../../../../src/ml/models/random-forest.js";
import { Random } from "../../../../src/ml/random.js";
import type { Frame, ModelMetadata } from "../../../../src/ml/types.js";
import { forestParams } from "../../helpers/forest-params.js";

/** Mean prediction of exact trees, each fitted on a bootstrap resample of the rows. */
function baggedExactTrees(
  X: { data: Float64Array; rows: number; cols: number },
  y: Float64Array,
  trees: number,
) {
  const rng = new Random(99);
  return (test: { data: Float64Array; rows: number; cols: number }) => {
    const sum = new Float64Array(test.rows);
    for (let t = 0; t < trees; t++) {
      const rows = Int32Array.from({ length: X.rows }, () => rng.int(X.rows));
      const data = new Float64Array(rows.length * 2);
      for (let k = 0; k < rows.length; k++) data.set(X.data.subarray(2 * rows[k], 2 * rows[k] + 2), 2 * k);
      const tree = new DecisionTreeRegressor({
        maxDepth: null,
        minSamplesSplit: 2,
        minSamplesLeaf: 1,
        criterion: "squared_error",
      } as never);
      tree.fit(
        { data, rows: rows.length, cols: 2 },
        Float64Array.from(rows, (r) => y[r]),
        { rng },
      );
      tree.predict(test).forEach((v, i) => {
        sum[i] += v / trees;
      });
    }
    return sum;
  };
}

describe("random forest on few features", () => {
  it("scores as exact trees on bootstrap samples do (weak-2 shape), with a raw threshold per split", async () => {
    const d = await shape("weak-2", 0.025);
    const train = { X: d.Xtrain, y: d.ytrain };
    const test = { X: d.Xtest, y: d.ytest };
    const est = new RandomForestRegressor(forestParams(40));
    est.fit(train.X, train.y, { rng: new Random(43) });
    const ours = r2Score(test.y, est.predict(test.X));
    const reference = r2Score(test.y, baggedExactTrees(train.X, train.y, 40)(test.X));
    expect((est.getFitted() as BinnedForestFitted).forest.threshold).toBeDefined();
    expect(ours).toBeGreaterThanOrEqual(reference - 0.015);
  });

  it("saves the exact thresholds with the model: a loaded model predicts the same", () => {
    const rng = new Random(5);
    const n = 1500;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const frame: Frame = {
      nRows: n,
      columns: [
        { name: "a", type: "numeric", values: a },
        { name: "b", type: "numeric", values: b },
        { name: "y", type: "numeric", values: a.map((v, i) => Math.sin(2 * v) + 0.3 * b[i] + rng.normal()) },
      ],
    };
    const r = trainModel(frame, {
      modelType: "random_forest",
      task: "regression",
      target: "y",
      features: ["a", "b"],
      hyperparameters: { nEstimators: 20 },
    });
    expect((r.model.fitted as BinnedForestFitted).forest.threshold).toBeInstanceOf(Float64Array);
    const key = "forest-few-features-key-0123456789";
    const metadata: ModelMetadata = {
      modelId: "m",
      name: "m",
      modelType: "random_forest",
      taskType: "regression",
      target: "y",
      features: ["a", "b"],
      trainedAt: new Date(0).toISOString(),
      metrics: r.metrics,
      trainedOn: "local",
    };
    const { model } = deserializeModel(serializeModel(r.model, metadata, key), key);
    const predictions = predictFrame(model, frame).predictions;
    expect(predictions).toEqual(predictFrame(r.model, frame).predictions);
    expect(new Set(predictions).size).toBeGreaterThan(100);
  });
});
