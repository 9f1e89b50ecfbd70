/**
 * Least squares (LinearRegression) and L2-penalised least squares (Ridge, alpha·‖w‖², intercept not
 * penalised), solved through the centred normal equations with a pivoted Cholesky factorisation, so
 * rank-deficient designs (one-hot groups, polynomial terms) still fit.
 */
import { solveCholeskyPivoted } from "../kernels/cholesky-pivoted.js";
import { centredGram } from "../kernels/gram.js";
import type { Matrix } from "../matrix.js";
import { checkFitInput, type FitContext, Regressor } from "./base.js";

export interface LinearFitted {
  coef: Float64Array;
  intercept: number;
}

/**
 * Shared prediction: X·coef + intercept. Four rows at a time (each summed in column order as one row
 * alone would be), so their independent sums overlap instead of waiting on one add chain.
 */
export function linearPredict(X: Matrix, coef: Float64Array, intercept: number): Float64Array {
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const b0 = i * p;
    const b1 = b0 + p;
    const b2 = b1 + p;
    const b3 = b2 + p;
    let s0 = intercept;
    let s1 = intercept;
    let s2 = intercept;
    let s3 = intercept;
    for (let j = 0; j < p; j++) {
      const c = coef[j];
      s0 += data[b0 + j] * c;
      s1 += data[b1 + j] * c;
      s2 += data[b2 + j] * c;
      s3 += data[b3 + j] * c;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) {
    let s = intercept;
    const base = i * p;
    for (let j = 0; j < p; j++) s += data[base + j] * coef[j];
    out[i] = s;
  }
  return out;
}

export function fitLeastSquares(X: Matrix, y: Float64Array, alpha: number): LinearFitted {
  const { gram, xty, xMean, yMean } = centredGram(X, y);
  const p = X.cols;
  if (alpha > 0) for (let j = 0; j < p; j++) gram[j * p + j] += alpha;
  const { x: coef } = solveCholeskyPivoted(p, gram, xty);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= xMean[j] * coef[j];
  return { coef, intercept };
}

export class LinearRegression extends Regressor<Record<string, never>, LinearFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "LinearRegression");
    this.fitted = fitLeastSquares(X, y, 0);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    return linearPredict(X, f.coef, f.intercept);
  }
}

export interface RidgeParams {
  alpha: number;
}

export class Ridge extends Regressor<RidgeParams, LinearFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "Ridge");
    this.fitted = fitLeastSquares(X, y, this.params.alpha);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    return linearPredict(X, f.coef, f.intercept);
  }
}
