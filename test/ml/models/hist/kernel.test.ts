/** The WebAssembly histogram and partition kernels against the plain JS loops, bit for bit. */
import { describe, expect, it } from "vitest";
import { createHistSpace, type HistSpace } from "../../../../src/ml/kernels/hist-build.js";
import { instantiate } from "../../../../src/ml/kernels/load.js";
import {
  buildHistogram,
  HIST_STRIDE,
  reachableBins,
  reachableSpans,
  rowStride,
  subtractHistogram,
} from "../../../../src/ml/models/hist/histogram.js";
import { Random } from "../../../../src/ml/random.js";
import { randomSpace } from "./random-space.js";

const SHAPES: Array<[number, number]> = [
  [1, 1],
  [7, 3],
  [100, 4],
  [1000, 20],
  [2501, 9],
  [4000, 37],
];

describe("histogram kernel", () => {
  for (const [n, p] of SHAPES) {
    it(`equals buildHistogram exactly (${n} rows × ${p} features, sub-ranges too)`, () => {
      const space = randomSpace(n, p, false, n + p);
      const stride = rowStride(p);
      const ranges: Array<[number, number]> = [
        [0, n],
        [Math.floor(n / 3), n],
        [0, Math.floor(n / 2)],
        [n >> 2, n >> 2],
      ];
      for (const [start, end] of ranges) {
        const js = new Float64Array(stride * HIST_STRIDE).fill(7);
        const wasm = new Float64Array(stride * HIST_STRIDE).fill(-3);
        buildHistogram(space.bins, stride, space.gh, space.rows, start, end, js);
        space.buildInto(start, end, wasm);
        expect(wasm).toEqual(js);
        expect(Object.is(wasm[0], js[0])).toBe(true);
      }
    });
  }
});

describe("histogram kernel without the padding features", () => {
  for (const p of [1, 2, 3, 5, 6, 7, 9, 31]) {
    it(`builds the ${p} real features as buildHistogram does and leaves the padding at zero`, () => {
      const n = 777;
      const space = randomSpace(n, p, false, 11 + p);
      const stride = rowStride(p);
      // The padding bins set, so a build that read them would show in the padding's histograms.
      for (let i = 0; i < n; i++)
        for (let f = p; f < stride; f++) space.bins[i * stride + f] = (i * 7 + f) % 200;
      space.useFeatures(p);
      const js = new Float64Array(stride * HIST_STRIDE);
      const wasm = new Float64Array(stride * HIST_STRIDE).fill(-3);
      buildHistogram(space.bins, stride, space.gh, space.rows, 5, n, js);
      space.buildInto(5, n, wasm);
      expect(wasm.subarray(0, p * HIST_STRIDE)).toEqual(js.subarray(0, p * HIST_STRIDE));
      expect(wasm.subarray(p * HIST_STRIDE).every((x) => x === 0)).toBe(true);
    });
  }
});

describe("mark kernel", () => {
  for (const columns of [false, true])
    it(`marks each row with its side's node as the partition sends it (${columns ? "column-major" : "row-major"})`, () => {
      const n = 1500;
      const p = 6;
      const space = randomSpace(n, p, columns, 3);
      const sides = Uint8Array.from({ length: 256 }, (_, b) => +(b % 3 === 0 || b === 255));
      space.marks.fill(9);
      space.markRows(100, 1400, 4, sides, 7, 300);
      const rows = space.rows.slice();
      const stride = rowStride(p);
      for (let i = 0; i < n; i++) {
        const q = rows.indexOf(i);
        const expected = q < 100 || q >= 1400 ? 9 : sides[space.bins[i * stride + 4]] === 1 ? 7 : 300;
        expect(space.marks[i]).toBe(expected);
      }
      // The rows are left as they were.
      expect(space.rows).toEqual(rows);
    });
});

describe("histogram kernel over the reachable cells only", () => {
  it("equals buildHistogram on one-hot columns, missing values and a 255-bin column", () => {
    // Feature 0 has 255 value bins, features 1..29 are one-hot (bins 0 and 1), every fifth row is missing.
    const n = 3000;
    const p = 30;
    const stride = rowStride(p);
    const rng = new Random(5);
    const space = createHistSpace(n, stride, 2, false) as HistSpace;
    const binCounts = Int32Array.from({ length: p }, (_, f) => (f === 0 ? 255 : 2));
    for (let i = 0; i < n; i++) {
      space.bins[i * stride] = Math.floor(rng.next() * 255);
      for (let f = 1; f < p; f++) space.bins[i * stride + f] = i % 5 === 0 ? 255 : +(rng.next() < 0.03);
      space.gh[2 * i] = rng.normal();
      space.gh[2 * i + 1] = rng.next();
    }
    space.rows.set(rng.permutation(n));
    space.useReachable(reachableBins(binCounts, stride));
    const parent = new Float64Array(stride * HIST_STRIDE);
    const child = new Float64Array(stride * HIST_STRIDE);
    const js = new Float64Array(stride * HIST_STRIDE);
    space.buildInto(0, n, parent);
    buildHistogram(space.bins, stride, space.gh, space.rows, 0, n, js);
    expect(parent).toEqual(js);
    // Built again over fewer rows into the same arrays, then subtracted over the reachable cells only.
    space.buildInto(0, 1000, child);
    subtractHistogram(
      parent,
      child,
      stride,
      reachableSpans(reachableBins(binCounts, stride), stride, HIST_STRIDE),
    );
    buildHistogram(space.bins, stride, space.gh, space.rows, 1000, n, js);
    const full = new Float64Array(stride * HIST_STRIDE);
    buildHistogram(space.bins, stride, space.gh, space.rows, 0, n, full);
    subtractHistogram(full, child, stride);
    expect(parent).toEqual(full);
    expect(Math.max(...parent.map((v, k) => Math.abs(v - js[k])))).toBeLessThan(1e-9);
  });
});

