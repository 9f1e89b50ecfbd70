/**
 * Multiclass boosting like for like with XGBoost: multi:softprob's hessian is 2p(1 − p), so the xgboost
 * model id fits with that factor (half the leaf weights of scikit-learn's p(1 − p)).
 */
import { describe, expect, it } from "vitest";
import { validateHyperparameters } from "../../../../src/ml/index.js";
import { matrixTable } from "../../../../src/ml/models/hist/columns.js";
import { softmaxLogLoss, softmaxRows } from "../../../../src/ml/models/hist/losses.js";
import {
  HistGradientBoostingClassifier,
  predictRaw,
} from "../../../../src/ml/models/hist-gradient-boosting.js";
import { Random } from "../../../../src/ml/random.js";
import { toHistParams } from "../../../../src/ml/registry-boosting.js";

describe("softmax hessian", () => {
  it("is scale · p(1 − p) with the same gradients, and the xgboost id asks for XGBoost's factor 2", () => {
    const k = 3;
    const n = 4;
    const raw = Float64Array.from({ length: n * k }, (_, i) => Math.sin(i));
    const y = Float64Array.of(0, 2, 1, 2);
    const ghOf = (scale: number) => {
      const loss = softmaxLogLoss(k, scale);
      loss.prepare(raw, n);
      const gh = new Float64Array(2 * n);
      loss.gradients(raw, y, 1, gh, n);
      return gh;
    };
    const one = ghOf(1);
    const two = ghOf(2);
    for (let i = 0; i < n; i++) {
      expect(two[2 * i]).toBe(one[2 * i]);
      expect(two[2 * i + 1]).toBeCloseTo(2 * one[2 * i + 1], 15);
      expect(one[2 * i + 1]).toBeGreaterThan(0);
    }
    expect(toHistParams("xgboost", validateHyperparameters("xgboost", {})).softmaxHessianScale).toBe(2);
    expect(
      toHistParams("lightgbm", validateHyperparameters("lightgbm", {})).softmaxHessianScale,
    ).toBeUndefined();
  });
});

describe("softmax gradients", () => {
  it("are p − [y = c] and scale · p(1 − p) of softmaxRows' p, bit for bit, every class, over many exp blocks", () => {
    const rng = new Random(4);
    for (const [k, n] of [
      [7, 5000],
      [2, 3],
      [3, 1],
    ]) {
      // Scores with ties (the row max twice), zeros of both signs, and wide ranges.
      const raw = Float64Array.from({ length: n * k }, (_, i) =>
        i % 11 === 0 ? 0 : i % 13 === 0 ? -0 : i % 17 === 0 ? 3 : 30 * rng.normal(),
      );
      const y = Float64Array.from({ length: n }, () => rng.int(k));
      const p = new Float64Array(n * k);
      softmaxRows(raw, n, k, p);
      const loss = softmaxLogLoss(k, 2);
      loss.prepare(raw, n);
      const gh = new Float64Array(2 * n);
      for (const c of [2 % k, 0, k - 1]) {
        loss.gradients(raw, y, c, gh, n);
        const expected = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) {
          const q = p[i * k + c];
          expected[2 * i] = q - (y[i] === c ? 1 : 0);
          expected[2 * i + 1] = Math.max(2 * q * (1 - q), 1e-16);
        }
        expect(Buffer.from(gh.buffer)).toEqual(Buffer.from(expected.buffer));
      }
    }
  });
});

describe("multiclass raw scores during a fit", () => {
  it("are the fitted trees' predictions, bit for bit, after every round's leaf values are added", () => {
    // The booster adds a round's K trees to the scores in one pass (leaf marks); the last round's training
    // loss must be the loss of the model's own raw predictions on the same rows.
    const rng = new Random(11);
    const n = 3000;
    const p = 4;
    const k = 5;
    const X = Float64Array.from({ length: n * p }, () => rng.normal());
    const y = Float64Array.from({ length: n }, (_, i) =>
      Math.min(k - 1, Math.max(0, Math.floor(X[i * p] + X[i * p + 1] * 0.7 + 0.8 * rng.normal() + 2.5))),
    );
    const params = toHistParams(
      "xgboost",
      validateHyperparameters("xgboost", { subsample: 1, nEstimators: 12 }),
    );
    const est = new HistGradientBoostingClassifier({ ...params, threads: 1, colsampleByTree: 1 });
    est.nClasses = k;
    est.fit({ data: X, rows: n, cols: p }, y, { rng: new Random(3) });
    const raw = predictRaw(est.getFitted(), matrixTable({ data: X, rows: n, cols: p }));
    const curve = est.learningCurve?.train ?? [];
    expect(curve).toHaveLength(12);
    expect(curve[curve.length - 1]).toBe(softmaxLogLoss(k).value(raw, y, null, n));
  });
});
