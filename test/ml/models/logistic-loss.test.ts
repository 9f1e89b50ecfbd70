/**
 * The blocked logistic loss kernels against a plain row-by-row computation (rows that are not a multiple
 * of eight, more rows than one cache block), and the Wolfe line search's economy: L-BFGS on a logistic loss
 * takes about one evaluation per iteration, as scipy's L-BFGS-B does.
 */
import { describe, expect, it } from "vitest";
import { minimizeLbfgs } from "../../../src/ml/kernels/lbfgs.js";
import { binaryLogLoss, softmaxLogLoss } from "../../../src/ml/kernels/logistic-loss.js";
import { Random } from "../../../src/ml/random.js";

function data(n: number, p: number, k: number, seed: number) {
  const rng = new Random(seed);
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  const y = Float64Array.from({ length: n }, () => rng.int(k));
  const w = Float64Array.from({ length: (k === 2 ? 1 : k) * (p + 1) }, () => 3 * rng.normal());
  return { X: { data: X, rows: n, cols: p }, y, w };
}

/** Σ log-loss + ‖W‖²/(2C) and its gradient, one row and one class at a time. */
function naive(
  X: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  k: number,
  w: Float64Array,
  C: number,
) {
  const rows = k === 2 ? 1 : k;
  const grad = new Float64Array(w.length);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: rows }, (_, r) => {
      let s = w[r * (p + 1) + p];
      for (let j = 0; j < p; j++) s += w[r * (p + 1) + j] * X[i * p + j];
      return s;
    });
    let res: number[];
    if (k === 2) {
      const s = 1 / (1 + Math.exp(-z[0]));
      // log(1 + e^z) − y·z, written so neither branch overflows.
      loss += (z[0] > 0 ? z[0] + Math.log1p(Math.exp(-z[0])) : Math.log1p(Math.exp(z[0]))) - y[i] * z[0];
      res = [s - y[i]];
    } else {
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const sum = e.reduce((a, b) => a + b, 0);
      loss -= Math.log(e[y[i]] / sum);
      res = e.map((v, r) => v / sum - (r === y[i] ? 1 : 0));
    }
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < p; j++) grad[r * (p + 1) + j] += res[r] * X[i * p + j];
      grad[r * (p + 1) + p] += res[r];
    }
  }
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < p; j++) {
      const v = w[r * (p + 1) + j];
      loss += (v * v) / (2 * C);
      grad[r * (p + 1) + j] += v / C;
    }
  }
  return { loss, grad };
}

describe("logistic loss kernels", () => {
  for (const [n, p, k] of [
    [1, 3, 2],
    [13, 5, 2],
    [37, 6, 2],
    [5003, 7, 2],
    [301, 600, 2],
    [7, 4, 3],
    [19, 10, 3],
    [4101, 9, 5],
  ]) {
    it(`match the row-by-row loss and gradient: ${n} rows × ${p} columns, ${k} classes`, () => {
      const { X, y, w } = data(n, p, k, n + p + k);
      const f = k === 2 ? binaryLogLoss(X, y, 0.7) : softmaxLogLoss(X, y, k, 0.7);
      const grad = new Float64Array(w.length);
      const loss = f(w, grad);
      const want = naive(X.data, y, n, p, k, w, 0.7);
      expect(Math.abs(loss - want.loss)).toBeLessThan(1e-9 * Math.max(1, want.loss));
      want.grad.forEach((g, i) => {
        expect(Math.abs(grad[i] - g)).toBeLessThan(1e-9 * Math.max(1, Math.abs(g)));
      });
    });
  }

  it("L-BFGS with the Wolfe line search needs about one evaluation per iteration", () => {
    const rng = new Random(3);
    const n = 2000;
    const p = 10;
    const X = Float64Array.from({ length: n * p }, () => rng.normal());
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = X[i * p] - 0.5 * X[i * p + 1] + rng.normal() > 0 ? 1 : 0;
    const f = binaryLogLoss({ data: X, rows: n, cols: p }, y, 1);
    const { w, iterations, evaluations } = minimizeLbfgs(f, new Float64Array(p + 1), {
      maxIter: 1000,
      gtol: 1e-6,
      ftol: 0,
    });
    const grad = new Float64Array(p + 1);
    f(w, grad);
    expect(Math.max(...grad.map(Math.abs))).toBeLessThanOrEqual(1e-6);
    expect(iterations).toBeGreaterThan(3);
    expect(evaluations).toBeLessThanOrEqual(iterations + 3);
  });
});
