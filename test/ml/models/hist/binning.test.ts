/** Binning and histograms: thresholds, missing values, the bin ↔ threshold contract, the subtraction trick. */
import { describe, expect, it } from "vitest";
import { binRows, fitBinMapper, MISSING_BIN, thresholdOf } from "../../../../src/ml/models/hist/binning.js";
import { matrixTable, selectRows } from "../../../../src/ml/models/hist/columns.js";
import {
  buildHistogram,
  HIST_STRIDE,
  rowStride,
  subtractHistogram,
} from "../../../../src/ml/models/hist/histogram.js";
import { Random } from "../../../../src/ml/random.js";

const column = (values: number[]) =>
  matrixTable({ data: Float64Array.from(values), rows: values.length, cols: 1 });

describe("fitBinMapper / binRows", () => {
  it("few distinct values: one bin each, thresholds at the midpoints, NaN in the missing bin", () => {
    const t = column([3, 1, 2, 2, Number.NaN, 1, 3]);
    const m = fitBinMapper(t, 255, new Random(1));
    expect(Array.from(m.thresholds)).toEqual([1.5, 2.5]);
    expect(Array.from(binRows(m, t))).toEqual([2, 0, 1, 1, MISSING_BIN, 0, 2]);
  });

  it("many values: at most maxBins bins of about equal counts, and bin ≤ b exactly when x ≤ threshold b", () => {
    const rng = new Random(2);
    const values = Array.from({ length: 20_000 }, () => rng.normal() * 10);
    const t = column(values);
    const m = fitBinMapper(t, 64, new Random(3));
    expect(m.thresholds.length).toBe(63);
    const bins = binRows(m, t);
    const counts = new Array<number>(64).fill(0);
    for (const b of bins) counts[b]++;
    for (const c of counts) expect(c).toBeGreaterThan(20_000 / 64 / 2);
    for (let i = 0; i < 2000; i++) {
      const b = rng.int(63);
      expect(bins[i] <= b).toBe(values[i] <= thresholdOf(m, 0, b));
    }
  });

  it("every count of thresholds: the bin is the number of thresholds below x (search sized to the feature)", () => {
    const rng = new Random(4);
    for (const distinct of [2, 3, 4, 5, 8, 9, 16, 17, 100, 128, 129, 255, 256, 400]) {
      const levels = Array.from({ length: distinct }, () => rng.normal());
      const values = Array.from({ length: 3000 }, (_, i) =>
        i % 97 === 0 ? Number.NaN : i % 89 === 0 ? 10 * rng.normal() : levels[rng.int(distinct)],
      );
      const t = column(values);
      const m = fitBinMapper(t, 255, new Random(5));
      const bins = binRows(m, t);
      values.forEach((v, i) => {
        let below = 0;
        for (const th of m.thresholds) below += +(th < v);
        expect(bins[i]).toBe(Number.isNaN(v) ? MISSING_BIN : below);
      });
      // From a row and for a count off the loops' steps of several values (the last few one at a time).
      const part = binRows(m, t, 3, values.length - 10);
      expect(Array.from(part)).toEqual(Array.from(bins.subarray(3, values.length - 7)));
    }
  });

  it("few distinct values among many rows: the midpoints of the sorted sample, signed zeros as one value", () => {
    const rng = new Random(6);
    const levels = [-0, 0, 3, -2.5, 1e-300, 7, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const distinct of [2, 5, 8]) {
      const values = Array.from({ length: 50_000 }, () => levels[rng.int(distinct)]);
      const m = fitBinMapper(column(values), 255, new Random(7));
      const sorted = [...new Set(values.map((v) => v + 0))].sort((a, b) => a - b);
      const mids = sorted.slice(1).map((v, i) => sorted[i] + (v - sorted[i]) / 2);
      expect(Array.from(m.thresholds)).toEqual(mids);
    }
  });

  it("categorical codes are their own bins; unknown, negative and missing codes are missing", () => {
    const X = { data: Float64Array.from([0, 2, 1, 7, -1, Number.NaN, 1.5]), rows: 7, cols: 1 };
    const t = matrixTable(X, [3]);
    const m = fitBinMapper(t, 255, new Random(1));
    expect(Array.from(binRows(m, t))).toEqual([0, 2, 1, MISSING_BIN, MISSING_BIN, MISSING_BIN, MISSING_BIN]);
  });
});

