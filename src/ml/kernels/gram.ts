/**
 * Centred cross-products of a row-major design: G = (X − 1μᵀ)ᵀ(X − 1μᵀ) and b = (X − 1μᵀ)ᵀ(y − ȳ), the normal
 * equations of least squares with an unpenalised intercept (scikit-learn centres the same way).
 */
import type { Matrix } from "../matrix.js";
import { dot } from "./dot.js";

export interface CentredGram {
  gram: Float64Array;
  xty: Float64Array;
  xMean: Float64Array;
  yMean: number;
}

/** Rows per block: p columns of it stay in L2 for p up to a few hundred. */
const ROW_BLOCK = 256;

/** out[o + q] += Σ a[ai + r] · a[bi + q·stride + r] for q < 4: each a[ai + r] loaded once for four sums. */
function dot4(
  a: Float64Array,
  ai: number,
  bi: number,
  stride: number,
  n: number,
  out: Float64Array,
  o: number,
) {
  const b1 = bi + stride;
  const b2 = b1 + stride;
  const b3 = b2 + stride;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let r = 0; r < n; r++) {
    const x = a[ai + r];
    s0 += x * a[bi + r];
    s1 += x * a[b1 + r];
    s2 += x * a[b2 + r];
    s3 += x * a[b3 + r];
  }
  out[o] += s0;
  out[o + 1] += s1;
  out[o + 2] += s2;
  out[o + 3] += s3;
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
  // Rows go through in blocks, centred into a column-major buffer: each (j, k) entry then takes one
  // dot product per block in a local accumulator instead of a read-modify-write of gram per row.
  const block = Math.min(n, ROW_BLOCK);
  const cols = new Float64Array(p * block);
  const yc = new Float64Array(block);
  for (let i0 = 0; i0 < n; i0 += block) {
    const m = Math.min(block, n - i0);
    for (let r = 0; r < m; r++) {
      const base = (i0 + r) * p;
      for (let j = 0; j < p; j++) cols[j * block + r] = data[base + j] - xMean[j];
      yc[r] = y[i0 + r] - yMean;
    }
    for (let j = 0; j < p; j++) {
      const cj = j * block;
      xty[j] += dot(cols, cj, yc, 0, m);
      // Lower triangle only (k ≤ j), four entries at a time; mirrored below.
      let k = 0;
      for (; k + 3 <= j; k += 4) dot4(cols, cj, k * block, block, m, gram, j * p + k);
      for (; k <= j; k++) gram[j * p + k] += dot(cols, cj, cols, k * block, m);
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) gram[k * p + j] = gram[j * p + k];
  return { gram, xty, xMean, yMean };
}
