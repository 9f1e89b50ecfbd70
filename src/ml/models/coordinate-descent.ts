/**
 * Lasso and elastic net by cyclic coordinate descent with the duality-gap stopping rule of scikit-learn's
 * enet_coordinate_descent (Friedman, Hastie & Tibshirani, "Regularization Paths for Generalized Linear
 * Models via Coordinate Descent", J. Stat. Softw. 33, 2010). Objective:
 * (1/2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + α(1−ρ)/2‖w‖², intercept from centring.
 */
import { type Matrix, toColumnMajor } from "../matrix.js";
import { checkFitInput, type FitContext, Regressor } from "./base.js";
import { type LinearFitted, linearPredict } from "./linear.js";

export interface ElasticNetParams {
  alpha: number;
  l1Ratio: number;
  maxIter: number;
  tol: number;
}

export function fitElasticNet(
  X: Matrix,
  y: Float64Array,
  params: ElasticNetParams,
): LinearFitted & { iterations: number } {
  const { rows: n, cols: p } = X;
  const Xc = toColumnMajor(X);
  const xMean = new Float64Array(p);
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += y[i];
  yMean /= n;
  const colSq = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const b = j * n;
    let m = 0;
    for (let i = 0; i < n; i++) m += Xc[b + i];
    m /= n;
    xMean[j] = m;
    let s = 0;
    for (let i = 0; i < n; i++) {
      Xc[b + i] -= m;
      s += Xc[b + i] * Xc[b + i];
    }
    colSq[j] = s;
  }
  const yc = Float64Array.from(y, (v) => v - yMean);
  const R = yc.slice();
  const w = new Float64Array(p);
  const l1 = params.alpha * params.l1Ratio * n;
  const l2 = params.alpha * (1 - params.l1Ratio) * n;
  let yNorm2 = 0;
  for (let i = 0; i < n; i++) yNorm2 += yc[i] * yc[i];
  const tol = params.tol * yNorm2;
  let iter = 0;
  for (; iter < params.maxIter; iter++) {
    let maxW = 0;
    let maxDw = 0;
    for (let j = 0; j < p; j++) {
      if (colSq[j] === 0) continue;
      const b = j * n;
      const old = w[j];
      let rho = 0;
      for (let i = 0; i < n; i++) rho += Xc[b + i] * R[i];
      rho += colSq[j] * old;
      const next = (Math.sign(rho) * Math.max(Math.abs(rho) - l1, 0)) / (colSq[j] + l2);
      if (next !== old) {
        const d = next - old;
        for (let i = 0; i < n; i++) R[i] -= d * Xc[b + i];
        w[j] = next;
      }
      maxDw = Math.max(maxDw, Math.abs(next - old));
      maxW = Math.max(maxW, Math.abs(next));
    }
    if (maxW === 0 || maxDw / maxW < params.tol || iter === params.maxIter - 1) {
      if (dualityGap(Xc, n, p, yc, R, w, l1, l2) < tol) {
        iter++;
        break;
      }
    }
  }
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= xMean[j] * w[j];
  return { coef: w, intercept, iterations: iter };
}

function dualityGap(
  Xc: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  R: Float64Array,
  w: Float64Array,
  l1: number,
  l2: number,
): number {
  let dualNorm = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    const b = j * n;
    for (let i = 0; i < n; i++) s += Xc[b + i] * R[i];
    dualNorm = Math.max(dualNorm, Math.abs(s - l2 * w[j]));
  }
  let rNorm2 = 0;
  let rty = 0;
  for (let i = 0; i < n; i++) {
    rNorm2 += R[i] * R[i];
    rty += R[i] * y[i];
  }
  let wNorm2 = 0;
  let l1Norm = 0;
  for (let j = 0; j < p; j++) {
    wNorm2 += w[j] * w[j];
    l1Norm += Math.abs(w[j]);
  }
  let scale = 1;
  let gap: number;
  if (dualNorm > l1) {
    scale = l1 / dualNorm;
    gap = 0.5 * (rNorm2 + rNorm2 * scale * scale);
  } else gap = rNorm2;
  return gap + l1 * l1Norm - scale * rty + 0.5 * l2 * (1 + scale * scale) * wNorm2;
}

export class ElasticNet extends Regressor<ElasticNetParams, LinearFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "ElasticNet");
    const { coef, intercept } = fitElasticNet(X, y, this.params);
    this.fitted = { coef, intercept };
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    return linearPredict(X, f.coef, f.intercept);
  }
}
