/** The booster's per-row loops on worker threads (NodeThreads): the same numbers as the loops on this one. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHistSpace, type HistSpace } from "../../../../src/ml/kernels/hist-build.js";
import { MISSING_BIN } from "../../../../src/ml/models/hist/binning.js";
import {
  HIST_STRIDE,
  reachableBins,
  reachableSpans,
  rowStride,
  subtractHistogram,
} from "../../../../src/ml/models/hist/histogram.js";
import { MarkedScores } from "../../../../src/ml/models/hist/leaf-marks.js";
import {
  binaryLogLoss,
  type Loss,
  softmaxLogLoss,
  squaredError,
} from "../../../../src/ml/models/hist/losses.js";
import { emptySplit, findBestSplit, type SplitRules } from "../../../../src/ml/models/hist/split.js";
import {
  fitUsesWorkers,
  MAX_SHARES,
  marksOnThreads,
  NodeThreads,
  partRowsOf,
  regionsFor,
  SIDE_SLOTS,
  sharedCopy,
  sharesOf,
} from "../../../../src/ml/models/hist/threads.js";
import { Random } from "../../../../src/ml/random.js";

const N = 10_000;
const P = 5;
/** Features of the split tests: more than one SCAN unit (8 features) per node. */
const WIDE = 19;
/** Split rules of the scan tests (l1 > 0, so the scans' soft thresholding is exercised too). */
const RULES: SplitRules = {
  l1: 0.3,
  l2: 1,
  minChildWeight: 1,
  minSamplesLeaf: 5,
  maxCatToOnehot: 4,
  catSmooth: 10,
  catL2: 10,
};

/**
 * A space of N rows (shuffled row list) and threads on it over raw (N × outputs) and y (0/1, or classes
 * 0..classes−1 when classes is given).
 */
function setUp(outputs: number, threads: number, p = P, classes = 0, nodeValues?: Float64Array) {
  const rng = new Random(3);
  const stride = rowStride(p);
  const space = createHistSpace(N, stride, regionsFor(threads, stride), false, SIDE_SLOTS) as HistSpace;
  space.rows.set(rng.permutation(N));
  // Scores from −800 (exp overflows) to +800, and exact zeros; 0/1 targets.
  const raw = sharedCopy(
    Float64Array.from({ length: N * outputs }, (_, i) => (i % 97 === 0 ? 0 : 800 * rng.normal() ** 3)),
  );
  const y = Float64Array.from({ length: N }, () => (classes > 0 ? rng.int(classes) : +(rng.next() < 0.4)));
  const reach = reachableBins(new Int32Array(p).fill(255), stride);
  // parallelMinRows 0: every run of units goes to the workers, whatever its size.
  return { space, raw, y, nodes: new NodeThreads(threads, space, reach, { raw, y, nodeValues }, 0), rng };
}

let open: NodeThreads | null = null;
afterEach(() => open?.close());

