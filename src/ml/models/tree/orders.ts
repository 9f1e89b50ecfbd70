import type { TreeInput } from "./builder.js";

/**
 * Per-feature orders restricted to rows with positive weight (p segments of m rows), and the feature values
 * in the same order, so scans and partitions read memory sequentially instead of gathering through ord.
 * Written at the start of ordInto and valsInto (n · p long each).
 */
export function inBagOrders(
  input: TreeInput,
  ordInto: Int32Array,
  valsInto: Float64Array,
): { ord: Int32Array; vals: Float64Array } {
  const { n, p, weight, sorted, Xc } = input;
  let m = n;
  if (weight) {
    m = 0;
    for (let i = 0; i < n; i++) if (weight[i] > 0) m++;
  }
  const ord = ordInto.subarray(0, m * p);
  const vals = valsInto.subarray(0, m * p);
  for (let f = 0; f < p; f++) {
    let k = f * m;
    const base = f * n;
    for (let t = 0; t < n; t++) {
      const i = sorted[base + t];
      if (weight && !(weight[i] > 0)) continue;
      ord[k] = i;
      vals[k++] = Xc[base + i];
    }
  }
  return { ord, vals };
}
