/**
 * L2-penalised logistic regression fitted with L-BFGS, as scikit-learn's LogisticRegression(solver="lbfgs"):
 * two classes → one weight vector (sigmoid), more → multinomial (softmax, one vector per class). The
 * objective is Σ log-loss + ‖W‖²/(2C), intercepts unpenalised.
 */
import { minimizeLbfgs } from "../kernels/lbfgs.js";
import type { Matrix } from "../matrix.js";
import { Classifier, checkFitInput, type FitContext } from "./base.js";
import { linearPredict } from "./linear.js";

export interface LogisticParams {
  C: number;
  maxIter: number;
  tol: number;
}

export interface LogisticFitted {
  /** rows = 1 (binary) or k (multinomial), p columns each, row-major */
  coef: Float64Array;
  intercept: Float64Array;
  iterations: number;
}

export class LogisticRegression extends Classifier<LogisticParams, LogisticFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "LogisticRegression");
    const rows = this.nClasses === 2 ? 1 : this.nClasses;
    const p = X.cols;
    const objective =
      rows === 1 ? binaryObjective(X, y, this.params.C) : softmaxObjective(X, y, rows, this.params.C);
    const { w, iterations } = minimizeLbfgs(objective, new Float64Array(rows * (p + 1)), {
      maxIter: this.params.maxIter,
      gtol: this.params.tol,
      // scipy's default relative-decrease test, tightened when the caller asks for a tighter tol.
      ftol: Math.min(2.220446049250313e-9, this.params.tol * 1e-3),
    });
    const coef = new Float64Array(rows * p);
    const intercept = new Float64Array(rows);
    for (let k = 0; k < rows; k++) {
      coef.set(w.subarray(k * (p + 1), k * (p + 1) + p), k * p);
      intercept[k] = w[k * (p + 1) + p];
    }
    this.fitted = { coef, intercept, iterations };
    return this;
  }

  override predict(X: Matrix): Float64Array {
    if (this.nClasses !== 2) return super.predict(X);
    const { coef, intercept } = this.state();
    return binaryClasses(X, coef, intercept[0]);
  }

  predictProba(X: Matrix): Float64Array {
    const { coef, intercept } = this.state();
    if (this.nClasses === 2) return binaryProba(X, coef, intercept[0]);
    const { rows: n, cols: p, data } = X;
    const k = this.nClasses;
    const out = new Float64Array(n * k);
    const z = new Float64Array(intercept.length);
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let r = 0; r < intercept.length; r++) {
        let s = intercept[r];
        for (let j = 0; j < p; j++) s += coef[r * p + j] * data[base + j];
        z[r] = s;
      }
      if (k === 2) {
        const p1 = sigmoid(z[0]);
        out[i * 2] = 1 - p1;
        out[i * 2 + 1] = p1;
      } else softmaxInto(z, out, i * k);
    }
    return out;
  }
}

function binaryProba(X: Matrix, coef: Float64Array, intercept: number): Float64Array {
  const z = linearPredict(X, coef, intercept);
  const out = new Float64Array(z.length * 2);
  for (let r = 0; r < z.length; r++) {
    const p1 = sigmoid(z[r]);
    out[r * 2] = 1 - p1;
    out[r * 2 + 1] = p1;
  }
  return out;
}

/**
 * Classes as argmax of binaryProba (class 1 iff σ(z) > 1 − σ(z)) without its exp: beyond |z| = 1e-6
 * that test is z > 0 with a margin far above rounding; nearer zero (or NaN) σ is computed as there.
 */
