/**
 * Logistic regression against scikit-learn 1.2.1 (lbfgs, C = 1, tol 1e-8; bench/reference/linear_reference.py).
 * Both solvers stop on a relative-decrease test, so coefficients agree to about 1e-5, not to machine precision.
 */
import { describe, expect, it } from "vitest";
import type { Matrix } from "../../../src/ml/matrix.js";
import { LogisticRegression } from "../../../src/ml/models/logistic.js";
import { Random } from "../../../src/ml/random.js";

const X: Matrix = {
  data: Float64Array.from(
    [
      [0.5, 1.2],
      [1.0, 0.3],
      [1.5, 2.2],
      [2.0, 1.1],
      [2.5, 0.4],
      [3.0, 2.9],
      [3.5, 1.7],
      [4.0, 0.2],
      [4.5, 2.5],
      [5.0, 1.4],
      [5.5, 3.1],
      [6.0, 0.9],
    ].flat(),
  ),
  rows: 12,
  cols: 2,
};
const params = { C: 1, maxIter: 1000, tol: 1e-8 };
const ctx = { rng: new Random(1) };

describe("LogisticRegression", () => {
  it("binary: one weight vector matching scikit-learn", () => {
    const m = new LogisticRegression(params);
    m.nClasses = 2;
    m.fit(X, Float64Array.from([0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1]), ctx);
    const { coef, intercept } = m.getFitted();
    expect(coef[0]).toBeCloseTo(0.9691763702603094, 5);
    expect(coef[1]).toBeCloseTo(0.2579483647579902, 5);
    expect(intercept[0]).toBeCloseTo(-2.9782348251146584, 5);
    const p = m.predictProba(X);
    for (let i = 0; i < 12; i++) expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 12);
  });

  it("multinomial: one vector per class at the optimum, within scikit-learn's own stopping error", () => {
    const m = new LogisticRegression(params);
    m.nClasses = 3;
    m.fit(X, Float64Array.from([0, 0, 1, 0, 2, 1, 1, 2, 1, 2, 1, 2]), ctx);
    const { coef, intercept } = m.getFitted();
    // The exact minimiser (scipy, gradient 1e-12) …
    const exact = [
      -0.844514138254854, -0.32076323467148926, 0.11584797625162634, 1.2158538151217282, 0.7286661620032268,
      -0.8950905804502391,
    ];
    const exactIntercept = [2.4603531022052665, -1.6106484628189985, -0.8497046393862655];
    exact.forEach((e, i) => {
      expect(Math.abs(coef[i] - e)).toBeLessThan(2e-5);
    });
    exactIntercept.forEach((e, i) => {
      expect(Math.abs(intercept[i] - e)).toBeLessThan(2e-5);
    });
    // … and scikit-learn's answer, which stops about 5e-5 short of it.
    const sklearnIntercept = [2.4603981279351412, -1.6106768063481232, -0.8497213215870173];
    sklearnIntercept.forEach((e, i) => {
      expect(Math.abs(intercept[i] - e)).toBeLessThan(1e-4);
    });
    const p = m.predictProba({ data: X.data.subarray(0, 2), rows: 1, cols: 2 });
    [0.8233450346318042, 0.1435163779288629, 0.03313858743933291].forEach((e, i) => {
      expect(Math.abs(p[i] - e)).toBeLessThan(2e-5);
    });
  });

  it("names the first NaN or infinity in X, binary and multinomial alike (found by the first loss)", () => {
    for (const [bad, k] of [
      [Number.NaN, 2],
      [Number.POSITIVE_INFINITY, 2],
      [Number.NEGATIVE_INFINITY, 3],
    ]) {
      const data = X.data.slice();
      data[7] = bad;
      const m = new LogisticRegression(params);
      m.nClasses = k;
      expect(() =>
        m.fit(
          { ...X, data },
          Float64Array.from({ length: 12 }, (_, i) => i % k),
          ctx,
        ),
      ).toThrow(/NaN or infinity in 'column 1' \(row 3\)\. Impute it first\./);
    }
  });
});
