/**
 * Exclusive feature bundling (models/hist/bundles.ts): which features are bundled, histograms built on the
 * compact matrix and expanded equal the direct ones, and a GBDT fitted with bundles scores as one without
 * them, with the same model bytes on any thread count.
 */
import { afterEach, describe, expect, it } from "vitest";
import { validateHyperparameters } from "../../../../src/ml/index.js";
import { createHistSpace, type HistSpace } from "../../../../src/ml/kernels/hist-build.js";
import { MISSING_BIN } from "../../../../src/ml/models/hist/binning.js";
import {
  type Bundling,
  bundleBins,
  findBundles,
  PLAN_WORDS,
} from "../../../../src/ml/models/hist/bundles.js";
import type { ForestArrays } from "../../../../src/ml/models/hist/forest.js";
import {
  buildHistogram,
  HIST_STRIDE,
  reachableBins,
  rowStride,
} from "../../../../src/ml/models/hist/histogram.js";
import { NodeThreads, regionsFor, SIDE_SLOTS, sharedCopy } from "../../../../src/ml/models/hist/threads.js";
import {
  type HistFitted,
  HistGradientBoostingClassifier,
} from "../../../../src/ml/models/hist-gradient-boosting.js";
import { Random } from "../../../../src/ml/random.js";
import { toHistParams } from "../../../../src/ml/registry-boosting.js";

/** Features 0–2 dense; 3–8 a one-hot group; 9 off its default bin 2 only where the group is all zero. */
const GROUP = [3, 4, 5, 6, 7, 8, 9];
/** Sparse, exclusive of each other except in row CLASH (so never bundled together). */
const CLASHING = [10, 11];
const CLASH = 17;
/** Sparse, with missing values (never bundled). */
const WITH_MISSING = 12;
const P = 13;

/** n rows of bins of the features above (uint8, row stride rowStride(P)) and their bin counts. */
function binsOf(n: number, seed: number): { bins: Uint8Array; binCounts: Int32Array; category: Int32Array } {
  const rng = new Random(seed);
  const stride = rowStride(P);
  const bins = new Uint8Array(n * stride);
  const category = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * stride;
    for (let f = 0; f < 3; f++) bins[row + f] = rng.int(200);
    // Category 6: no member of the one-hot group is set; feature 9 is then off its default (bins 0, 1, 3).
    const c = rng.int(7);
    category[i] = c;
    if (c < 6) bins[row + 3 + c] = 1;
    bins[row + 9] = c === 6 ? [0, 1, 3][rng.int(3)] : 2;
    const sparse = rng.int(20);
    bins[row + 10] = +(sparse === 0 || i === CLASH);
    bins[row + 11] = +(sparse === 1 || i === CLASH);
    bins[row + WITH_MISSING] = rng.next() < 0.05 ? MISSING_BIN : +(rng.next() < 0.1);
  }
  const binCounts = Int32Array.from({ length: P }, (_, f) => (f < 3 ? 200 : f === 9 ? 4 : 2));
  return { bins, binCounts, category };
}