describe("per-row loops on the threads", () => {
  for (const [name, make] of [
    ["log-loss", binaryLogLoss],
    ["squared error", squaredError],
  ] as Array<[string, () => Loss]>) {
    it(`computes ${name} gradients on 2 threads bit for bit as the loss does`, () => {
      const { space, raw, y, nodes } = setUp(1, 2);
      open = nodes;
      const loss = make();
      const expected = new Float64Array(2 * N);
      loss.gradients(raw, y, 0, expected, N);
      const onThisThread = vi.spyOn(loss, "gradients");
      nodes.gradients(loss, 0, N);
      // Computed by the task's units, not by the loss on this thread.
      expect(onThisThread).not.toHaveBeenCalled();
      expect(Buffer.from(space.gh.buffer, space.gh.byteOffset, 16 * N)).toEqual(Buffer.from(expected.buffer));
    });
  }

  it("computes the softmax's probabilities and every class's gradients on 2 threads bit for bit as the loss does", () => {
    for (const [k, scale] of [
      [3, 1],
      [7, 2],
    ]) {
      const { space, raw, y, nodes } = setUp(k, 2, P, k);
      open = nodes;
      const reference = softmaxLogLoss(k, scale);
      reference.prepare(raw, N);
      const loss = softmaxLogLoss(k, scale);
      const onThisThread = [vi.spyOn(loss, "prepare"), vi.spyOn(loss, "gradients")];
      nodes.prepare(loss, N);
      for (let c = 0; c < k; c++) {
        const expected = new Float64Array(2 * N);
        reference.gradients(raw, y, c, expected, N);
        nodes.gradients(loss, c, N);
        expect(Buffer.from(space.gh.buffer, space.gh.byteOffset, 16 * N)).toEqual(
          Buffer.from(expected.buffer),
        );
      }
      // Computed by the task's units from their own probabilities, not by the loss on this thread.
      for (const spy of onThisThread) expect(spy).not.toHaveBeenCalled();
      nodes.close();
      open = null;
    }
  });

  for (const [name, make] of [
    ["log-loss", binaryLogLoss],
    ["squared error", squaredError],
  ] as Array<[string, () => Loss]>) {
    it(`adds the pending leaf values through marks and computes ${name} gradients on 2 threads as MarkedScores does`, () => {
      const rng = new Random(5);
      const nodeValues = sharedCopy(Float64Array.from({ length: 64 }, () => rng.normal()));
      const { space, raw, y, nodes } = setUp(1, 2, P, 0, nodeValues);
      open = nodes;
      for (let i = 0; i < N; i++) space.marks[i] = rng.int(64);
      const loss = make();
      const expectedRaw = Float64Array.from(raw);
      const expected = new Float64Array(2 * N);
      const marked = new MarkedScores(Uint16Array.from(space.marks), 63, 0, Float64Array.from(nodeValues));
      marked.gradients(loss, expectedRaw, y, expected, N);
      nodes.markedGradients(loss, N, true);
      expect(Buffer.from(raw.buffer, raw.byteOffset, 8 * N)).toEqual(Buffer.from(expectedRaw.buffer));
      expect(Buffer.from(space.gh.buffer, space.gh.byteOffset, 16 * N)).toEqual(Buffer.from(expected.buffer));
      // Nothing pending: the plain gradients of the updated scores.
      loss.gradients(expectedRaw, y, 0, expected, N);
      nodes.markedGradients(loss, N, false);
      expect(Buffer.from(raw.buffer, raw.byteOffset, 8 * N)).toEqual(Buffer.from(expectedRaw.buffer));
      expect(Buffer.from(space.gh.buffer, space.gh.byteOffset, 16 * N)).toEqual(Buffer.from(expected.buffer));
    });
  }

  it("takes the curve rows' log-loss in the marked gradient units, bit for bit as the loss's value does", () => {
    const rng = new Random(7);
    const nodeValues = sharedCopy(Float64Array.from({ length: 64 }, () => rng.normal()));
    // Ascending, sparse, and ending at the last row: the units' boundaries and chunks fall between them.
    const curveRows = Int32Array.from({ length: 1428 }, (_, q) => N - 1 - 7 * (1427 - q));
    const space = createHistSpace(
      N,
      rowStride(P),
      regionsFor(2, rowStride(P)),
      false,
      SIDE_SLOTS,
    ) as HistSpace;
    for (let i = 0; i < N; i++) space.marks[i] = rng.int(64);
    // Scores from −800 (exp overflows) to +800: the clipped probabilities too.
    const raw = sharedCopy(Float64Array.from({ length: N }, () => 800 * rng.normal() ** 3));
    const y = Float64Array.from({ length: N }, () => +(rng.next() < 0.4));
    const reach = reachableBins(new Int32Array(P).fill(255), rowStride(P));
    const nodes = new NodeThreads(2, space, reach, { raw, y, nodeValues, curveRows }, 0);
    open = nodes;
    const loss = binaryLogLoss();
    for (const addMarked of [true, false]) {
      nodes.markedGradients(loss, N, addMarked);
      expect(nodes.curveLoss()).toBe(loss.value(raw, y, curveRows, N));
      // Taken once a pass.
      expect(nodes.curveLoss()).toBeNull();
    }
    nodes.markedGradients(squaredError(), N, true);
    expect(nodes.curveLoss()).toBeNull();
  });

  it("adds each leaf's value to its rows' scores of one output, on 1 and 2 threads alike", () => {
    const outputs = 3;
    const after = [1, 2].map((threads) => {
      const { space, raw, nodes, rng } = setUp(outputs, threads);
      open = nodes;
      // Leaves: consecutive row ranges of random sizes over the whole row list, each ascending (as a
      // tree's stable partitions leave them), the small ones first, then a few large ones.
      const leaves: Array<{ start: number; end: number }> = [];
      for (let start = 0; start < N; ) {
        const end = Math.min(N, start + 1 + rng.int(start < N / 2 ? 400 : 3000));
        leaves.push({ start, end });
        space.rows.subarray(start, end).sort();
        start = end;
      }
      const values = leaves.map(() => rng.normal());
      const expected = Float64Array.from(raw);
      leaves.forEach((leaf, j) => {
        for (let q = leaf.start; q < leaf.end; q++) expected[space.rows[q] * outputs + 1] += values[j];
      });
      nodes.addLeaves(leaves, values, outputs, 1);
      expect(raw).toEqual(expected);
      nodes.close();
      open = null;
      return raw;
    });
    expect(after[1]).toEqual(after[0]);
  });
});

