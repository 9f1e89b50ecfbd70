/**
 * Centred cross-products of a row-major design: G = (X − 1μᵀ)ᵀ(X − 1μᵀ) and b = (X − 1μᵀ)ᵀ(y − ȳ), the normal
 * equations of least squares with an unpenalised intercept (scikit-learn centres the same way).
 */
import type { Matrix } from "../matrix.js";

export interface CentredGram {
  gram: Float64Array;
  xty: Float64Array;
  xMean: Float64Array;
  yMean: number;
}

export function centredGram(X: Matrix, y: Float64Array): CentredGram {
  const { rows: n, cols: p, data } = X;
  const xMean = new Float64Array(p);
  let yMean = 0;
  for (let i = 0; i < n; i++) {
    const base = i * p;
    for (let j = 0; j < p; j++) xMean[j] += data[base + j];
    yMean += y[i];
  }
  for (let j = 0; j < p; j++) xMean[j] /= n;
  yMean /= n;
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const base = i * p;
    for (let j = 0; j < p; j++) row[j] = data[base + j] - xMean[j];
    const yc = y[i] - yMean;
    for (let j = 0; j < p; j++) {
      const rj = row[j];
      if (rj === 0) continue;
      xty[j] += rj * yc;
      const gj = j * p;
      // Lower triangle only (k ≤ j); mirrored below.
      for (let k = 0; k <= j; k++) gram[gj + k] += rj * row[k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) gram[k * p + j] = gram[j * p + k];
  return { gram, xty, xMean, yMean };
}