describe("binRows on threads", () => {
  // 70,000 rows of 4 features are two staged chunks (2 MB each); a numeric column with NaNs, a categorical
  // one with unknown and non-integer codes, and two numeric ones of few distinct values.
  const n = 70_000;
  const p = 4;
  const rng = new Random(5);
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    data[i * p] = rng.next() < 0.05 ? Number.NaN : rng.normal();
    data[i * p + 1] = rng.next() < 0.05 ? 1.5 : rng.int(12) - 1;
    data[i * p + 2] = rng.int(7);
    data[i * p + 3] = rng.normal() * 100;
  }
  const table = matrixTable({ data, rows: n, cols: p }, [0, 10, 0, 0]);
  const stride = rowStride(p);
  const onThreads = (m: ReturnType<typeof fitBinMapper>, t: typeof table, wide: boolean) => {
    const bytes = t.nRows * stride * (wide ? 2 : 1);
    const out = wide
      ? new Uint16Array(new SharedArrayBuffer(bytes))
      : new Uint8Array(new SharedArrayBuffer(bytes));
    return binRows(m, t, 0, t.nRows, out, stride, 2);
  };

  it("bins a design matrix's rows (staged as rows) as one thread does", () => {
    const m = fitBinMapper(table, 255, new Random(6));
    const bins = onThreads(m, table, false);
    expect(bins.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(bins)).toEqual(Array.from(binRows(m, table, 0, n, undefined, stride)));
  });

  it("bins column views through a row index (staged as columns) and wide bins as one thread does", () => {
    const rows = new Random(7).permutation(n).subarray(0, 50_000);
    const view = selectRows(table, rows);
    for (const maxBins of [255, 600]) {
      const m = fitBinMapper(view, maxBins, new Random(8));
      const bins = onThreads(m, view, maxBins > 255);
      expect(Array.from(bins)).toEqual(Array.from(binRows(m, view, 0, view.nRows, undefined, stride)));
    }
  });
});

describe("histograms", () => {
  it("sum gradients and hessians per bin, and parent − child is the sibling", () => {
    const rng = new Random(4);
    const n = 1001;
    const p = 6;
    const stride = rowStride(p);
    const bins = new Uint8Array(n * stride);
    for (let i = 0; i < n; i++) for (let f = 0; f < p; f++) bins[i * stride + f] = rng.int(256);
    const gh = Float64Array.from({ length: 2 * n }, () => rng.normal());
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const parent = new Float64Array(stride * HIST_STRIDE);
    const left = new Float64Array(stride * HIST_STRIDE);
    const right = new Float64Array(stride * HIST_STRIDE);
    buildHistogram(bins, stride, gh, rows, 0, n, parent);
    buildHistogram(bins, stride, gh, rows, 0, 400, left);
    buildHistogram(bins, stride, gh, rows, 400, n, right);
    // Direct sums for one feature and bin.
    let g = 0;
    let h = 0;
    for (let i = 0; i < n; i++) {
      if (bins[i * stride + 3] === 17) {
        g += gh[2 * i];
        h += gh[2 * i + 1];
      }
    }
    expect(parent[3 * HIST_STRIDE + 34]).toBeCloseTo(g, 10);
    expect(parent[3 * HIST_STRIDE + 35]).toBeCloseTo(h, 10);
    subtractHistogram(parent, left, stride);
    for (let k = 0; k < p * HIST_STRIDE; k++) expect(parent[k]).toBeCloseTo(right[k], 9);
  });
});