describe("histogram subtraction and split finding on the threads", () => {
  /** A histogram of WIDE features with random sums, rows in the missing bin of every third feature. */
  function fill(hist: Float64Array, rng: Random, scale: number) {
    for (let f = 0; f < WIDE; f++)
      for (let b = 0; b < 256; b++) {
        if (b === 255 && f % 3 !== 0) continue;
        hist[f * HIST_STRIDE + 2 * b] = scale * rng.normal();
        hist[f * HIST_STRIDE + 2 * b + 1] = scale * (0.5 + rng.next());
      }
  }

  it("subtracts histograms of the shared arena as one subtraction per cell", () => {
    const { nodes, rng } = setUp(1, 2, WIDE);
    open = nodes;
    const pairs = Array.from({ length: 5 }, () => ({
      into: nodes.histograms.take(),
      minus: nodes.histograms.take(),
    }));
    // Cut from the arena in shared memory, where the workers can reach them.
    for (const { into } of pairs) expect(into.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const { into, minus } of pairs) {
      fill(into, rng, 2);
      fill(minus, rng, 1);
    }
    const spans = reachableSpans(
      reachableBins(new Int32Array(WIDE).fill(255), rowStride(WIDE)),
      rowStride(WIDE),
      HIST_STRIDE,
    );
    const expected = pairs.map(({ into, minus }) => {
      const copy = Float64Array.from(into);
      subtractHistogram(copy, minus, rowStride(WIDE), spans);
      return copy;
    });
    nodes.subtractAll(pairs);
    expect(pairs.map((q) => q.into)).toEqual(expected);
  });

  it("finds each node's split as findBestSplit does, ties across units to the first feature", () => {
    const { nodes, rng } = setUp(1, 2, WIDE);
    open = nodes;
    const binCounts = new Int32Array(WIDE).fill(255);
    const categories = new Int32Array(WIDE);
    const all = Int32Array.from({ length: WIDE }, (_, f) => f);
    const scans = Array.from({ length: 40 }, (_, k) => {
      const hist = nodes.histograms.take();
      fill(hist, rng, 1);
      // Feature 17 (third unit) repeats feature 2 (first unit): the same best gain, and feature 2 must win.
      if (k % 2 === 0) {
        for (let b = 0; b < 100; b++) hist[2 * HIST_STRIDE + 2 * b] += 5;
        hist.copyWithin(17 * HIST_STRIDE, 2 * HIST_STRIDE, 3 * HIST_STRIDE);
      }
      let g = 0;
      let h = 0;
      for (let b = 0; b < 256; b++) {
        g += hist[2 * b];
        h += hist[2 * b + 1];
      }
      // Every other node scans a random subset of the features, in ascending order (colsample).
      const features = k % 4 === 1 ? all.filter(() => rng.next() < 0.5) : all;
      return { hist, features, node: { g, h, count: 5000 }, split: emptySplit() };
    });
    nodes.findSplits(scans, binCounts, categories, RULES);
    for (const scan of scans) {
      const expected = emptySplit();
      findBestSplit(scan.hist, scan.features, binCounts, categories, scan.node, RULES, expected);
      expect(scan.split).toEqual(expected);
    }
    expect(scans[0].split.feature).toBe(2);
  });
});