describe("findBundles", () => {
  it("bundles an exclusive group, never features that share a row or have missing values", () => {
    const n = 4000;
    const { bins, binCounts } = binsOf(n, 1);
    const b = findBundles(bins, n, rowStride(P), P, binCounts) as Bundling;
    expect(b).not.toBeNull();
    expect(b.bundles.some((g) => GROUP.every((f) => g.includes(f)))).toBe(true);
    for (const g of b.bundles) {
      expect(CLASHING.every((f) => g.includes(f))).toBe(false);
      expect(g).not.toContain(WITH_MISSING);
      for (const f of [0, 1, 2]) expect(g).not.toContain(f);
    }
    // Feature 9's default is its most frequent bin (2), not 0.
    expect(b.plan[PLAN_WORDS * 9 + 1]).toBe(2);
    expect(b.stride).toBeLessThan(rowStride(P));
    // Without the clash row, 10 and 11 are exclusive and may share a bundle; with it they never do, and
    // no two members of any bundle are off their defaults in the same row.
    const compact = bundleBins(bins, n, rowStride(P), b);
    for (let i = 0; i < n; i++)
      for (const g of b.bundles) {
        const off = g.filter((f) => bins[i * rowStride(P) + f] !== b.plan[PLAN_WORDS * f + 1]);
        expect(off.length).toBeLessThanOrEqual(1);
        expect(compact[i * b.stride + b.plan[PLAN_WORDS * g[0]]] === 0).toBe(off.length === 0);
      }
  });

  it("leaves dense data alone", () => {
    const n = 2000;
    const rng = new Random(2);
    const stride = rowStride(6);
    const bins = Uint8Array.from({ length: n * stride }, () => rng.int(100));
    expect(findBundles(bins, n, stride, 6, new Int32Array(6).fill(100))).toBeNull();
  });
});

/** A space over binsOf's rows, with the compact matrix, bundles in use, random gradients. */
function bundledSpace(n: number, seed: number, regions = 1, columns = false) {
  const stride = rowStride(P);
  const { bins, binCounts } = binsOf(n, seed);
  const b = findBundles(bins, n, stride, P, binCounts) as Bundling;
  const space = createHistSpace(n, stride, regions, columns, SIDE_SLOTS, MISSING_BIN, b.stride) as HistSpace;
  expect(space).not.toBeNull();
  space.bins.set(bins);
  const compact = bundleBins(bins, n, stride, b, space.bundled as Uint8Array);
  // The column-major copy is of the compact matrix.
  if (space.columns)
    for (let i = 0; i < n; i++)
      for (let c = 0; c < b.stride; c++) space.columns[c * n + i] = compact[i * b.stride + c];
  const rng = new Random(seed + 100);
  for (let i = 0; i < n; i++) {
    space.gh[2 * i] = rng.normal() * 10 ** Math.floor(rng.next() * 4 - 2);
    space.gh[2 * i + 1] = rng.next() + 0.01;
  }
  space.rows.set(rng.permutation(n));
  const reach = reachableBins(binCounts, stride);
  space.useReachable(reach);
  space.useBundles(b, reach);
  return { space, b, stride, reach };
}

/**
 * Expanded equals direct over the features (not the padding's, which nothing reads): exactly where the same
 * rows are summed in the same order, within rounding in members' default bins (everywhere when `parts`).
 */
function expectExpanded(actual: Float64Array, expected: Float64Array, b: Bundling, parts = false): void {
  for (let f = 0; f < P; f++) {
    const d = b.plan[PLAN_WORDS * f + 1];
    for (let k = 0; k < HIST_STRIDE; k++) {
      const at = f * HIST_STRIDE + k;
      if (parts || (d >= 0 && k >> 1 === d)) {
        expect(Math.abs(actual[at] - expected[at])).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(expected[at])));
        if (k % 2 === 1) expect(actual[at]).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(actual[at])).toBe(true);
      } else expect(actual[at]).toBe(expected[at]);
    }
  }
}

