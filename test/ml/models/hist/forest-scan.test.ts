/**
 * The forest's split scan over one feature's entries: the Gini scan over several classes (incremental sums
 * of squares) finds the boundary a direct computation of every boundary's gain finds, and a tiny node's
 * scan over its sorted rows finds what the scan over its entries finds, as do the scans of per-bin sums (packed
 * for two classes) and the one-pass scan of a binary feature.
 */
import { describe, expect, it } from "vitest";
import { MISSING_BIN } from "../../../../src/ml/models/hist/binning.js";
import { score } from "../../../../src/ml/models/hist/channels.js";
import {
  collectPacked,
  entriesFromRows,
  sortTinyKeys,
  sumPackedByBin,
  sumRowsByBin,
  TINY_NODE,
} from "../../../../src/ml/models/hist/forest-entries.js";
import {
  pureSplitGain,
  scanBinsGini,
  scanFeature,
  scanPackedGini,
  scanTinyGini,
  scanTwoBins,
  tinyRows,
} from "../../../../src/ml/models/hist/forest-scan.js";
import {
  emptyBest,
  type ForestData,
  ForestScratch,
  packedOf,
} from "../../../../src/ml/models/hist/forest-scratch.js";
import { Random } from "../../../../src/ml/random.js";

const C = 4;

/** Gini tree parameters for scanning one feature. */
function giniParams(minSamplesLeaf = 1) {
  return { criterion: "gini" as const, maxDepth: 9, minSamplesSplit: 2, minSamplesLeaf, maxFeatures: 1 };
}

/** Gain of the boundary after entry e, from the class sums of each side. */
function directGain(s: ForestScratch, nE: number, e: number, parent: number): number {
  const left = new Float64Array(C);
  const right = new Float64Array(C);
  for (let k = 0; k < nE; k++)
    for (let c = 0; c < C; c++) (k <= e ? left : right)[c] += s.entrySums[k * C + c];
  const w = (a: Float64Array) => a.reduce((t, v) => t + v, 0);
  return score("gini", left, 0, C, w(left)) + score("gini", right, 0, C, w(right)) - parent;
}

describe("forest split scan", () => {
  it("finds the boundary of largest Gini gain over several classes", () => {
    const rng = new Random(4);
    for (let trial = 0; trial < 20; trial++) {
      const s = new ForestScratch(10, 1, C, 0);
      const nE = 2 + rng.int(40);
      s.sums.fill(0);
      for (let e = 0; e < nE; e++) {
        s.entryBin[e] = 3 * e + rng.int(3);
        // Sparse entries, as small nodes give: most classes absent from a bin.
        for (let c = 0; c < C; c++) s.entrySums[e * C + c] = rng.next() < 0.4 ? 1 + rng.int(3) : 0;
        for (let c = 0; c < C; c++) s.sums[c] += s.entrySums[e * C + c];
      }
      const W = s.sums.reduce((t, v) => t + v, 0);
      const parent = score("gini", s.sums, 0, C, W);
      const data = { channels: C, categories: new Int32Array(1) } as unknown as ForestData;
      const params = giniParams();
      const best = emptyBest();
      scanFeature(data, 0, nE, params, parent, W, s, best);
      let expected = -1;
      let expectedGain = 0;
      for (let e = 0; e < nE - 1; e++) {
        const gain = directGain(s, nE, e, parent);
        if (gain > expectedGain) {
          expectedGain = gain;
          expected = e;
        }
      }
      if (expected < 0) {
        expect(best.feature).toBe(-1);
        continue;
      }
      expect(best.bin).toBe(s.entryBin[expected]);
      expect(best.gain).toBeCloseTo(expectedGain, 9);
    }
  });
});