describe("a level's histograms built in shares on the threads", () => {
  it("adds the shares into arena histograms as readRegion does, nodes spanning two waves too", () => {
    const stride = rowStride(P);
    const reach = reachableBins(new Int32Array(P).fill(255), stride);
    // 5 regions, shares of at least 100 rows: nodes of 4, 2 and 4 shares, so the second spans both waves.
    const bounds = [0, 1000, 1700, 3000];
    const built = [1, 2].map((threads) => {
      const rng = new Random(9);
      const space = createHistSpace(N, stride, 5, false, SIDE_SLOTS) as HistSpace;
      for (let i = 0; i < space.bins.length; i++) space.bins[i] = rng.int(256);
      for (let i = 0; i < 2 * N; i++) space.gh[i] = rng.normal();
      space.rows.set(rng.permutation(N));
      space.useReachable(reach);
      const raw = sharedCopy(new Float64Array(N));
      const nodes = new NodeThreads(threads, space, reach, { raw, y: new Float64Array(N) }, 100);
      open = nodes;
      const hists = [0, 1, 2].map((k) => ({
        start: bounds[k],
        end: bounds[k + 1],
        hist: nodes.histograms.take(),
      }));
      nodes.buildAll(hists);
      nodes.close();
      open = null;
      return hists.map((h) => ({
        inArena: h.hist.buffer instanceof SharedArrayBuffer,
        hist: Float64Array.from(h.hist),
      }));
    });
    expect(built[1].every((h) => h.inArena)).toBe(true);
    expect(built[1].map((h) => h.hist)).toEqual(built[0].map((h) => h.hist));
  });

  it("computes a round's marked gradients in its root build's units: the scores, gradients and root histogram of separate waves", () => {
    const stride = rowStride(P);
    const reach = reachableBins(new Int32Array(P).fill(255), stride);
    const run = (withRootBuild: boolean) => {
      const rng = new Random(11);
      const space = createHistSpace(N, stride, regionsFor(2, stride), false, SIDE_SLOTS) as HistSpace;
      for (let i = 0; i < space.bins.length; i++) space.bins[i] = rng.int(256);
      for (let i = 0; i < N; i++) space.marks[i] = rng.int(64);
      // The booster's root: rows 0..N − 1 in order.
      space.listRows(N);
      space.useReachable(reach);
      const raw = sharedCopy(Float64Array.from({ length: N }, () => rng.normal()));
      const y = Float64Array.from({ length: N }, () => rng.normal());
      const nodeValues = sharedCopy(Float64Array.from({ length: 64 }, () => rng.normal()));
      const nodes = new NodeThreads(2, space, reach, { raw, y, nodeValues }, 0);
      open = nodes;
      const before = Float64Array.from(raw);
      nodes.markedGradients(squaredError(), N, true, withRootBuild);
      // Deferred: nothing is computed until the root's build.
      const deferred = Buffer.from(raw.buffer, raw.byteOffset, 8 * N).equals(Buffer.from(before.buffer));
      const root = { start: 0, end: N, hist: nodes.histograms.take() };
      nodes.buildAll([root]);
      nodes.close();
      open = null;
      return {
        deferred,
        raw: Float64Array.from(raw),
        gh: Float64Array.from(space.gh),
        hist: Float64Array.from(root.hist),
      };
    };
    const separate = run(false);
    const fused = run(true);
    expect([separate.deferred, fused.deferred]).toEqual([false, true]);
    expect(fused.hist.some((v) => v !== 0)).toBe(true);
    for (const k of ["raw", "gh", "hist"] as const)
      expect(Buffer.from(fused[k].buffer)).toEqual(Buffer.from(separate[k].buffer));
  });

  it("builds, reduces, subtracts and scans a level in a BUILD and a LEVEL wave as buildAll, subtractAll and findSplits do", () => {
    const stride = rowStride(WIDE);
    const reach = reachableBins(new Int32Array(WIDE).fill(255), stride);
    const binCounts = new Int32Array(WIDE).fill(255);
    // Small children of 1, 2 and 4 shares of at least 500 rows; their parents' histograms hold more.
    const bounds = [0, 900, 2000, 4000];
    const grown = [false, true].map((oneWave) => {
      const rng = new Random(9);
      const space = createHistSpace(N, stride, regionsFor(2, stride), false, SIDE_SLOTS) as HistSpace;
      for (let i = 0; i < space.bins.length; i++) space.bins[i] = rng.int(256);
      for (let i = 0; i < 2 * N; i++) space.gh[i] = rng.normal();
      space.rows.set(rng.permutation(N));
      space.useReachable(reach);
      const raw = sharedCopy(new Float64Array(N));
      const nodes = new NodeThreads(2, space, reach, { raw, y: new Float64Array(N) }, 500);
      open = nodes;
      const small = [0, 1, 2].map((k) => ({
        start: bounds[k],
        end: bounds[k + 1],
        hist: nodes.histograms.take(),
      }));
      const pairs = small.map(({ hist }) => {
        const into = nodes.histograms.take();
        for (let c = 0; c < into.length; c++) into[c] = 1000 * rng.next();
        return { into, minus: hist };
      });
      // Both children of the first pair, the large one of the second (over a subset), the small one of the third.
      const subset = Int32Array.from({ length: WIDE }, (_, f) => f).filter((f) => f % 3 !== 1);
      const all = Int32Array.from({ length: WIDE }, (_, f) => f);
      const scans = [pairs[0].minus, pairs[0].into, pairs[1].into, pairs[2].minus].map((hist, k) => ({
        hist,
        features: k === 2 ? subset : all,
        node: { g: rng.normal(), h: 1000 + 100 * k, count: 5000 },
        split: emptySplit(),
      }));
      if (oneWave) nodes.growLevel(small, pairs, scans, binCounts, new Int32Array(WIDE), RULES);
      else {
        nodes.buildAll(small);
        nodes.subtractAll(pairs);
        nodes.findSplits(scans, binCounts, new Int32Array(WIDE), RULES);
      }
      nodes.close();
      open = null;
      return {
        hists: pairs.flatMap((q) => [Float64Array.from(q.minus), Float64Array.from(q.into)]),
        splits: scans.map((q) => q.split),
      };
    });
    expect(grown[1].hists).toEqual(grown[0].hists);
    expect(grown[1].splits).toEqual(grown[0].splits);
    expect(grown[1].splits.every((q) => q.feature >= 0)).toBe(true);
  });
});

