/**
 * L2-penalised logistic regression fitted with L-BFGS, as scikit-learn's LogisticRegression(solver="lbfgs"):
 * two classes → one weight vector (sigmoid), more → multinomial (softmax, one vector per class). The
 * objective is Σ log-loss + ‖W‖²/(2C), intercepts unpenalised.
 */
import { minimizeLbfgs } from "../kernels/lbfgs.js";
import { binaryLogLoss, type LossGradient, softmaxLogLoss } from "../kernels/logistic-loss.js";
import type { Matrix } from "../matrix.js";
import { checkMatrix } from "../validation.js";
import { Classifier, checkFitShape, type FitContext } from "./base.js";
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
  /** Loss evaluations, line-search trials included (absent in models saved before it was recorded). */
  evaluations?: number;
}

export class LogisticRegression extends Classifier<LogisticParams, LogisticFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitShape(X, y, "LogisticRegression");
    const rows = this.nClasses === 2 ? 1 : this.nClasses;
    const p = X.cols;
    const loss = rows === 1 ? binaryLogLoss(X, y, this.params.C) : softmaxLogLoss(X, y, rows, this.params.C);
    const objective = checkedAtZero(loss, X);
    const { w, iterations, evaluations } = minimizeLbfgs(objective, new Float64Array(rows * (p + 1)), {
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
    this.fitted = { coef, intercept, iterations, evaluations };
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

/**
 * The loss, whose first evaluation (at w = 0) is also the input check: there every score is Σ 0 · x, NaN
 * exactly when a row holds a NaN or an infinity (0 · ±∞ is NaN), so a finite first loss proves X finite
 * without a pass of its own; otherwise checkMatrix names the cell.
 */
function checkedAtZero(loss: LossGradient, X: Matrix): LossGradient {
  let checked = false;
  return (w, grad) => {
    const f = loss(w, grad);
    if (!checked) {
      checked = true;
      if (!Number.isFinite(f)) checkMatrix(X);
    }
    return f;
  };
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