/** The grower's JS partition: left rows in order at the front, the rest after them in order. */
function partitionJs(rows: Int32Array, start: number, end: number, side: (i: number) => number): number {
  const part = Array.from(rows.subarray(start, end));
  const left = part.filter((i) => side(i) === 1);
  rows.set([...left, ...part.filter((i) => side(i) === 0)], start);
  return left.length;
}

describe("partition kernel", () => {
  for (const columns of [false, true]) {
    for (const [n, p] of SHAPES) {
      it(`stable, as the JS partition (${n} × ${p}, ${columns ? "column" : "row"}-major)`, () => {
        const space = randomSpace(n, p, columns, 3 * n + p);
        const stride = rowStride(p);
        const rng = new Random(n);
        const sides = Uint8Array.from({ length: 256 }, () => +(rng.next() < 0.5));
        for (let f = 0; f < p; f++) {
          const start = Math.floor(rng.next() * n);
          const end = start + Math.floor(rng.next() * (n - start + 1));
          const expected = Int32Array.from(space.rows);
          const nLeft = partitionJs(expected, start, end, (i) => sides[space.bins[i * stride + f]]);
          expect(space.partition(start, end, f, sides)).toBe(nLeft);
          expect(Array.from(space.rows)).toEqual(Array.from(expected));
        }
      });
    }
  }
});

describe("partition kernel's copies (back 2, and copy), as the worker parts use them", () => {
  for (const [n, p] of SHAPES.filter(([rows]) => rows >= 7)) {
    it(`back 2 puts the left rows in scratch after the right ones; copy moves them (${n} × ${p})`, () => {
      const space = randomSpace(n, p, false, 5 * n + p);
      const l = space.layout;
      const exports = instantiate<{
        partition: (...args: number[]) => number;
        copy: (to: number, from: number, bytes: number) => void;
      }>(space.module, space.memory);
      const buffer = space.memory.buffer;
      const scratch = new Int32Array(buffer, l.scratchAt, n);
      const sides = new Uint8Array(buffer, l.sidesAt, l.sideBytes);
      const stride = rowStride(p);
      const rng = new Random(n + p);
      for (let b = 0; b < sides.length; b++) sides[b] = +(rng.next() < 0.5);
      const f = p - 1;
      const start = Math.floor(n / 5);
      const end = n - Math.floor(n / 7);
      const before = Array.from(space.rows.subarray(start, end));
      const left = before.filter((i) => sides[space.bins[i * stride + f]] === 1);
      const right = before.filter((i) => sides[space.bins[i * stride + f]] === 0);
      scratch.fill(-1);
      const nLeft = exports.partition(
        l.binsAt + f,
        stride,
        l.rowsAt + 4 * start,
        end - start,
        l.scratchAt + 4 * start,
        l.sidesAt,
        2,
      );
      expect(nLeft).toBe(left.length);
      expect(Array.from(space.rows.subarray(start, start + nLeft))).toEqual(left);
      expect(Array.from(scratch.subarray(start, end))).toEqual([...right, ...left]);
      expect(scratch[start - 1]).toBe(-1);
      expect(scratch[end]).toBe(-1);
      // The merge's copies: the left rows, then the right ones, back into the list.
      space.rows.fill(-2, start, end);
      exports.copy(l.rowsAt + 4 * start, l.scratchAt + 4 * (end - nLeft), 4 * nLeft);
      exports.copy(l.rowsAt + 4 * (start + nLeft), l.scratchAt + 4 * start, 4 * (end - start - nLeft));
      expect(Array.from(space.rows.subarray(start, end))).toEqual([...left, ...right]);
      expect(space.rows[end]).not.toBe(-2);
    });
  }
});

