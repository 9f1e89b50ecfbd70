/**
 * Multiclass boosting like for like with XGBoost: multi:softprob's hessian is 2p(1 − p), so the xgboost
 * model id fits with that factor (half the leaf weights of scikit-learn's p(1 − p)).
 */
import { describe, expect, it } from "vitest";
import { validateHyperparameters } from "../../../../src/ml/index.js";
import { softmaxLogLoss } from "../../../../src/ml/models/hist/losses.js";
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
