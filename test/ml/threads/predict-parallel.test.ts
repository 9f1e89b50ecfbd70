/**
 * Prediction on worker threads: random forests (binned, exact and large enough to walk on bins) and
 * boosters give bit-identical outputs on 1 to 4 threads, through column views with a row index, NaN and
 * categories; a large table is walked on several threads by default, a small one on this thread.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createEstimator } from "../../../src/ml/models/factory.js";
import { type ColumnTable, matrixTable, selectRows } from "../../../src/ml/models/hist/columns.js";
import type { HistFitted } from "../../../src/ml/models/hist-gradient-boosting.js";
import {
  type BinnedForestFitted,
  RandomForestClassifier,
  RandomForestRegressor,
} from "../../../src/ml/models/random-forest.js";
import { Random } from "../../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../../src/ml/registry.js";
import {
  accumulateTrees,
  PARALLEL_MIN_VISITS,
  type TreeWalk,
} from "../../../src/ml/threads/predict-parallel.js";
import { forestParams } from "../helpers/forest-params.js";

/** Column 1 is categorical (5 codes); 5% of the other values are missing unless `complete`. */
function data(n: number, p: number, seed: number, complete = false) {
  const rng = new Random(seed);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      X[i * p + j] =
        j === 1 && !complete ? rng.int(5) : !complete && rng.next() < 0.05 ? Number.NaN : rng.normal();
    }
    y[i] =
      (X[i * p] || 0) + (complete ? 0.5 * X[i * p + 1] : X[i * p + 1] === 3 ? 1 : 0) + 0.5 * rng.normal();
  }
  return { X: { data: X, rows: n, cols: p }, y };
}

/** The outputs on 1 thread, then on 2, 3 and 4: the same bits, and the threads asked for were used. */
function expectSameOnThreads(
  table: ColumnTable,
  fitted: { forest: BinnedForestFitted["forest"]; mapper: BinnedForestFitted["mapper"] },
  walk: TreeWalk,
  stride: number,
  init = 0,
): void {
  const width = stride * fitted.forest.nOut;
  const run = (threads: number) => {
    const out = new Float64Array(table.nRows * width).fill(init);
    const stats = accumulateTrees(table, fitted.forest, fitted.mapper, walk, stride, out, threads);
    expect(stats.threads).toBe(threads);
    return out;
  };
  const one = run(1);
  expect(one.some((v) => v !== init)).toBe(true);
  for (const threads of [2, 3, 4]) {
    const many = run(threads);
    const differing = many.findIndex((v, i) => !Object.is(v, one[i]));
    expect(differing).toBe(-1);
  }
}

/** The table through a row index (reversed), as a frame's columns are read. */
function reversed(X: { data: Float64Array; rows: number; cols: number }, categories?: number[]): ColumnTable {
  const rows = Int32Array.from({ length: X.rows }, (_, i) => X.rows - 1 - i);
  return selectRows(matrixTable(X, categories), rows);
}

describe("prediction on worker threads", () => {
  const saved = process.env.SMA_FIT_THREADS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SMA_FIT_THREADS;
    else process.env.SMA_FIT_THREADS = saved;
  });

  it("binned forest, 3 classes, NaN and a categorical column: the same bits on 1–4 threads", () => {
    const { X, y } = data(3000, 6, 1);
    const est = new RandomForestClassifier(forestParams(12));
    est.nClasses = 3;
    const labels = y.map((v) => Math.min(2, Math.max(0, Math.floor(v + 1))));
    est.fitTable(matrixTable(X, [0, 5, 0, 0, 0, 0]), labels, { rng: new Random(2) });
    const fitted = est.getFitted() as BinnedForestFitted;
    const test = data(5000, 6, 3).X;
    expectSameOnThreads(reversed(test, [0, 5, 0, 0, 0, 0]), fitted, "raw", 1);
    expectSameOnThreads(matrixTable(test, [0, 5, 0, 0, 0, 0]), fitted, "binned", 1);
  });

  it("exact-threshold forest (two numeric features): the same bits on 1–4 threads", () => {
    const { X, y } = data(3000, 2, 4, true);
    const est = new RandomForestRegressor(forestParams(10));
    est.fit(X, y, { rng: new Random(5) });
    const fitted = est.getFitted() as BinnedForestFitted;
    expect(fitted.forest.threshold).toBeDefined();
    expectSameOnThreads(reversed(data(4000, 2, 6, true).X), fitted, "raw", 1);
  });

  it("booster, 3 classes (one tree per class and round): the same bits on 1–4 threads", () => {
    const { X, y } = data(2000, 5, 7);
    const spec = MODEL_REGISTRY.find((s) => s.id === "xgboost");
    const params = spec?.params.parse({ nEstimators: 15, threads: 1 }) as Record<string, unknown>;
    const est = createEstimator("xgboost", "classification", params, 3);
    const labels = y.map((v) => Math.min(2, Math.max(0, Math.floor(v + 1))));
    est.fit(X, labels, { rng: new Random(8) });
    const fitted = est.getFitted() as HistFitted;
    expect(fitted.outputs).toBe(3);
    expectSameOnThreads(reversed(data(5000, 5, 9).X), fitted, "leveled", 3, 0.25);
  });

  it("walks a large table on the job's cores by default and a small one on this thread", () => {
    process.env.SMA_FIT_THREADS = "2";
    const trees = 8;
    const est = new RandomForestRegressor(forestParams(trees));
    const train = data(2000, 4, 10);
    est.fit(train.X, train.y, { rng: new Random(11) });
    const small = data(1000, 4, 12).X;
    est.predict(small);
    expect(est.predictStats).toEqual({ threads: 1, rows: 1000 });
    const rows = Math.ceil(PARALLEL_MIN_VISITS.raw / trees);
    const large = data(rows, 4, 13).X;
    const parallel = est.predict(large);
    expect(est.predictStats).toEqual({ threads: 2, rows });
    process.env.SMA_FIT_THREADS = "1";
    const serial = est.predict(large);
    expect(est.predictStats).toEqual({ threads: 1, rows });
    expect(parallel.findIndex((v, i) => !Object.is(v, serial[i]))).toBe(-1);
  });
});