describe("a level's partitions on the threads", () => {
  it("cut only the nodes larger than a thread's share of the wave into parts", () => {
    // 1M rows on 2 threads: parts of at least 125,000 rows; a node of 100,000 rows is partitioned whole.
    expect(partRowsOf(1_000_000, 2, 4096)).toBe(125_000);
    expect(sharesOf(100_000, partRowsOf(1_000_000, 2, 4096))).toBe(1);
    expect(sharesOf(1_000_000, partRowsOf(1_000_000, 2, 4096))).toBe(MAX_SHARES);
    // Never below the share floor, and minRows 0 (tests) still cuts every node into MAX_SHARES parts.
    expect(partRowsOf(10_000, 2, 4096)).toBe(4096);
    expect(sharesOf(50, partRowsOf(1000, 2, 0))).toBe(MAX_SHARES);
  });

  it("send the same rows left, in the same order, with nodes whole and in parts in one wave", () => {
    const stride = rowStride(P);
    // One large node (in parts on 2 threads) and small ones (whole), shares of at least 100 rows.
    const bounds = [0, 6000, 6300, 6700, 7000, N];
    const sides = Uint8Array.from({ length: 256 }, (_, b) => +(b < 100));
    const results = [1, 2].map((threads) => {
      const rng = new Random(11);
      const space = createHistSpace(N, stride, regionsFor(threads, stride), false, SIDE_SLOTS) as HistSpace;
      for (let i = 0; i < space.bins.length; i++) space.bins[i] = rng.int(256);
      space.rows.set(rng.permutation(N));
      const reach = reachableBins(new Int32Array(P).fill(255), stride);
      const nodes = new NodeThreads(
        threads,
        space,
        reach,
        { raw: sharedCopy(new Float64Array(N)), y: new Float64Array(N) },
        100,
      );
      open = nodes;
      const cuts = bounds.slice(1).map((end, k) => ({ start: bounds[k], end, f: k % P, sides }));
      const nLeft = nodes.partitionAll(cuts);
      nodes.close();
      open = null;
      return { nLeft: Array.from(nLeft), rows: Array.from(space.rows) };
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[0].nLeft.every((l, k) => l > 0 && l < bounds[k + 1] - bounds[k])).toBe(true);
  });
});

describe("a level's leaf marks on the threads", () => {
  it("mark each node's rows as HistSpace.markRows does, in the next partition wave", () => {
    const stride = rowStride(P);
    // Nodes of ascending rows (as stable partitions leave them), spread over all row ids.
    const bounds = [0, 6000, 6300, 6700, 7000, N];
    const marks = [1, 2].map((threads) => {
      const rng = new Random(11);
      const space = createHistSpace(N, stride, regionsFor(threads, stride), false, SIDE_SLOTS) as HistSpace;
      for (let i = 0; i < space.bins.length; i++) space.bins[i] = rng.int(256);
      const order = rng.permutation(N);
      for (let k = 1; k < bounds.length; k++) order.subarray(bounds[k - 1], bounds[k]).sort();
      space.rows.set(order);
      const reach = reachableBins(new Int32Array(P).fill(255), stride);
      const scores = { raw: sharedCopy(new Float64Array(N)), y: new Float64Array(N) };
      const nodes = new NodeThreads(threads, space, reach, scores, 0);
      open = nodes;
      bounds.slice(1).forEach((end, k) => {
        const sides = Uint8Array.from({ length: 256 }, (_, b) => +(b < 40 * k + 10));
        const marker = threads === 1 ? space : nodes;
        marker.markRows(bounds[k], end, k % P, sides, 2 * k + 1, 2 * k + 2);
      });
      // Queued on the threads until the level's partitions.
      if (threads === 2) expect(space.marks.every((m) => m === 0)).toBe(true);
      nodes.partitionAll([]);
      nodes.close();
      open = null;
      return Array.from(space.marks);
    });
    expect(marks[1]).toEqual(marks[0]);
    expect(new Set(marks[0]).size).toBe(2 * (bounds.length - 1));
  });
});

describe("the fits that use worker threads", () => {
  it("are smaller when scored through leaf marks on them (one output, uint8 bins) than multiclass ones", () => {
    expect(marksOnThreads(binaryLogLoss(), MISSING_BIN)).toBe(true);
    expect(marksOnThreads(squaredError(), MISSING_BIN)).toBe(true);
    expect(marksOnThreads(softmaxLogLoss(3, 1), MISSING_BIN)).toBe(false);
    // uint16 bins: the wide kernel has no mark.
    expect(marksOnThreads(binaryLogLoss(), MISSING_BIN + 256)).toBe(false);
    // 120k customer rows of 28 bins: on the threads through marks, not multiclass.
    expect(fitUsesWorkers(120_000, 28, true)).toBe(true);
    expect(fitUsesWorkers(120_000, 28, false)).toBe(false);
    expect(fitUsesWorkers(40_000, 28, true)).toBe(false);
    expect(fitUsesWorkers(1_000_000, 28, false)).toBe(true);
  });
});

describe("a node's shares", () => {
  it("are the largest power of two up to MAX_SHARES leaving each share minRows rows, as doubling finds", () => {
    const doubling = (n: number, minRows: number) => {
      let shares = 1;
      while (shares < MAX_SHARES && n >= 2 * shares * minRows) shares *= 2;
      return shares;
    };
    for (const minRows of [0, 1, 3, 100, 4096])
      for (let n = 0; n <= 20 * Math.max(1, minRows); n++)
        expect(sharesOf(n, minRows)).toBe(doubling(n, minRows));
    expect(sharesOf(1e6, 4096)).toBe(MAX_SHARES);
  });
});
