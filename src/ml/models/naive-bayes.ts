/**
 * Gaussian naive Bayes, as scikit-learn's GaussianNB: per-class means and (population) variances, plus
 * var_smoothing × the largest feature variance added to every variance; priors from class frequencies.
 */
import type { Matrix } from "../matrix.js";
import { Classifier, checkFitInput, type FitContext } from "./base.js";
import { softmaxInto } from "./logistic.js";

export interface NaiveBayesParams {
  varSmoothing: number;
}

export interface NaiveBayesFitted {
  /** k × p row-major */
  mean: Float64Array;
  variance: Float64Array;
  logPrior: Float64Array;
}

export class GaussianNB extends Classifier<NaiveBayesParams, NaiveBayesFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "GaussianNB");
    const { rows: n, cols: p, data } = X;
    const k = this.nClasses;
    const count = new Float64Array(k);
    const mean = new Float64Array(k * p);
    const variance = new Float64Array(k * p);
    for (let i = 0; i < n; i++) {
      const c = y[i];
      count[c]++;
      for (let j = 0; j < p; j++) mean[c * p + j] += data[i * p + j];
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) mean[c * p + j] /= Math.max(count[c], 1);
    for (let i = 0; i < n; i++) {
      const c = y[i];
      for (let j = 0; j < p; j++) {
        const d = data[i * p + j] - mean[c * p + j];
        variance[c * p + j] += d * d;
      }
    }
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) variance[c * p + j] /= Math.max(count[c], 1);
    const epsilon = this.params.varSmoothing * maxFeatureVariance(X);
    for (let i = 0; i < variance.length; i++) variance[i] += epsilon;
    const logPrior = Float64Array.from(count, (c) => Math.log(c / n));
    this.fitted = { mean, variance, logPrior };
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const { mean, variance, logPrior } = this.state();
    const { rows: n, cols: p, data } = X;
    const k = this.nClasses;
    const out = new Float64Array(n * k);
    const joint = new Float64Array(k);
    const logNorm = Float64Array.from({ length: k }, (_, c) => {
      let s = 0;
      for (let j = 0; j < p; j++) s += Math.log(2 * Math.PI * variance[c * p + j]);
      return -0.5 * s;
    });
    // Multiplying by 1 / variance instead of dividing: the same terms to the last bit or two, much faster.
    const inverse = Float64Array.from(variance, (v) => 1 / v);
    for (let i = 0; i < n; i++) {
      const base = i * p;
      for (let c = 0; c < k; c++) {
        let s = 0;
        const cb = c * p;
        for (let j = 0; j < p; j++) {
          const d = data[base + j] - mean[cb + j];
          s += d * d * inverse[cb + j];
        }
        joint[c] = logPrior[c] + logNorm[c] - 0.5 * s;
      }
      softmaxInto(joint, out, i * k);
    }
    return out;
  }
}

function maxFeatureVariance(X: Matrix): number {
  const { rows: n, cols: p, data } = X;
  let best = 0;
  for (let j = 0; j < p; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * p + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i * p + j] - mean) ** 2;
    best = Math.max(best, ss / n);
  }
  return best;
}
