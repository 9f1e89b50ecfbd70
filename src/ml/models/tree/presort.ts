/**
 * Per-feature row order by value, computed once per fit and reused by every tree (a forest filters it by
 * the bootstrap sample, boosting reuses it for every stage), so no tree sorts again.
 */
export function presortColumns(Xc: Float64Array, n: number, p: number): Int32Array {
  const out = new Int32Array(n * p);
  const keys = new Float64Array(n);
  const idx = new Int32Array(n);
  for (let f = 0; f < p; f++) {
    const base = f * n;
    for (let i = 0; i < n; i++) {
      keys[i] = Xc[base + i];
      idx[i] = i;
    }
    idx.sort((a, b) => keys[a] - keys[b] || a - b);
    out.set(idx, base);
  }
  return out;
}