describe("histograms built on bundles", () => {
  let open: NodeThreads | null = null;
  afterEach(() => open?.close());

  it("expand to the direct histograms (whole, sub-ranges, added in parts)", () => {
    const n = 3000;
    const { space, b, stride } = bundledSpace(n, 3);
    const direct = new Float64Array(stride * HIST_STRIDE);
    const expanded = new Float64Array(stride * HIST_STRIDE);
    for (const [start, end] of [
      [0, n],
      [17, 1234],
      [2999, 3000],
    ]) {
      buildHistogram(space.bins, stride, space.gh, space.rows, start, end, direct);
      space.buildInto(start, end, expanded);
      expectExpanded(expanded, direct, b);
    }
    // Two parts added (as the shares of a node are).
    space.buildRegion(0, 0, 1000);
    space.readRegion(0, expanded);
    space.buildRegion(0, 1000, n);
    space.readRegion(0, expanded, true);
    buildHistogram(space.bins, stride, space.gh, space.rows, 0, n, direct);
    expectExpanded(expanded, direct, b, true);
  });

  it("partitions by a member or an unbundled feature through the compact matrix: the same rows as direct", () => {
    const n = 3000;
    for (const copy of [false, true]) {
      const { space, stride } = bundledSpace(n, 6, 1, copy);
      const rng = new Random(9);
      for (let f = 0; f < P; f++) {
        const sides = Uint8Array.from({ length: MISSING_BIN + 1 }, () => +(rng.next() < 0.5));
        const [start, end] = [rng.int(1000), 1000 + rng.int(2000)];
        const before = Array.from(space.rows.subarray(start, end));
        const left = before.filter((i) => sides[space.bins[i * stride + f]] === 1);
        const right = before.filter((i) => sides[space.bins[i * stride + f]] === 0);
        expect(space.partition(start, end, f, sides)).toBe(left.length);
        expect(Array.from(space.rows.subarray(start, end))).toEqual([...left, ...right]);
      }
    }
  });

  it("partitions through the compact matrix on worker threads too (parts merged, row-major and columns)", () => {
    const n = 3000;
    for (const copy of [false, true]) {
      const { space, stride, reach } = bundledSpace(n, 7, regionsFor(2, rowStride(P)), copy);
      const threads = new NodeThreads(
        2,
        space,
        reach,
        { raw: sharedCopy(new Float64Array(n)), y: new Float64Array(n) },
        0,
      );
      open = threads;
      const rng = new Random(10);
      const cuts = [3, 0, 9, 12].map((f, k) => ({
        start: 700 * k,
        end: 700 * k + 650,
        f,
        sides: Uint8Array.from({ length: MISSING_BIN + 1 }, () => +(rng.next() < 0.5)),
      }));
      const expected = cuts.map((c) => {
        const rows = Array.from(space.rows.subarray(c.start, c.end));
        const left = rows.filter((i) => c.sides[space.bins[i * stride + c.f]] === 1);
        return { left, rows: [...left, ...rows.filter((i) => c.sides[space.bins[i * stride + c.f]] === 0)] };
      });
      const nLeft = threads.partitionAll(cuts);
      cuts.forEach((c, k) => {
        expect(nLeft[k]).toBe(expected[k].left.length);
        expect(Array.from(space.rows.subarray(c.start, c.end))).toEqual(expected[k].rows);
      });
      threads.close();
    }
  });

  it("gives an exactly empty default bin when no row of the node is at it", () => {
    const n = 3000;
    const { space, b, stride } = bundledSpace(n, 4);
    // The rows where feature 3 (a group member) is set, first.
    const set = Array.from(space.rows).filter((i) => space.bins[i * stride + 3] === 1);
    const rest = Array.from(space.rows).filter((i) => space.bins[i * stride + 3] !== 1);
    space.rows.set([...set, ...rest]);
    const hist = new Float64Array(stride * HIST_STRIDE);
    space.buildInto(0, set.length, hist);
    const d = b.plan[PLAN_WORDS * 3 + 1];
    expect(d).toBe(0);
    expect(hist[3 * HIST_STRIDE]).toBe(0);
    expect(hist[3 * HIST_STRIDE + 1]).toBe(0);
    expect(hist[3 * HIST_STRIDE + 3]).toBeGreaterThan(0);
  });

  it("expands on worker threads as on this one (shares added in order into the arena)", () => {
    const n = 3000;
    const threads = 2;
    const stride = rowStride(P);
    const one = bundledSpace(n, 5, regionsFor(1, stride));
    const two = bundledSpace(n, 5, regionsFor(threads, stride));
    const scores = { raw: sharedCopy(new Float64Array(n)), y: new Float64Array(n) };
    const here = new NodeThreads(1, one.space, one.reach, scores, 0);
    const there = new NodeThreads(threads, two.space, two.reach, scores, 0);
    open = there;
    const nodes = (pool: NodeThreads) =>
      [
        [0, n],
        [100, 2100],
        [2100, 2999],
      ].map(([start, end]) => ({ start, end, hist: pool.histograms.take() }));
    const a = nodes(here);
    const c = nodes(there);
    here.buildAll(a);
    there.buildAll(c);
    for (const [k, node] of a.entries()) {
      expect(c[k].hist).toEqual(node.hist);
      const direct = new Float64Array(stride * HIST_STRIDE);
      buildHistogram(one.space.bins, stride, one.space.gh, one.space.rows, node.start, node.end, direct);
      expectExpanded(node.hist, direct, one.b, true);
    }
    here.close();
  });
});

