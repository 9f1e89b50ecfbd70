/**
 * Least squares and ridge against closed forms and against scikit-learn 1.2.1
 * (bench/reference/linear_reference.py prints the hard-coded values).
 */
import { describe, expect, it } from "vitest";
import { NotFittedError } from "../../../src/errors.js";
import type { Matrix } from "../../../src/ml/matrix.js";
import { ElasticNet } from "../../../src/ml/models/coordinate-descent.js";
import { LinearRegression, Ridge } from "../../../src/ml/models/linear.js";
import { expandPolynomial, PolynomialRegression } from "../../../src/ml/models/polynomial.js";
import { Random } from "../../../src/ml/random.js";

const ctx = { rng: new Random(1) };
const matrix = (rows: number[][]): Matrix => ({
  data: Float64Array.from(rows.flat()),
  rows: rows.length,
  cols: rows[0].length,
});
const X = matrix([
  [1, 2],
  [2, 1],
  [3, 4],
  [4, 3],
  [5, 6],
  [6, 5],
  [7, 8],
  [8, 6.5],
]);
const y = Float64Array.from([3.1, 4.9, 7.2, 8.8, 11.1, 13.2, 14.8, 17.5]);

describe("LinearRegression", () => {
  it("matches the closed form slope = Sxy/Sxx, intercept = ȳ − slope·x̄ on a small known dataset", () => {
    // Classic textbook data: x = 1..5, y = 2,4,5,4,5 → slope 0.6, intercept 2.2.
    const m = new LinearRegression({}).fit(
      matrix([[1], [2], [3], [4], [5]]),
      Float64Array.from([2, 4, 5, 4, 5]),
      ctx,
    );
    const { coef, intercept } = m.getFitted();
    expect(coef[0]).toBeCloseTo(0.6, 12);
    expect(intercept).toBeCloseTo(2.2, 12);
  });

  it("recovers exact coefficients of a noise-free plane", () => {
    const Xe = matrix([
      [0, 1],
      [1, 0],
      [2, 3],
      [3, 5],
      [4, 4],
      [5, 9],
    ]);
    const ye = Float64Array.from({ length: 6 }, (_, i) => 1 + 2 * Xe.data[2 * i] - 3 * Xe.data[2 * i + 1]);
    const { coef, intercept } = new LinearRegression({}).fit(Xe, ye, ctx).getFitted();
    expect(Array.from(coef).map((c) => Number(c.toFixed(10)))).toEqual([2, -3]);
    expect(intercept).toBeCloseTo(1, 10);
  });

  it("agrees with scikit-learn on two correlated features", () => {
    const { coef, intercept } = new LinearRegression({}).fit(X, y, ctx).getFitted();
    expect(coef[0]).toBeCloseTo(2.0549594069890587, 10);
    expect(coef[1]).toBeCloseTo(-0.027815037063184313, 10);
    expect(intercept).toBeCloseTo(0.9511118955171156, 10);
  });

  it("fits a rank-deficient design (a duplicated column) and predicts like the full-rank fit", () => {
    const dup = matrix(
      Array.from({ length: 8 }, (_, i) => [X.data[2 * i], X.data[2 * i + 1], X.data[2 * i]]),
    );
    const full = new LinearRegression({}).fit(X, y, ctx).predict(X);
    const deficient = new LinearRegression({}).fit(dup, y, ctx).predict(dup);
    deficient.forEach((v, i) => {
      expect(v).toBeCloseTo(full[i], 8);
    });
  });

  it("throws NotFittedError naming the class before fit", () => {
    expect(() => new LinearRegression({}).predict(X)).toThrow(NotFittedError);
    expect(() => new LinearRegression({}).predict(X)).toThrow(/LinearRegression is not fitted yet/);
  });

  it("refuses X and y of different lengths, showing both counts", () => {
    expect(() => new LinearRegression({}).fit(X, y.subarray(0, 5), ctx)).toThrow(/8 rows but y has 5/);
  });
});

describe("Ridge", () => {
  it("agrees with scikit-learn (alpha = 1, intercept unpenalised)", () => {
    const { coef, intercept } = new Ridge({ alpha: 1 }).fit(X, y, ctx).getFitted();
    expect(coef[0]).toBeCloseTo(1.8611059446312344, 10);
    expect(coef[1]).toBeCloseTo(0.14544674154088102, 10);
    expect(intercept).toBeCloseTo(1.0546033335717855, 10);
  });
});

describe("PolynomialRegression", () => {
  it("expands in scikit-learn's order: x0, x1, x0², x0·x1, x1²", () => {
    expect(Array.from(expandPolynomial(matrix([[2, 3]]), 2).data)).toEqual([2, 3, 4, 6, 9]);
    expect(expandPolynomial(matrix([[1, 2, 3]]), 3).cols).toBe(3 + 6 + 10);
  });

  it("fits an exact quadratic", () => {
    const xs = [-2, -1, 0, 1, 2, 3];
    const m = new PolynomialRegression({ degree: 2 }).fit(
      matrix(xs.map((x) => [x])),
      Float64Array.from(xs.map((x) => 1 - x + 0.5 * x * x)),
      ctx,
    );
    expect(m.predict(matrix([[4]]))[0]).toBeCloseTo(1 - 4 + 8, 9);
  });
});

describe("Lasso and ElasticNet (coordinate descent)", () => {
  it("agree with scikit-learn's Lasso(alpha=0.1): the weaker feature is exactly zero", () => {
    const m = new ElasticNet({ alpha: 0.1, l1Ratio: 1, maxIter: 1000, tol: 1e-4 }).fit(X, y, ctx);
    const { coef, intercept } = m.getFitted();
    expect(coef[0]).toBeCloseTo(2.0119047619047623, 6);
    expect(coef[1]).toBe(0);
    expect(intercept).toBeCloseTo(1.0214285714285687, 6);
  });

  it("agree with scikit-learn's ElasticNet(alpha=0.1, l1_ratio=0.5)", () => {
    const { coef, intercept } = new ElasticNet({ alpha: 0.1, l1Ratio: 0.5, maxIter: 1000, tol: 1e-4 })
      .fit(X, y, ctx)
      .getFitted();
    expect(coef[0]).toBeCloseTo(1.9653060979357238, 4);
    expect(coef[1]).toBeCloseTo(0.043499708984702005, 4);
    expect(intercept).toBeCloseTo(1.0380926006696267, 4);
  });

  it("a large alpha zeroes every coefficient and predicts the mean", () => {
    const m = new ElasticNet({ alpha: 1e4, l1Ratio: 1, maxIter: 1000, tol: 1e-4 }).fit(X, y, ctx);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(Array.from(m.getFitted().coef)).toEqual([0, 0]);
    expect(m.predict(X)[3]).toBeCloseTo(mean, 12);
  });
});

describe("input checks", () => {
  it("refuse NaN in the design, naming the column and suggesting imputation", () => {
    const bad = matrix([
      [1, 2],
      [Number.NaN, 1],
      [3, 4],
    ]);
    expect(() => new LinearRegression({}).fit(bad, Float64Array.from([1, 2, 3]), ctx)).toThrow(
      /NaN or infinity in 'column 0' \(row 1\)\. Impute it first\./,
    );
  });

  it("refuse a polynomial expansion too wide to solve", () => {
    const wide = matrix([
      Array.from({ length: 70 }, (_, j) => j),
      Array.from({ length: 70 }, (_, j) => 2 * j),
    ]);
    expect(() => new PolynomialRegression({ degree: 2 }).fit(wide, Float64Array.from([1, 2]), ctx)).toThrow(
      /make 2555 columns; the limit is 2000/,
    );
  });
});