describe("the kernels' reads ahead (touches of the rows to come)", () => {
  // Rows after a node's range hold numbers far outside the memory: a touch that read past the node's last
  // row would trap (or, within the memory, change nothing but time), so each count around the touches'
  // block sizes (16 rows for builds, 32 for partitions) must give the JS loops' results.
  const n = 400;
  const p = 20;
  const stride = rowStride(p);
  const counts = [1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 95, 96, 97, 127, 128, 129, 200];
  it.each(counts)("stay within the node's rows (%i rows, the rest of the list out of range)", (count) => {
    const space = randomSpace(n, p, false, count);
    const start = 50;
    const end = start + count;
    // Every other row of the shuffled list, so that consecutive rows are scattered as in a deep node.
    const rows = Int32Array.from({ length: count }, (_, k) => (2 * k * 37) % n);
    space.rows.set(rows, start);
    space.rows.fill(1 << 28, end);
    const js = new Float64Array(stride * HIST_STRIDE);
    const wasm = new Float64Array(stride * HIST_STRIDE);
    buildHistogram(space.bins, stride, space.gh, space.rows, start, end, js);
    space.buildInto(start, end, wasm);
    expect(wasm).toEqual(js);
    const sides = Uint8Array.from({ length: 256 }, (_, b) => b & 1);
    const expected = Int32Array.from(space.rows);
    const nLeft = partitionJs(expected, start, end, (i) => sides[space.bins[i * stride + 3]]);
    expect(space.partition(start, end, 3, sides)).toBe(nLeft);
    expect(Array.from(space.rows.subarray(start, end))).toEqual(Array.from(expected.subarray(start, end)));
  });
});

describe("builds of consecutive rows (no touches ahead)", () => {
  it.each([31, 32, 33, 47, 64, 100, 129])(
    "equal buildHistogram (%i rows in order, then scattered)",
    (count) => {
      const n = 400;
      const p = 20;
      const stride = rowStride(p);
      const space = randomSpace(n, p, false, count);
      // Rows 10.. in order, then every 7th row: blocks in order and not, and one that turns.
      const rows = Int32Array.from({ length: count }, (_, k) => (k < count / 2 ? 10 + k : (k * 7) % n));
      space.rows.set(rows, 50);
      const js = new Float64Array(stride * HIST_STRIDE);
      const wasm = new Float64Array(stride * HIST_STRIDE);
      buildHistogram(space.bins, stride, space.gh, space.rows, 50, 50 + count, js);
      space.buildInto(50, 50 + count, wasm);
      expect(wasm).toEqual(js);
    },
  );
});

describe("the row list kernel", () => {
  it.each([0, 1, 3, 4, 5, 8, 1003])(
    "lists rows 0..n − 1 and leaves the rest of the list (%i rows)",
    (count) => {
      const n = 1010;
      const space = randomSpace(n, 3, false, count);
      space.rows.fill(-1);
      space.listRows(count);
      expect(Array.from(space.rows.subarray(0, count))).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(space.rows.subarray(count).every((r) => r === -1)).toBe(true);
    },
  );
});

describe("the kernels' short paths (two-feature builds; partitions and marks from the column copy)", () => {
  // Counts around the paths' steps (two rows for builds, four for partitions and marks) and their
  // remainders, the rows scattered as in a deep node and the rest of the list out of range.
  const n = 600;
  const counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 33, 130, 131];
  it.each(counts)("build two features as buildHistogram does (%i rows)", (count) => {
    const space = randomSpace(n, 2, true, count);
    space.useFeatures(2);
    const start = 20;
    space.rows.set(
      Int32Array.from({ length: count }, (_, k) => (k * 151) % n),
      start,
    );
    space.rows.fill(1 << 28, start + count);
    const js = new Float64Array(rowStride(2) * HIST_STRIDE);
    const wasm = new Float64Array(rowStride(2) * HIST_STRIDE).fill(5);
    buildHistogram(space.bins, rowStride(2), space.gh, space.rows, start, start + count, js);
    space.buildInto(start, start + count, wasm);
    expect(wasm.subarray(0, 2 * HIST_STRIDE)).toEqual(js.subarray(0, 2 * HIST_STRIDE));
  });
  it.each(counts)("partition and mark as the JS loops do (%i rows)", (count) => {
    const p = 6;
    const stride = rowStride(p);
    const space = randomSpace(n, p, true, 7 * count);
    const start = 40;
    const end = start + count;
    const sides = Uint8Array.from({ length: 256 }, (_, b) => +((b * 7) % 5 < 2));
    const expected = Int32Array.from(space.rows);
    const nLeft = partitionJs(expected, start, end, (i) => sides[space.bins[i * stride + 2]]);
    expect(space.partition(start, end, 2, sides)).toBe(nLeft);
    expect(Array.from(space.rows)).toEqual(Array.from(expected));
    space.marks.fill(9);
    space.markRows(start, end, 4, sides, 3, 11);
    for (let i = 0; i < n; i++) {
      const q = space.rows.indexOf(i);
      const want = q < start || q >= end ? 9 : sides[space.bins[i * stride + 4]] === 1 ? 3 : 11;
      expect(space.marks[i]).toBe(want);
    }
  });
});
