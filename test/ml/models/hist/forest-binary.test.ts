/**
 * The ones table of sparse binary features (forest-binary.ts): one pass over a node's rows gives, for every
 * binary feature, the split and the constant features that scanTwoBins finds feature by feature, to the bit;
 * clearing leaves the table as new. And the feature draw's int32 modulo is the modulo of the unsigned value.
 */
import { describe, expect, it } from "vitest";
import { score } from "../../../../src/ml/models/hist/channels.js";
import { BinaryOnes, binaryOnesOf } from "../../../../src/ml/models/hist/forest-binary.js";
import { sumRowsByBin, TINY_NODE } from "../../../../src/ml/models/hist/forest-entries.js";
import { uint32Mod } from "../../../../src/ml/models/hist/forest-grower.js";
import { scanOnes, scanTinyOnes, scanTwoBins } from "../../../../src/ml/models/hist/forest-scan.js";
import {
  emptyBest,
  type ForestData,
  ForestScratch,
  packedOf,
} from "../../../../src/ml/models/hist/forest-scratch.js";
import { Random } from "../../../../src/ml/random.js";

/** n rows of p binary columns (one-hot-like: mostly zeros; some all zeros or all ones), k classes. */
function binaryData(rng: Random, n: number, p: number, k: number): ForestData {
  const columns = new Uint8Array(n * p);
  for (let f = 0; f < p; f++) {
    const share = [0, 1, 0.05, 0.5][rng.int(4)];
    for (let i = 0; i < n; i++) columns[f * n + i] = +(rng.next() < share);
  }
  const classOf = Int32Array.from({ length: n }, () => rng.int(k));
  const rowWeight = Float64Array.from({ length: n }, () => 1 + rng.int(3));
  const values = new Float64Array(k * n);
  for (let i = 0; i < n; i++) values[k * i + classOf[i]] = rowWeight[i];
  return {
    columns,
    n,
    p,
    channels: k,
    categories: new Int32Array(p),
    twoBins: new Uint8Array(p).fill(1),
    values,
    classes: k > 2 ? { classOf, rowWeight } : null,
    packed: k === 2 ? packedOf(values) : null,
  } as unknown as ForestData;
}

/** A ones table of all of data's features (binary), weighed for all its rows (their order). */
function weighedTable(data: ForestData): { table: BinaryOnes; all: Int32Array } {
  const { n, p } = data;
  const table = new BinaryOnes(
    data,
    Int32Array.from({ length: p }, (_, f) => f),
    p,
  );
  const all = Int32Array.from({ length: n }, (_, i) => i);
  table.weigh(all, n);
  return { table, all };
}

/** The class sums of rows[start, end) (data.values holds each row's class weights), their total and Gini score. */
function nodeOf(data: ForestData, rows: Int32Array, start: number, end: number, k: number) {
  const sums = new Float64Array(k);
  for (let j = start; j < end; j++) for (let c = 0; c < k; c++) sums[c] += data.values[rows[j] * k + c];
  const W = sums.reduce((a, v) => a + v, 0);
  return { sums, W, parent: score("gini", sums, 0, k, W) };
}