function binaryClasses(X: Matrix, coef: Float64Array, intercept: number): Float64Array {
  const z = linearPredict(X, coef, intercept);
  for (let r = 0; r < z.length; r++) {
    const s = z[r];
    if (Math.abs(s) >= 1e-6) z[r] = s > 0 ? 1 : 0;
    else {
      const p1 = sigmoid(s);
      z[r] = p1 > 1 - p1 ? 1 : 0;
    }
  }
  return z;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function softmaxInto(z: Float64Array, out: Float64Array, offset: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < z.length; r++) max = Math.max(max, z[r]);
  let sum = 0;
  for (let r = 0; r < z.length; r++) {
    const e = Math.exp(z[r] - max);
    out[offset + r] = e;
    sum += e;
  }
  for (let r = 0; r < z.length; r++) out[offset + r] /= sum;
}

function binaryObjective(X: Matrix, y: Float64Array, C: number) {
  const { rows: n, cols: p, data } = X;
  const r = new Float64Array(4);
  return (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const b = w[p];
    // Four rows at a time: independent dot products, and one gradient update per column for the four.
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const b0 = i * p;
      let z0 = b;
      let z1 = b;
      let z2 = b;
      let z3 = b;
      for (let j = 0; j < p; j++) {
        const wj = w[j];
        z0 += wj * data[b0 + j];
        z1 += wj * data[b0 + p + j];
        z2 += wj * data[b0 + 2 * p + j];
        z3 += wj * data[b0 + 3 * p + j];
      }
      loss +=
        rowLoss(z0, y[i], r, 0) +
        rowLoss(z1, y[i + 1], r, 1) +
        rowLoss(z2, y[i + 2], r, 2) +
        rowLoss(z3, y[i + 3], r, 3);
      const r0 = r[0];
      const r1 = r[1];
      const r2 = r[2];
      const r3 = r[3];
      for (let j = 0; j < p; j++) {
        grad[j] +=
          r0 * data[b0 + j] + r1 * data[b0 + p + j] + r2 * data[b0 + 2 * p + j] + r3 * data[b0 + 3 * p + j];
      }
      grad[p] += r0 + r1 + r2 + r3;
    }
    for (; i < n; i++) {
      const base = i * p;
      let z = b;
      for (let j = 0; j < p; j++) z += w[j] * data[base + j];
      loss += rowLoss(z, y[i], r, 0);
      for (let j = 0; j < p; j++) grad[j] += r[0] * data[base + j];
      grad[p] += r[0];
    }
    let penalty = 0;
    for (let j = 0; j < p; j++) {
      penalty += w[j] * w[j];
      grad[j] += w[j] / C;
    }
    return loss + penalty / (2 * C);
  };
}

/**
 * Log-loss of one row at score z, with its residual σ(z) − y written to r[at]. One exp per row:
 * log(1 + e^z) = max(z, 0) + log1p(e^−|z|), and σ(z) comes from the same e^−|z|.
 */
function rowLoss(z: number, y: number, r: Float64Array, at: number): number {
  const e = Math.exp(-Math.abs(z));
  r[at] = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y;
  return Math.max(z, 0) + Math.log1p(e) - y * z;
}

function softmaxObjective(X: Matrix, y: Float64Array, k: number, C: number) {
  const { rows: n, cols: p, data } = X;
  const stride = p + 1;
  const z = new Float64Array(k);
  const prob = new Float64Array(k);
  return (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let r = 0; r < k; r++) {
        let s = w[r * stride + p];
        const wr = r * stride;
        for (let j = 0; j < p; j++) s += w[wr + j] * data[base + j];
        z[r] = s;
      }
      softmaxInto(z, prob, 0);
      const yi = y[i];
      loss -= Math.log(Math.max(prob[yi], Number.MIN_VALUE));
      for (let r = 0; r < k; r++) {
        const d = prob[r] - (r === yi ? 1 : 0);
        const gr = r * stride;
        for (let j = 0; j < p; j++) grad[gr + j] += d * data[base + j];
        grad[gr + p] += d;
      }
    }
    let penalty = 0;
    for (let r = 0; r < k; r++) {
      for (let j = 0; j < p; j++) {
        const v = w[r * stride + j];
        penalty += v * v;
        grad[r * stride + j] += v / C;
      }
    }
    return loss + penalty / (2 * C);
  };
}
