/**
 * The random forest grows its trees on worker threads: for a seed, the forest (every node array, the leaf
 * values, the importances) is the same for 1, 2 and 3 threads, on regression and on classification with
 * missing values, and with one-hot columns.
 */
import { describe, expect, it } from "vitest";
import {
  type BinnedForestFitted,
  RandomForestClassifier,
  RandomForestRegressor,
} from "../../../src/ml/models/random-forest.js";
import { Random } from "../../../src/ml/random.js";
import { forestParams } from "../helpers/forest-params.js";

function problem(n: number, p: number, classes: number) {
  const rng = new Random(n + classes);
  const data = Float64Array.from({ length: n * p }, () => (rng.next() < 0.05 ? Number.NaN : rng.normal()));
  const y = Float64Array.from({ length: n }, (_, i) => {
    const s = (data[i * p] || 0) - 0.5 * (data[i * p + 1] || 0) + 0.3 * rng.normal();
    return classes === 0 ? s : Math.min(classes - 1, Math.max(0, Math.floor(s + classes / 2)));
  });
  return { X: { data, rows: n, cols: p }, y };
}

function fitWith(threads: number, classes: number, deadline?: number, nTrees = 9): BinnedForestFitted {
  const { X, y } = problem(4000, 5, classes);
  const params = forestParams(nTrees, threads);
  const est = classes === 0 ? new RandomForestRegressor(params) : new RandomForestClassifier(params);
  if (est instanceof RandomForestClassifier) est.nClasses = classes;
  est.fit(X, y, { rng: new Random(7), deadline });
  return est.getFitted() as BinnedForestFitted;
}

const arrays = (f: BinnedForestFitted): Record<string, unknown> => ({
  ...Object.fromEntries(
    Object.entries(f.forest).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v]),
  ),
  importance: Array.from(f.importance),
});

describe("random forest on worker threads", () => {
  it.each([
    ["regression", 0],
    ["classification", 3],
  ])("grows the same %s forest on 1, 2 and 3 threads", (_, classes) => {
    const one = arrays(fitWith(1, classes));
    expect(one.nTrees).toBe(9);
    expect(arrays(fitWith(2, classes))).toEqual(one);
    expect(arrays(fitWith(3, classes))).toEqual(one);
  });

  it.each([2, 5])("grows the same forest on 1 and 2 threads with one-hot columns (%i classes)", (classes) => {
    // Two numeric columns and a one-hot group of 6 (binary columns take scanTwoBins).
    const n = 3000;
    const p = 8;
    const rng = new Random(classes);
    const data = new Float64Array(n * p);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      data[i * p] = rng.normal();
      data[i * p + 1] = rng.normal();
      const group = rng.int(6);
      data[i * p + 2 + group] = 1;
      y[i] = Math.max(
        0,
        Math.min(classes - 1, Math.floor(((data[i * p] + group / 3 + rng.normal() + 3) * classes) / 6)),
      );
    }
    const grow = (threads: number) => {
      const est = new RandomForestClassifier(forestParams(6, threads));
      est.nClasses = classes;
      est.fit({ data, rows: n, cols: p }, y, { rng: new Random(3) });
      return arrays(est.getFitted() as BinnedForestFitted);
    };
    const one = grow(1);
    // The one-hot columns are split on.
    expect((one.feature as number[]).some((f) => f >= 2)).toBe(true);
    expect(grow(2)).toEqual(one);
  });

  it("stops every thread after its current tree once the deadline has passed, keeping trees in order", () => {
    // This thread sees the deadline after its first tree; the worker stops after the tree it is growing.
    const cut = fitWith(2, 0, performance.now() - 1, 40);
    expect(cut.forest.nTrees).toBeGreaterThanOrEqual(1);
    expect(cut.forest.nTrees).toBeLessThan(40);
    const full = fitWith(1, 0, undefined, 40).forest;
    const firstTree = (f: BinnedForestFitted["forest"]) =>
      Array.from(f.feature.subarray(0, f.roots[1] ?? f.feature.length));
    expect(firstTree(cut.forest).slice(0, 5)).toEqual(firstTree(full).slice(0, 5));
  });
});