describe("tiny-node keys", () => {
  it("sorts every size's (bin, position) keys as a plain sort does, missing rows last", () => {
    const rng = new Random(21);
    for (let trial = 0; trial < 400; trial++) {
      const n = 50;
      const m = 1 + (trial % TINY_NODE);
      // Few distinct bins in some trials (long lists per bin), the missing bin among them.
      const spread = trial % 3 === 0 ? 3 : 256;
      const columns = Uint8Array.from({ length: n }, () => (rng.next() < 0.1 ? 255 : rng.int(spread)));
      const rows = Int32Array.from({ length: n }, () => rng.int(n));
      const t = { start: 5, end: 5 + m };
      const keys = new Int32Array(TINY_NODE);
      expect(sortTinyKeys(columns, 0, rows, t, keys)).toBe(m);
      const want = Array.from({ length: m }, (_, k) => (columns[rows[t.start + k]] << 8) | k).sort(
        (a, b) => a - b,
      );
      expect(Array.from(keys.subarray(0, m))).toEqual(want);
    }
  });
});

describe("tiny-node Gini scan", () => {
  it("picks the split, with the same gain, that scanning the node's entries picks", () => {
    const rng = new Random(9);
    for (let trial = 0; trial < 200; trial++) {
      const n = 40;
      const m = 3 + rng.int(TINY_NODE - 2);
      const columns = Uint8Array.from({ length: n }, () => rng.int(1 + rng.int(12)));
      const classOf = Int32Array.from({ length: n }, () => rng.int(C));
      const rowWeight = Float64Array.from({ length: n }, () => 1 + rng.int(3));
      const data = {
        columns,
        n,
        p: 1,
        channels: C,
        categories: new Int32Array(1),
        classes: { classOf, rowWeight },
      } as unknown as ForestData;
      const s = new ForestScratch(n, 1, C, 0);
      const t = { start: 2, end: 2 + m };
      for (let k = 0; k < m; k++) s.rows[t.start + k] = rng.int(n);
      s.sums.fill(0);
      for (let k = t.start; k < t.end; k++) s.sums[classOf[s.rows[k]]] += rowWeight[s.rows[k]];
      const W = s.sums.reduce((a, v) => a + v, 0);
      const parent = score("gini", s.sums, 0, C, W);
      const params = giniParams();
      const fromEntries = emptyBest();
      scanFeature(data, 0, entriesFromRows(data, t, 0, s), params, parent, W, s, fromEntries);
      const fromKeys = emptyBest();
      sortTinyKeys(columns, 0, s.rows, t, s.tinyKeys);
      tinyRows(data, t.start, m, s);
      scanTinyGini(0, m, 1, parent, W, s, fromKeys);
      expect(fromKeys.feature).toBe(fromEntries.feature);
      expect(fromKeys.bin).toBe(fromEntries.bin);
      expect(fromKeys.gain).toBe(fromEntries.gain);
    }
  });
});

describe("Gini scan straight from a node's per-bin sums", () => {
  it.each([2, 4])(
    "picks the split, with the same gain, that scanning the entries picks (%i classes)",
    (k) => {
      const rng = new Random(20 + k);
      for (let trial = 0; trial < 100; trial++) {
        const n = 300;
        const columns = Uint8Array.from({ length: n }, () => rng.int(1 + rng.int(200)));
        const classOf = Int32Array.from({ length: n }, () => rng.int(k));
        // Tiny nodes too: two classes take the packed sums at every size.
        const { data, t, s, W, parent } = classNode(rng, columns, classOf, k, 0, 3 + rng.int(n - 3));
        const params = giniParams(1 + rng.int(4));
        const fromEntries = emptyBest();
        scanFeature(data, 0, entriesFromRows(data, t, 0, s), params, parent, W, s, fromEntries);
        const fromBins = emptyBest();
        binGini(data, t, params.minSamplesLeaf, parent, W, s, fromBins);
        expect(fromBins.feature).toBe(fromEntries.feature);
        expect(fromBins.bin).toBe(fromEntries.bin);
        expect(fromBins.gain).toBe(fromEntries.gain);
        // Both leave the per-bin sums cleared for the next feature.
        expect(s.binSums.every((v) => v === 0)).toBe(true);
        expect(s.binPacked.every((v) => v === 0)).toBe(true);
        expect(s.present.every((v) => v === 0)).toBe(true);
        expect(s.binClasses.every((v) => v === 0)).toBe(true);
      }
    },
  );
});