describe("ones table of binary features", () => {
  it.each([2, 7])("finds each feature's split and constancy as scanTwoBins does (%i classes)", (k) => {
    const rng = new Random(70 + k);
    const n = 300;
    const p = 40;
    const data = binaryData(rng, n, p, k);
    const { table, all } = weighedTable(data);
    let constants = 0;
    let splits = 0;
    for (let trial = 0; trial < 40; trial++) {
      const s = new ForestScratch(n, p, k, 0);
      const t = { start: 2, end: 4 + rng.int(n - 4) };
      // Distinct rows in ascending order, as a node's are.
      const picked = all.filter(() => rng.next() < (t.end - t.start) / n);
      t.end = t.start + picked.length;
      s.rows.set(picked, t.start);
      const { sums, W, parent } = nodeOf(data, s.rows, t.start, t.end, k);
      s.sums.set(sums);
      const minLeaf = 1 + rng.int(4);
      table.build(s.rows, t);
      for (let f = 0; f < p; f++) {
        const byRows = emptyBest();
        const byTable = emptyBest();
        const varies = scanTwoBins(data, t, f, minLeaf, parent, W, s, byRows);
        expect(scanOnes(table.ones, f * k, f, minLeaf, parent, W, s, byTable)).toBe(varies);
        expect(byTable).toEqual(byRows);
        constants += +!varies;
        splits += +(byRows.feature === f);
      }
      table.clear();
      expect(table.ones.every((v) => v === 0)).toBe(true);
      expect(table.any.every((v) => v === 0)).toBe(true);
    }
    // Both cases came up.
    expect(constants).toBeGreaterThan(100);
    expect(splits).toBeGreaterThan(100);
  });

  it("sums a node's rows per bin of a numeric feature as sumRowsByBin does, from the records", () => {
    const rng = new Random(11);
    const n = 300;
    const k = 5;
    const data = binaryData(rng, n, 3, k);
    // Feature 2 numeric over many bins.
    for (let i = 0; i < n; i++) data.columns[2 * n + i] = rng.int(200);
    const table = new BinaryOnes(data, Int32Array.of(0, 1, -1), 2);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    table.weigh(all, n);
    const byRows = new ForestScratch(n, 3, k, 0);
    const byRecords = new ForestScratch(n, 3, k, 0);
    const t = { start: 0, end: 0 };
    for (const i of all) if (rng.next() < 0.3) byRows.rows[t.end++] = i;
    byRecords.rows.set(byRows.rows);
    sumRowsByBin(data, t, 2, byRows);
    table.sumByBin(byRecords.rows, t, 2, byRecords.binSums, byRecords.present, byRecords.binClasses);
    expect(byRecords.binSums).toEqual(byRows.binSums);
    expect(byRecords.present).toEqual(byRows.present);
    expect(byRecords.binClasses).toEqual(byRows.binClasses);
    expect(byRows.binSums.some((v) => v > 0)).toBe(true);
  });

  it.each([2, 7])("gives a child parent minus sibling, the table built from its rows (%i classes)", (k) => {
    const rng = new Random(30 + k);
    const n = 400;
    const p = 40;
    const data = binaryData(rng, n, p, k);
    const { table, all } = weighedTable(data);
    for (let trial = 0; trial < 20; trial++) {
      // A node's rows split in two: [start, mid) and [mid, end).
      const rows = all.filter(() => rng.next() < 0.6);
      const mid = rng.int(rows.length + 1);
      table.buildSumming(rows, 0, rows.length);
      const parent = table.detach();
      table.buildSumming(rows, 0, mid);
      const child = table.detach();
      table.subtract(parent, child);
      table.buildSumming(rows, mid, rows.length);
      const direct = table.detach();
      expect(parent.ones).toEqual(direct.ones);
      expect(parent.any).toEqual(direct.any);
      expect(parent.sums).toEqual(direct.sums);
      for (const t of [parent, child, direct]) table.release(t);
    }
    // Released tables come back cleared.
    for (let j = 0; j < 3; j++) {
      const t = table.take();
      expect(t.ones.every((v) => v === 0)).toBe(true);
      expect(t.any.every((v) => v === 0)).toBe(true);
    }
  });

  it.each([2, 7])("finds a tiny node's splits and constants from its gathered rows (%i classes)", (k) => {
    const rng = new Random(50 + k);
    const n = 300;
    const p = 40;
    const data = binaryData(rng, n, p, k);
    const { table, all } = weighedTable(data);
    let constants = 0;
    let splits = 0;
    for (let trial = 0; trial < 60; trial++) {
      const s = new ForestScratch(n, p, k, 0);
      const m = 3 + rng.int(TINY_NODE - 2);
      const t = { start: 5, end: 5 + m };
      for (let j = t.start; j < t.end; j++) s.rows[j] = all[rng.int(n)];
      // Stale words from an earlier, larger node must not leak into this one.
      table.gatherTiny(all, 0, TINY_NODE, s);
      table.gatherTiny(s.rows, t.start, t.end, s);
      const { sums, W, parent } = nodeOf(data, s.rows, t.start, t.end, k);
      expect(s.sums).toEqual(sums);
      const minLeaf = 1 + rng.int(3);
      for (let f = 0; f < p; f++) {
        const byRows = emptyBest();
        const byGather = emptyBest();
        const varies = scanTwoBins(data, t, f, minLeaf, parent, W, s, byRows);
        expect(table.tinyConstant(f)).toBe(!varies);
        if (varies) scanTinyOnes(table.tinyMask[f], f, minLeaf, parent, W, s, byGather);
        expect(byGather).toEqual(byRows);
        constants += +!varies;
        splits += +(byRows.feature === f);
      }
    }
    expect(constants).toBeGreaterThan(100);
    expect(splits).toBeGreaterThan(100);
  });

  it("tells constant features in a tiny node of 31 and of 32 rows (the mask's sign bit)", () => {
    const n = 40;
    const p = 4;
    const columns = new Uint8Array(n * p);
    // Feature 0 all ones, 1 all zeros, 2 one only in the last row, 3 one everywhere but the last row.
    for (let i = 0; i < n; i++) {
      columns[i] = 1;
      columns[2 * n + i] = +(i === 31 || i === 30);
      columns[3 * n + i] = +(i < 30);
    }
    const data = { ...binaryData(new Random(3), n, p, 3), columns };
    const { table, all } = weighedTable(data);
    const s = new ForestScratch(n, p, 3, 0);
    for (const m of [31, 32]) {
      table.gatherTiny(all, 0, m, s);
      expect([0, 1, 2, 3].map((f) => table.tinyConstant(f))).toEqual([true, true, false, false]);
    }
  });

  it("is made only when the binary features are sparse and many enough to pay", () => {
    const rng = new Random(9);
    const data = binaryData(rng, 200, 40, 3);
    const oneHot = new Uint8Array(200 * 40);
    for (let i = 0; i < 200; i++) oneHot[rng.int(40) * 200 + i] = 1;
    const sparse = { ...data, columns: oneHot };
    expect(binaryOnesOf(sparse, 8)).toBeInstanceOf(BinaryOnes);
    // Dense columns (a quarter or more ones): building the table costs more than the scans it saves.
    const dense = { ...data, columns: Uint8Array.from(oneHot, (_, j) => +(j % 3 === 0)) };
    expect(binaryOnesOf(dense, 8)).toBeNull();
    expect(binaryOnesOf({ ...sparse, twoBins: new Uint8Array(40) }, 8)).toBeNull();
  });
});

describe("uint32Mod", () => {
  it("is (x >>> 0) % r for every int32 x", () => {
    const rng = new Random(5);
    const xs = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321];
    for (let k = 0; k < 2000; k++) xs.push(rng.nextUint32() | 0);
    for (const x of xs)
      for (const r of [1, 2, 3, 7, 54, 499, 2 ** 20 + 3]) expect(uint32Mod(x, r)).toBe((x >>> 0) % r);
  });
});
