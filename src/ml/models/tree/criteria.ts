/** Node impurities of scikit-learn's tree criteria, from weighted class counts. */

export function xlogx(c: number): number {
  return c > 0 ? c * Math.log(c) : 0;
}

export function gini(counts: Float64Array, w: number): number {
  let s = 0;
  for (let c = 0; c < counts.length; c++) s += counts[c] * counts[c];
  return 1 - s / (w * w);
}

/** Entropy in bits, as scikit-learn reports it. */
export function entropy(counts: Float64Array, w: number): number {
  let h = 0;
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) {
      const q = counts[c] / w;
      h -= q * Math.log2(q);
    }
  }
  return h;
}