describe("a GBDT fitted with bundles", () => {
  /** Dense features and one-hot groups; 3 classes from both. */
  function oneHotProblem(n: number) {
    const { bins, category } = binsOf(n, 7);
    const stride = rowStride(P);
    const rng = new Random(8);
    const X = new Float64Array(n * P);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < P; f++) {
        const v = bins[i * stride + f];
        X[i * P + f] = v === MISSING_BIN ? Number.NaN : f < 3 ? v / 10 + rng.normal() * 0.01 : v;
      }
      const s = X[i * P] - 10 + (category[i] < 3 ? 6 : -4) + 3 * X[i * P + 10] + 2 * rng.normal();
      y[i] = s < -3 ? 0 : s < 3 ? 1 : 2;
    }
    return { X: { data: X, rows: n, cols: P }, y };
  }

  function fitModel(threads: number, bundle: boolean, parallelMinRows?: number) {
    const { X, y } = oneHotProblem(4000);
    const params = validateHyperparameters("xgboost", { nEstimators: 6, threads });
    const est = new HistGradientBoostingClassifier({
      ...toHistParams("xgboost", params),
      bundle,
      ...(parallelMinRows === undefined ? {} : { parallelMinRows }),
    });
    est.nClasses = 3;
    est.fit(X, y, { rng: new Random(1) });
    const predictions = est.predict(X);
    const accuracy = predictions.reduce((s, v, i) => s + +(v === y[i]), 0) / y.length;
    return { forest: (est.getFitted() as HistFitted).forest, predictions, accuracy };
  }

  function bytesOf(forest: ForestArrays): Record<string, Buffer> {
    return Object.fromEntries(
      Object.entries(forest)
        .filter(([, v]) => ArrayBuffer.isView(v))
        .map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]),
    );
  }

  it("scores as the same fit without bundles", () => {
    const { bins, binCounts } = binsOf(4000, 7);
    expect(findBundles(bins, 4000, rowStride(P), P, binCounts)).not.toBeNull();
    const on = fitModel(1, true);
    const off = fitModel(1, false);
    expect(on.accuracy).toBeGreaterThan(0.6);
    expect(Math.abs(on.accuracy - off.accuracy)).toBeLessThanOrEqual(0.005);
    const agree = on.predictions.reduce((s, v, i) => s + +(v === off.predictions[i]), 0);
    expect(agree / on.predictions.length).toBeGreaterThan(0.99);
    // The same splits, the leaf values within rounding.
    expect(on.forest.feature).toEqual(off.forest.feature);
    for (let k = 0; k < on.forest.values.length; k++)
      expect(on.forest.values[k]).toBeCloseTo(off.forest.values[k], 9);
  });

  it("grows the same model bytes on 1, 2 and 4 threads (every level on the threads)", () => {
    const one = bytesOf(fitModel(1, true, 0).forest);
    for (const threads of [2, 4]) expect(bytesOf(fitModel(threads, true, 0).forest)).toEqual(one);
  });
});