describe("Gini scan of a binary feature in one pass", () => {
  it.each([2, 5])(
    "finds the split, with the same gain, and the constant features that the per-bin scan finds (%i classes)",
    (k) => {
      const rng = new Random(40 + k);
      let constants = 0;
      let splits = 0;
      for (let trial = 0; trial < 300; trial++) {
        const n = 200;
        // Mostly zeros as one-hot columns are, some columns all zeros or all ones in the node.
        const share = [0, 1, 0.05, 0.5][rng.int(4)];
        const columns = Uint8Array.from({ length: n }, () => +(rng.next() < share));
        const classOf = Int32Array.from({ length: n }, () => rng.int(k));
        const { data, t, s, W, parent } = classNode(rng, columns, classOf, k, 3, 5 + rng.int(n - 5));
        const minLeaf = 1 + rng.int(6);
        // Sometimes an earlier feature's gain to beat.
        const before = rng.next() < 0.3 ? 0.05 * rng.next() * W : 0;
        const fromBins = emptyBest();
        fromBins.gain = before;
        if (k === 2) sumPackedByBin(data, t, 0, s);
        else sumRowsByBin(data, t, 0, s);
        // Bins 0 and 1 both present in the node (the bitmap's two low bits).
        const bothBins = s.present[0] === 3;
        if (k === 2) scanPackedGini(0, minLeaf, parent, W, s, fromBins);
        else scanBinsGini(0, minLeaf, parent, W, s, fromBins);
        const oneBin = emptyBest();
        oneBin.gain = before;
        const varies = scanTwoBins(data, t, 0, minLeaf, parent, W, s, oneBin);
        expect(varies).toBe(bothBins);
        constants += +!varies;
        splits += +(oneBin.feature === 0);
        expect(oneBin.feature).toBe(fromBins.feature);
        expect(oneBin.bin).toBe(fromBins.bin);
        expect(oneBin.gain).toBe(fromBins.gain);
      }
      // Both cases came up.
      expect(constants).toBeGreaterThan(20);
      expect(splits).toBeGreaterThan(20);
    },
  );
});

/** The Gini scan of feature 0 from per-bin sums that the grower takes: packed for two classes. */
/**
 * A node at [start, end) of rows drawn from rows with these bins (one feature) and classes, each row
 * weighing 1 to 3: its data (packed for two classes), range, scratch with its rows and class sums, weight
 * and Gini score.
 */
function classNode(
  rng: Random,
  columns: Uint8Array,
  classOf: Int32Array,
  k: number,
  start: number,
  end: number,
) {
  const n = columns.length;
  const rowWeight = Float64Array.from({ length: n }, () => 1 + rng.int(3));
  const values = new Float64Array(k * n);
  for (let i = 0; i < n; i++) values[k * i + classOf[i]] = rowWeight[i];
  const data = {
    columns,
    n,
    p: 1,
    channels: k,
    categories: new Int32Array(1),
    binCounts: Int32Array.of(binsOf(columns)),
    values,
    classes: k > 2 ? { classOf, rowWeight } : null,
    packed: k === 2 ? packedOf(values) : null,
  } as ForestData;
  const t = { start, end };
  const s = new ForestScratch(n, 1, k, 0);
  for (let j = start; j < end; j++) s.rows[j] = rng.int(n);
  s.sums.fill(0);
  for (let j = start; j < end; j++) s.sums[classOf[s.rows[j]]] += rowWeight[s.rows[j]];
  const W = s.sums.reduce((a, v) => a + v, 0);
  return { data, t, s, W, parent: score("gini", s.sums, 0, k, W) };
}

/** A feature's bin count (ForestData.binCounts): its largest bin but the missing one, plus 1. */
function binsOf(columns: Uint8Array): number {
  return 1 + columns.reduce((top, b) => (b === MISSING_BIN ? top : Math.max(top, b)), 0);
}

function binGini(
  data: ForestData,
  t: { start: number; end: number },
  minLeaf: number,
  parent: number,
  W: number,
  s: ForestScratch,
  best: ReturnType<typeof emptyBest>,
): void {
  if (data.channels === 2) {
    sumPackedByBin(data, t, 0, s);
    scanPackedGini(0, minLeaf, parent, W, s, best);
  } else {
    sumRowsByBin(data, t, 0, s);
    scanBinsGini(0, minLeaf, parent, W, s, best);
  }
}

