/**
 * The random forest grows its trees on worker threads: for a seed, the forest (every node array, the leaf
 * values, the importances) is the same for 1, 2 and 3 threads, on regression and on classification with
 * missing values, and with one-hot columns.
 */
import { describe, expect, it } from "vitest";
import { matrixTable } from "../../../src/ml/models/hist/columns.js";
import { FOREST_TASK } from "../../../src/ml/models/hist/forest-task.js";
import {
  type BinnedForestFitted,
  forestThreads,
  forestWork,
  RandomForestClassifier,
  RandomForestRegressor,
  warmForestWorkers,
} from "../../../src/ml/models/random-forest.js";
import { Random } from "../../../src/ml/random.js";
import { idleWorkers } from "../../../src/ml/threads/pool.js";
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
  // Forced onto the workers: 9 trees of 4000 rows are below the crossover (PARALLEL_MIN_WORK).
  const params = { ...forestParams(nTrees, threads), parallelMinWork: 0 };
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
      const est = new RandomForestClassifier({ ...forestParams(6, threads), parallelMinWork: 0 });
      est.nClasses = classes;
      est.fit({ data, rows: n, cols: p }, y, { rng: new Random(3) });
      return arrays(est.getFitted() as BinnedForestFitted);
    };
    const one = grow(1);
    // The one-hot columns are split on.
    expect((one.feature as number[]).some((f) => f >= 2)).toBe(true);
    expect(grow(2)).toEqual(one);
  });

  it("grows a small wide forest on the threads asked for, and a tiny one on this thread", () => {
    // 800 rows × 200 features: below the old 2000-row rule, but 60 trees × 800 × (14 + 1) units of work.
    const wide = problem(800, 200, 2);
    const grow = (X: typeof wide.X, y: Float64Array, threads: number) => {
      const est = new RandomForestClassifier(forestParams(60, threads));
      est.nClasses = 2;
      est.fit(X, y, { rng: new Random(5) });
      return est;
    };
    const two = grow(wide.X, wide.y, 2);
    expect(two.fitThreads).toBe(2);
    expect(arrays(two.getFitted() as BinnedForestFitted)).toEqual(
      arrays(grow(wide.X, wide.y, 1).getFitted() as BinnedForestFitted),
    );
    const tiny = problem(100, 5, 2);
    expect(grow(tiny.X, tiny.y, 2).fitThreads).toBe(1);
  });

  it("bins a wide table on 1, 2 and 3 threads into the same mapper and forest (categories and NaN too)", () => {
    // 1200 × 60 = 72,000 values: binned by column shares on the workers (PARALLEL_BIN_MIN_VALUES).
    const { X, y } = problem(1200, 60, 3);
    for (let i = 0; i < X.rows; i++) {
      X.data[i * X.cols + 7] = i % 5;
      X.data[i * X.cols + 41] = i % 3 === 0 ? Number.NaN : (i * 7) % 4;
    }
    const categories = Array.from({ length: X.cols }, (_, f) => (f === 7 ? 5 : f === 41 ? 4 : 0));
    const grow = (threads: number) => {
      const est = new RandomForestClassifier({ ...forestParams(4, threads), parallelMinWork: 0 });
      est.nClasses = 3;
      est.fitTable(matrixTable(X, categories), y, { rng: new Random(2) });
      expect(est.fitThreads).toBe(threads);
      const f = est.getFitted() as BinnedForestFitted;
      return { ...arrays(f), mapper: f.mapper };
    };
    const one = grow(1);
    expect(Array.from(one.mapper.categories.subarray(40, 42))).toEqual([0, 4]);
    expect(grow(2)).toEqual(one);
    expect(grow(3)).toEqual(one);
  });

  it("starts a fit's workers ahead of it (a training job warms them while it prepares the data)", () => {
    // Earlier tests leased 2 workers at most; a 4-thread fit needs 3.
    expect(idleWorkers(FOREST_TASK)).toBeLessThan(3);
    // A fit below the crossover starts none.
    warmForestWorkers(forestParams(100, 4), { n: 100, p: 5, nClasses: 2, exact: false });
    expect(idleWorkers(FOREST_TASK)).toBeLessThan(3);
    warmForestWorkers(forestParams(100, 4), { n: 2000, p: 5, nClasses: 2, exact: false });
    expect(idleWorkers(FOREST_TASK)).toBe(3);
    const { X, y } = problem(2000, 5, 2);
    const est = new RandomForestClassifier({ ...forestParams(8, 4), parallelMinWork: 0 });
    est.nClasses = 2;
    est.fit(X, y, { rng: new Random(1) });
    expect(est.fitThreads).toBe(4);
    expect(idleWorkers(FOREST_TASK)).toBe(3);
  });

  it("puts the crossover at the fit's expected work: rows × (features per split + 1) × trees", () => {
    const params = forestParams(100, 2);
    // wide-500 at scale 0.05 (800 × 500, 22 features per split); 2000 × 10, where the old 2000-row rule crossed.
    expect(forestWork({ n: 800, p: 500, nClasses: 2, exact: false }, params)).toBe(100 * 800 * 23);
    expect(forestThreads({ n: 800, p: 500, nClasses: 2, exact: false }, params)).toBe(2);
    expect(forestThreads({ n: 2000, p: 10, nClasses: 2, exact: false }, params)).toBe(2);
    expect(forestThreads({ n: 500, p: 10, nClasses: 2, exact: false }, params)).toBe(1);
    // Exact trees cost more a unit: 2000 rows of 2 features cross, as binned they would not.
    expect(forestThreads({ n: 2000, p: 2, nClasses: 2, exact: true }, params)).toBe(2);
    expect(forestThreads({ n: 2000, p: 2, nClasses: 2, exact: false }, params)).toBe(1);
    expect(forestThreads({ n: 800, p: 500, nClasses: 2, exact: false }, forestParams(100, 1))).toBe(1);
    expect(
      forestThreads({ n: 800, p: 500, nClasses: 2, exact: false }, { ...params, parallelMinWork: 2 ** 30 }),
    ).toBe(1);
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
