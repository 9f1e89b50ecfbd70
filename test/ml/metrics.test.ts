/**
 * Metrics agree with scikit-learn 1.2.1 to 1e-9 on fixed inputs. Expected values come from
 * bench/reference/metrics_reference.py (same inputs), run with /usr/bin/python3.
 */
import { describe, expect, it } from "vitest";
import { classificationMetrics } from "../../src/ml/metrics/classification.js";
import { averagePrecision, rocAuc } from "../../src/ml/metrics/ranking.js";
import { regressionMetrics } from "../../src/ml/metrics/regression.js";

const TOL_DIGITS = 9;

function expectClose(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(actual as number).toBeCloseTo(expected, TOL_DIGITS);
}

describe("regression metrics match scikit-learn", () => {
  const yTrue = [3.0, -0.5, 2.0, 7.0, 4.2, 1.1, 9.3, 5.5, 2.2, 6.8, 0.7, 3.3];
  const yPred = [2.5, 0.0, 2.1, 7.8, 3.9, 1.5, 8.7, 5.0, 2.9, 6.1, 1.2, 3.0];
  const m = regressionMetrics(yTrue, yPred);

  it("r2, mse, rmse, mae, mape", () => {
    expectClose(m.r2, 0.9647755720884312);
    expectClose(m.mse, 0.27750000000000014);
    expectClose(m.rmse, 0.526782687642637);
    expectClose(m.mae, 0.49166666666666675);
    expectClose(m.mape, 0.2623133613171564);
  });

  it("leaves MAPE out when a target is zero", () => {
    expect(regressionMetrics([0, 1, 2], [0.5, 1, 2]).mape).toBeUndefined();
  });

  it("gives R² 1 for a perfect fit of a constant target and 0 otherwise", () => {
    expect(regressionMetrics([2, 2, 2], [2, 2, 2]).r2).toBe(1);
    expect(regressionMetrics([2, 2, 2], [2, 3, 2]).r2).toBe(0);
  });
});

describe("binary classification metrics match scikit-learn", () => {
  const yTrue = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0];
  const p1 = [0.1, 0.9, 0.8, 0.4, 0.35, 0.4, 0.2, 0.7, 0.55, 0.6, 0.35, 0.05, 0.95, 0.4, 0.3, 0.65];
  const yPred = p1.map((p) => (p >= 0.5 ? 1 : 0));
  const proba = Float64Array.from(p1.flatMap((p) => [1 - p, p]));
  const m = classificationMetrics(yTrue, yPred, 2, proba);

  it("accuracy, precision, recall, F1 (binary, macro, weighted)", () => {
    expectClose(m.accuracy, 0.6875);
    expectClose(m.precision, 0.7142857142857143);
    expectClose(m.recall, 0.625);
    expectClose(m.f1, 0.6666666666666666);
    expectClose(m.f1Macro, 0.6862745098039216);
    expectClose(m.f1Weighted, 0.6862745098039216);
  });

  it("ROC-AUC and average precision with tied scores", () => {
    expectClose(m.rocAuc, 0.796875);
    expectClose(m.prAuc, 0.8309523809523809);
  });

  it("log-loss, Brier score and confusion matrix", () => {
    expectClose(m.logLoss, 0.5046550435080364);
    expectClose(m.brier, 0.1746875);
    expect(m.confusionMatrix).toEqual([
      [6, 2],
      [3, 5],
    ]);
  });
});

describe("multiclass metrics match scikit-learn", () => {
  const yTrue = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2, 0];
  const rows = [
    [0.7, 0.2, 0.1],
    [0.2, 0.5, 0.3],
    [0.1, 0.3, 0.6],
    [0.3, 0.3, 0.4],
    [0.4, 0.4, 0.2],
    [0.5, 0.25, 0.25],
    [0.2, 0.6, 0.2],
    [0.1, 0.1, 0.8],
    [0.3, 0.4, 0.3],
    [0.25, 0.5, 0.25],
    [0.6, 0.1, 0.3],
    [0.8, 0.1, 0.1],
    [0.1, 0.7, 0.2],
    [0.2, 0.2, 0.6],
    [0.4, 0.35, 0.25],
  ];
  // argmax, first index on ties (numpy's rule)
  const yPred = rows.map((r) => r.indexOf(Math.max(...r)));
  const m = classificationMetrics(yTrue, yPred, 3, Float64Array.from(rows.flat()));

  it("accuracy and weighted/macro precision, recall, F1", () => {
    expectClose(m.accuracy, 0.8);
    expectClose(m.precision, 0.8222222222222222);
    expectClose(m.recall, 0.8);
    expectClose(m.f1, 0.8053872053872054);
    expectClose(m.f1Macro, 0.8053872053872054);
    expectClose(m.f1Weighted, 0.8053872053872054);
  });

  it("one-vs-rest ROC-AUC and PR-AUC (macro), log-loss, confusion matrix", () => {
    expectClose(m.rocAuc, 0.91);
    expectClose(m.prAuc, 0.8476190476190476);
    expectClose(m.logLoss, 0.7159535615982904);
    expect(m.confusionMatrix).toEqual([
      [4, 1, 0],
      [1, 4, 0],
      [1, 0, 4],
    ]);
    expect(m.brier).toBeUndefined();
  });
});

describe("ranking kernels: edge cases", () => {
  it("are undefined (NaN) when one class is absent", () => {
    expect(rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toBeNaN();
    expect(averagePrecision([0, 0], [0.2, 0.5])).toBeNaN();
  });

  it("give 0.5 ROC-AUC for all-tied scores and 1 for a perfect ranking", () => {
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
  });
});