describe("packed per-bin sums with missing rows", () => {
  it("give the entries and missing sums that the node's rows give", () => {
    const rng = new Random(31);
    for (let trial = 0; trial < 50; trial++) {
      const n = 120;
      // Bin 255 is the missing one.
      const columns = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 255 : rng.int(30)));
      const values = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) values[2 * i + rng.int(2)] = 1 + rng.int(5);
      const data = {
        columns,
        n,
        p: 1,
        channels: 2,
        binCounts: Int32Array.of(30),
        values,
        packed: packedOf(values),
      } as ForestData;
      const t = { start: 2, end: 3 + rng.int(n - 3) };
      const fromRows = new ForestScratch(n, 1, 2, 0);
      const fromPacked = new ForestScratch(n, 1, 2, 0);
      for (let j = t.start; j < t.end; j++) fromRows.rows[j] = fromPacked.rows[j] = rng.int(n);
      const nE = entriesFromRows(data, t, 0, fromRows);
      sumPackedByBin(data, t, 0, fromPacked);
      expect(collectPacked(fromPacked)).toBe(nE);
      expect(fromPacked.entryBin.subarray(0, nE)).toEqual(fromRows.entryBin.subarray(0, nE));
      expect(fromPacked.entrySums.subarray(0, 2 * nE)).toEqual(fromRows.entrySums.subarray(0, 2 * nE));
      expect(fromPacked.missing).toEqual(fromRows.missing);
      expect(fromPacked.binPacked.every((v) => v === 0)).toBe(true);
      expect(fromPacked.present.every((v) => v === 0)).toBe(true);
    }
  });
});

describe("gain of a split into pure children", () => {
  it.each([2, 5])(
    "bounds every Gini scan's gain, and a pure split reaches it to the bit (%i classes)",
    (k) => {
      const rng = new Random(40 + k);
      let reached = 0;
      for (let trial = 0; trial < 200; trial++) {
        const n = 60;
        // Half the trials: two classes only, class `low` in bins 0–3 and the other in bins 4–7 (a split into
        // pure children at bin 3); the others any class in any bin.
        const pure = rng.next() < 0.5;
        const low = rng.int(k);
        const high = (low + 1 + rng.int(k - 1)) % k;
        const classOf = Int32Array.from({ length: n }, () => {
          if (!pure) return rng.int(k);
          return rng.next() < 0.5 ? low : high;
        });
        const columns = Uint8Array.from({ length: n }, (_, i) =>
          pure ? rng.int(4) + (classOf[i] === low ? 0 : 4) : rng.int(8),
        );
        const m = 3 + rng.int(TINY_NODE - 2);
        const { data, t, s, W, parent } = classNode(rng, columns, classOf, k, 0, m);
        const params = giniParams();
        const gains: number[] = [];
        const fromEntries = emptyBest();
        scanFeature(data, 0, entriesFromRows(data, t, 0, s), params, parent, W, s, fromEntries);
        const fromBins = emptyBest();
        binGini(data, t, 1, parent, W, s, fromBins);
        gains.push(fromEntries.gain, fromBins.gain);
        if (k > 2) {
          const fromKeys = emptyBest();
          sortTinyKeys(columns, 0, s.rows, t, s.tinyKeys);
          tinyRows(data, t.start, m, s);
          scanTinyGini(0, m, 1, parent, W, s, fromKeys);
          gains.push(fromKeys.gain);
        }
        const ceiling = pureSplitGain(W, parent);
        for (const gain of gains) expect(gain).toBeLessThanOrEqual(ceiling);
        const has = (c: number) => s.rows.subarray(0, m).some((i) => classOf[i] === c);
        if (pure && has(low) && has(high)) {
          for (const gain of gains) expect(gain).toBe(ceiling);
          reached++;
        }
      }
      expect(reached).toBeGreaterThan(20);
    },
  );
});
