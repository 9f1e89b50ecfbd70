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

/** Shared prediction: X·coef + intercept. */
export function linearPredict(X: Matrix, coef: Float64Array, intercept: number): Float64Array {
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
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
