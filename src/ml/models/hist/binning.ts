/**
 * Feature binning for histogram trees (as scikit-learn's _BinMapper and LightGBM's bin construction): each
 * numeric feature gets at most maxBins − 1 thresholds from a quantile sketch (midpoints between distinct
 * values when there are few, else quantiles of a seeded sample of at most BIN_SAMPLE_ROWS values);
 * categorical features use their codes as bins. Bins are row-major uint8 with MISSING_BIN holding NaN, or
 * uint16 when some feature got more than MAX_BINS value bins (maxBins above 255, as XGBoost's max_bin): the
 * missing bin is then the largest bin count (`missingBin`), so histograms have no unused cells.
 * bin(x) = the first k with x ≤ thresholds[k], so "bin ≤ b" is exactly "x ≤ thresholds[b]".
 */
import { Random } from "../../random.js";
import { leaseCrew } from "../../threads/pool.js";
import { type ColumnTable, type ColumnView, readColumn, selectRows } from "./columns.js";
import { sortedDistinct, sortValues } from "./radix-sort.js";

/** The missing bin of a uint8 bin matrix. */
export const MISSING_BIN = 255;
/** Value bins per feature in a uint8 matrix (bins 0..254; 255 is missing); categories per feature, at most. */
export const MAX_BINS = 255;
/**
 * Value bins per numeric feature at most (uint16 bins). A histogram takes 16 bytes per bin and feature, and a
 * tree holds one per open leaf (64 at depth 6: 0.5 GB for 500 features at this cap, 4× uint8 bins').
 */
export const MAX_WIDE_BINS = 1024;
/** Sampled rows per bin, at least, when bins are many (wide bins need more rows than BIN_SAMPLE_ROWS). */
const SAMPLE_ROWS_PER_BIN = 64;
/**
 * Rows sorted per feature to place the thresholds. Sorting is most of the binning time; 255 quantiles are
 * placed well from 30,000 values (scikit-learn and LightGBM sample 200,000).
 */
export const BIN_SAMPLE_ROWS = 30_000;

/** The fitted binning: thresholds of feature f are thresholds[offsets[f] .. offsets[f + 1]). */
export interface BinMapper {
  thresholds: Float64Array;
  offsets: Int32Array;
  /** Categories per feature (0 = numeric). */
  categories: Int32Array;
  /**
   * The missing bin when bins are uint16 (the largest value-bin count, above MAX_BINS); absent for uint8
   * bins (MISSING_BIN), as in every model saved before wide bins.
   */
  missing?: number;
}

/** A bin matrix: uint8, or uint16 for a mapper with `missing` set. */
export type BinArray = Uint8Array | Uint16Array;

/** The bin that holds missing values (and unknown categories) under this mapper. */
export function missingBin(m: BinMapper): number {
  return m.missing ?? MISSING_BIN;
}

/** A bin matrix of `length` bins for this mapper (uint16 when its missing bin needs it). */
export function allocateBins(m: BinMapper, length: number): BinArray {
  return missingBin(m) > MISSING_BIN ? new Uint16Array(length) : new Uint8Array(length);
}

export function featureCount(m: BinMapper): number {
  return m.categories.length;
}

/** Value bins of feature f (categories for a categorical feature). */
export function binCount(m: BinMapper, f: number): number {
  return m.categories[f] > 0 ? Math.min(m.categories[f], MAX_BINS) : m.offsets[f + 1] - m.offsets[f] + 1;
}

/** Midpoints between consecutive values of an ascending array of distinct values. */
function midpoints(distinct: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, distinct.length - 1));
  for (let i = 1; i < distinct.length; i++)
    out[i - 1] = distinct[i - 1] + (distinct[i] - distinct[i - 1]) / 2;
  return out;
}

/**
 * Thresholds of one numeric column's values (no NaN; reordered): midpoints between its distinct values when
 * there are at most maxBins (found without a sort), else quantiles of the sorted values.
 */
function columnThresholds(values: Float64Array, maxBins: number): Float64Array {
  const distinct = sortedDistinct(values, maxBins);
  return distinct ? midpoints(distinct) : numericThresholds(sortValues(values), maxBins);
}

/** Thresholds from sorted distinct-value statistics of one numeric column. */
function numericThresholds(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < n && distinct <= maxBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  // At most maxBins − 1 thresholds either way.
  const out = new Float64Array(Math.max(0, Math.min(distinct, maxBins) - 1));
  let count = 0;
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) {
      if (sorted[i] !== sorted[i - 1]) out[count++] = sorted[i - 1] + (sorted[i] - sorted[i - 1]) / 2;
    }
    return out;
  }
  // Quantiles at k / maxBins (midpoint interpolation), duplicates dropped.
  for (let k = 1; k < maxBins; k++) {
    const pos = (k / maxBins) * (n - 1);
    const lo = sorted[Math.floor(pos)];
    const hi = sorted[Math.ceil(pos)];
    const t = lo + (hi - lo) / 2;
    if (count === 0 || t > out[count - 1]) out[count++] = t;
  }
  // The largest value must land in the last bin, not on a threshold.
  while (count > 0 && out[count - 1] >= sorted[n - 1]) count--;
  return out.subarray(0, count);
}

/**
 * Fits the bin mapper on the table's rows (a seeded sample of them when there are many).
 * @param maxBins - value bins per numeric feature, 2..MAX_WIDE_BINS (bins are uint16 when one gets > 255)
 */
export function fitBinMapper(
  table: ColumnTable,
  maxBins: number,
  rng: Random,
  scratch?: Int32Array,
): BinMapper {
  const n = table.nRows;
  const cap = Math.min(maxBins, MAX_WIDE_BINS);
  const sampleRows = Math.max(BIN_SAMPLE_ROWS, SAMPLE_ROWS_PER_BIN * cap);
  const sample = n > sampleRows ? sampleHead(rng, n, sampleRows, scratch) : null;
  const view = sample ? selectRows(table, sample) : table;
  const m = view.nRows;
  const p = table.columns.length;
  // Each numeric column's thresholds, joined at the end: pushing every threshold into one array took 13 of
  // the 30 ms of a 500-column mapper (this function runs once a fit, and V8 leaves its loops unoptimised).
  const perColumn: Float64Array[] = [];
  const offsets = new Int32Array(p + 1);
  const categories = Int32Array.from(table.columns, (c) => c.categories);
  // A few features at a time, read in row chunks: a strided design-matrix column is not read end to end.
  const group = Math.max(1, Math.min(p, 8));
  const buffers = Array.from({ length: group }, () => new Float64Array(m));
  for (let f0 = 0; f0 < p; f0 += group) {
    const f1 = Math.min(p, f0 + group);
    readGroup(view, categories, f0, f1, buffers);
    for (let f = f0; f < f1; f++) {
      if (categories[f] === 0) {
        const values = buffers[f - f0];
        const k = dropMissing(values);
        const thresholds = columnThresholds(values.subarray(0, k), cap);
        perColumn.push(thresholds);
        offsets[f + 1] = offsets[f] + thresholds.length;
      } else offsets[f + 1] = offsets[f];
    }
  }
  const mapper: BinMapper = { thresholds: joined(perColumn, offsets[p]), offsets, categories };
  let widest = 0;
  for (let f = 0; f < p; f++) widest = Math.max(widest, binCount(mapper, f));
  return widest > MAX_BINS ? { ...mapper, missing: widest } : mapper;
}

/** The arrays one after another in one array of `length` values. */
function joined(parts: Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/*
 * The loops over the sample's rows live in functions of their own: fitBinMapper runs once per fit, and a
 * row loop inside it made V8 compile it on stack (OSR) in every fit, tens of ms of compiler time.
 */

/** The numeric columns f0..f1−1 of the view into buffers[f − f0], read in chunks of rows. */
function readGroup(
  view: ColumnTable,
  categories: Int32Array,
  f0: number,
  f1: number,
  buffers: Float64Array[],
): void {
  const m = view.nRows;
  for (let r0 = 0; r0 < m; r0 += CHUNK_ROWS) {
    const len = Math.min(CHUNK_ROWS, m - r0);
    for (let f = f0; f < f1; f++) {
      if (categories[f] === 0) readColumn(view.columns[f], len, buffers[f - f0].subarray(r0), r0);
    }
  }
}

/** Moves the values that are not NaN to the front, in order; returns how many there are. */
function dropMissing(values: Float64Array): number {
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) values[k++] = values[i];
  return k;
}

/**
 * The first `take` entries of a seeded permutation of 0..n−1, sorted: the same draws as
 * rng.permutation(n), shuffled in `scratch` when it holds n entries (no n-entry array left to the GC).
 */
export function sampleHead(rng: Random, n: number, take: number, scratch?: Int32Array): Int32Array {
  let perm: Int32Array;
  if (scratch && scratch.length >= n) {
    perm = scratch.subarray(0, n);
    // A loop here (n steps, once per sample) made V8 compile sampleHead on stack, with the shuffle inlined.
    identity(perm);
    rng.shuffle(perm);
  } else perm = rng.permutation(n);
  return perm.slice(0, take).sort();
}

/** a[i] = i. */
function identity(a: Int32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = i;
}

// sampleHead runs a few times on a small array when the module loads (its own generator: no fit's draws
// change). A fit's first sample (in the bench, the timed 1M-row fit's, after a 2000-row warm-up fit that
// samples nothing) otherwise ran its loops with no type feedback: that first 1M-row fitBinMapper took 82 ms
// of CPU against 65 ms with this (medians of 6 alternated fresh processes, 6 of 6 faster, loaded 2-core VM).
{
  const warm = new Random(1);
  const scratch = new Int32Array(4096);
  for (let pass = 0; pass < 3; pass++) sampleHead(warm, scratch.length, 64, scratch);
}

/** Rows per chunk when reading columns: a chunk of a row-major matrix stays in cache across its columns. */
const CHUNK_ROWS = 1024;

/**
 * Feature f's thresholds padded with +∞ to 2^k − 1 entries, the fewest that hold them (k ≥ 1): its bins are
 * found in k halvings, one for a binary feature, eight for a feature of 255 bins; null for a categorical
 * feature. The bin is the number of thresholds below x, whatever the padding.
 */
function paddedThresholds(m: BinMapper, f: number): Float64Array | null {
  if (m.categories[f] > 0) return null;
  const count = m.offsets[f + 1] - m.offsets[f];
  return padThresholds(m, f, 2 ** Math.max(1, Math.ceil(Math.log2(count + 1))) - 1);
}

/** Feature f's thresholds followed by +∞ up to `length` entries. */
function padThresholds(m: BinMapper, f: number, length: number): Float64Array {
  const t = new Float64Array(length).fill(Number.POSITIVE_INFINITY);
  t.set(m.thresholds.subarray(m.offsets[f], m.offsets[f + 1]));
  return t;
}

/**
 * A numeric feature's bins by a lookup table, then a short search: a value's cell is (x − base) · scale,
 * clamped to the table and truncated; `lo[cell]` is a bin no greater than the bin of any value of that
 * cell, and `k` halvings over t (the thresholds padded with +∞) from there find it. The bins are exactly the
 * binary search's: the cell only narrows where a bin can be.
 */
export interface BinTable {
  t: Float64Array;
  lo: Uint16Array;
  base: number;
  scale: number;
  k: number;
}

/** Cells of a BinTable: 2 KB a feature, few thresholds a cell for 255 quantiles of most columns. */
const TABLE_CELLS = 1024;
/** Halvings after the lookup, at most: more and the binary search alone is as fast. */
const TABLE_HALVINGS = 3;
/**
 * Rows binned at least for BinTables: one takes ~5 µs to build, what its lookups save on ~2000 values; as few
 * as a chunk so that a small fit (the bench's 2000-row warm-up) has the table loop optimised for the next.
 */
const TABLE_MIN_ROWS = 1024;

/**
 * Feature f's BinTable, or null when one of its cells holds so many thresholds that the halvings after the
 * lookup would be more than TABLE_HALVINGS (a dense cluster among far-apart thresholds: a heavy tail).
 */
export function binTable(m: BinMapper, f: number): BinTable | null {
  const from = m.offsets[f];
  const count = m.offsets[f + 1] - from;
  if (m.categories[f] > 0 || count < 2) return null;
  const base = m.thresholds[from];
  const scale = TABLE_CELLS / (m.thresholds[from + count - 1] - base);
  // The cell never falls as x rises (each operation is monotone, rounding included; a NaN product of
  // degenerate thresholds, 0 · ∞, truncates to cell 0 with every lower value), and −0 and +0 share theirs:
  // so a threshold in a lower cell than x's is below x, and one in a higher cell above it.
  const cell = (x: number) => Math.min(Math.max((x - base) * scale, 0), TABLE_CELLS - 1) | 0;
  const perCell = new Int32Array(TABLE_CELLS);
  for (let j = 0; j < count; j++) perCell[cell(m.thresholds[from + j])]++;
  const lo = new Uint16Array(TABLE_CELLS);
  let widest = 0;
  for (let c = 0, below = 0; c < TABLE_CELLS; below += perCell[c++]) {
    lo[c] = below;
    widest = Math.max(widest, perCell[c]);
  }
  const k = Math.max(1, Math.ceil(Math.log2(widest + 1)));
  if (k > TABLE_HALVINGS) return null;
  return { t: padThresholds(m, f, count + 2 ** k), lo, base, scale, k };
}

/**
 * Values a step of the numeric binning loops (BIN_VALUES_SOURCE): their halvings interleaved, so the CPU
 * follows LANES chains of dependent loads at once instead of one. 255 thresholds, row-major 28 columns
 * (2026-12-07, alternating runs on the loaded 2-core VM): 12.8 → 6.3 ns a value (2 lanes 10.8, 4 lanes 9.1,
 * 12 and 16 lanes 7.1–7.5: registers run out).
 */
const LANES = 8;

/** `line(q)` for each of `lanes` lanes q, as source. */
function perLane(lanes: number, line: (q: number) => string): string {
  return Array.from({ length: lanes }, (_, q) => line(q)).join("\n");
}

/**
 * The halvings of a lower bound over 2^k − 1 padded thresholds t, as source, for lanes 0..lanes − 1 (value
 * v<q>, position pos<q>): the one of width 2^s adds 2^s to pos<q> when t[pos<q> + 2^s − 1] < v<q>, for s =
 * k − 1 down to 0; as the cases k..1 of a switch when `cases`.
 */
function halvings(k: number, cases: boolean, lanes: number): string {
  return Array.from({ length: k }, (_, j) => {
    const s = k - 1 - j;
    const step = perLane(lanes, (q) => `pos${q} += +(t[pos${q} + ${2 ** s - 1}] < v${q}) << ${s};`);
    return cases ? `${s === 0 ? "default" : `case ${s + 1}`}: ${step}` : step;
  }).join("\n");
}

/**
 * A numeric binning loop, as source: LANES values a step, then the rest one at a time, each value's bin the
 * position its halvings (`steps(lanes)`) leave, or missing for NaN.
 */
function laneLoops(steps: (lanes: number) => string, start: (q: number) => string = () => "0"): string {
  return `let i = 0;
  for (; i + ${LANES} <= n; i += ${LANES}) {
    ${perLane(LANES, (q) => `const v${q} = x[at + (i + ${q}) * inStride];\nlet pos${q} = ${start(q)};`)}
    ${steps(LANES)}
    ${perLane(LANES, (q) => `out[outAt + (i + ${q}) * outStride] = Number.isNaN(v${q}) ? missing : pos${q};`)}
  }
  for (; i < n; i++) {
    const v0 = x[at + i * inStride];
    let pos0 = ${start(0)};
    ${steps(1)}
    out[outAt + i * outStride] = Number.isNaN(v0) ? missing : pos0;
  }`;
}

/**
 * The binning loop, as source: out[outAt + i · outStride] = the bin of x[at + i · inStride] for i in [0, n), for
 * a numeric feature's padded thresholds t (paddedThresholds) or table t (binTable) or, when t is null, a
 * categorical feature of k categories (missing, negative, non-integer and unknown codes are all missing). One
 * copy of the code for this thread (binValues) and the workers (BIN_TASK), so a bin never depends on the
 * thread that made it.
 */
const BIN_VALUES_SOURCE = `(() => {
  const categorical = (x, at, n, k, missing, out, outAt, outStride, inStride) => {
    for (let i = 0; i < n; i++) {
      const v = x[at + i * inStride];
      out[outAt + i * outStride] = v >= 0 && v < k && Number.isInteger(v) ? v : missing;
    }
  };
  // Wide bins: log2(t.length + 1) halvings of the window, in a loop.
  const wide = (x, at, n, t, missing, out, outAt, outStride, inStride) => {
    const top = (t.length + 1) >>> 1;
    for (let i = 0; i < n; i++) {
      const v = x[at + i * inStride];
      let pos = 0;
      for (let s = top; s > 0; s >>>= 1) pos += +(t[pos + s - 1] < v) * s;
      out[outAt + i * outStride] = Number.isNaN(v) ? missing : pos;
    }
  };
  // 255 thresholds (uint8 bins): eight halvings of the 256-wide window, unrolled. +(a < b) is 0 or 1 without
  // a branch.
  const full = (x, at, n, t, missing, out, outAt, outStride, inStride) => {
    ${laneLoops((lanes) => halvings(8, false, lanes))}
  };
  // Fewer: k = log2(t.length + 1) halvings, entered at the k-th case (the switch goes the same way every time).
  const fewer = (x, at, n, t, missing, out, outAt, outStride, inStride) => {
    const k8 = 31 - Math.clz32(t.length + 1);
    ${laneLoops((lanes) => `switch (k8) {\n${halvings(7, true, lanes)}\n}`)}
  };
  // A BinTable's lookup, then its k halvings (at most ${TABLE_HALVINGS}).
  const table = (x, at, n, b, missing, out, outAt, outStride, inStride) => {
    const { t, lo, base, scale, k } = b;
    const last = lo.length - 1;
    ${laneLoops(
      (lanes) => `switch (k) {\n${halvings(TABLE_HALVINGS, true, lanes)}\n}`,
      (q) => `lo[Math.min(Math.max((v${q} - base) * scale, 0), last) | 0]`,
    )}
  };
  // Every case of fewer's and table's switches, and the loops of fewer, full and table, run on a few made-up
  // values, so that each has type feedback before V8 optimises the function: a case that a 2000-row fit never took (a feature
  // with more distinct values in the next fit) had none, and its optimised code (compiled on stack, and
  // entered again at each call) gave up there at every call ("insufficient type feedback"): up to 24 times in
  // customers' first 2-thread fit after a 2000-row one, which spent 31 ms of this thread in fewer. Several steps of
  // the lanes' loop, and twice: V8 gives a function its feedback vector only after it has run a while (lazy
  // feedback allocation), and what runs before records nothing (one call of one step left both loops without
  // feedback). The values are not integers, so the feedback is of numbers, not of small integers.
  {
    const x = new Float64Array(${8 * LANES + 1}).fill(0.5);
    const out = new Uint8Array(x.length);
    const t = new Float64Array(255).fill(Number.POSITIVE_INFINITY);
    t[0] = 0.25;
    for (let pass = 0; pass < 2; pass++) {
      fewer(x, 0, x.length, t.subarray(0, 127), 0, out, 0, 1, 1);
      full(x, 0, x.length, t, 0, out, 0, 1, 1);
      table(x, 0, x.length, { t, lo: new Uint16Array(4), base: 0, scale: 1, k: ${TABLE_HALVINGS} }, 0, out, 0, 1, 1);
    }
  }
  // Each loop a function of its own: V8 compiles each when it is first hot, not all of them at once.
  return (x, at, n, t, k, missing, out, outAt, outStride, inStride) => {
    if (t === null) categorical(x, at, n, k, missing, out, outAt, outStride, inStride);
    else if (!(t instanceof Float64Array)) table(x, at, n, t, missing, out, outAt, outStride, inStride);
    else if (t.length > 255) wide(x, at, n, t, missing, out, outAt, outStride, inStride);
    else if (t.length === 255) full(x, at, n, t, missing, out, outAt, outStride, inStride);
    else fewer(x, at, n, t, missing, out, outAt, outStride, inStride);
  };
})()`;

type BinValues = (
  x: Float64Array,
  at: number,
  n: number,
  t: Float64Array | BinTable | null,
  k: number,
  missing: number,
  out: BinArray,
  outAt: number,
  outStride: number,
  inStride: number,
) => void;

/** BIN_VALUES_SOURCE on this thread (a constant source; no input of any user reaches it). */
const binValues = new Function(`return ${BIN_VALUES_SOURCE}`)() as BinValues;

/** Categories of feature f as binValues takes them (at most MAX_BINS; 0 for a numeric feature). */
function categoryBins(m: BinMapper, f: number): number {
  return Math.min(m.categories[f], MAX_BINS);
}

/** Bins one column into out[i · stride + offset] for rows [from, from + n); t as binRows' `padded`. */
function binColumn(
  c: ColumnView,
  m: BinMapper,
  f: number,
  t: Float64Array | BinTable | null,
  n: number,
  buf: Float64Array,
  out: BinArray,
  stride: number,
  offset: number,
  from: number,
): void {
  readColumn(c, n, buf, from);
  binValues(buf, 0, n, t, categoryBins(m, f), missingBin(m), out, offset, stride, 1);
}

/**
 * Bins rows [from, from + n) of a table into a row-major matrix (n rows of `stride` bins; allocateBins).
 * @param out - reused when given (length ≥ n · stride, uint16 for a wide mapper)
 * @param threads - threads to bin on, this one included, when out is in shared memory (binRowsOnThreads)
 */
export function binRows<T extends BinArray = BinArray>(
  m: BinMapper,
  table: ColumnTable,
  from = 0,
  n = table.nRows,
  out?: T,
  stride = table.columns.length,
  threads = 1,
): T {
  const p = table.columns.length;
  const bins = out ?? (allocateBins(m, n * stride) as T);
  // Built once, not per chunk: a million rows would otherwise leave ~30 MB of small arrays to the GC.
  const tables = n >= TABLE_MIN_ROWS;
  const padded = Array.from({ length: p }, (_, f) => (tables && binTable(m, f)) || paddedThresholds(m, f));
  if (threads > 1 && bins.buffer instanceof SharedArrayBuffer) {
    binRowsOnThreads(m, table, from, n, bins, stride, padded, threads);
    return bins;
  }
  const rowMajor = rowMajorOf(table);
  if (rowMajor) {
    binRowMajor(m, table, rowMajor, from, n, bins, stride, padded);
    return bins;
  }
  const buf = new Float64Array(Math.min(n, CHUNK_ROWS));
  for (let r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
    const len = Math.min(CHUNK_ROWS, n - r0);
    const part = bins.subarray(r0 * stride);
    for (let f = 0; f < p; f++) {
      binColumn(table.columns[f], m, f, padded[f], len, buf, part, stride, f, from + r0);
    }
  }
  return bins;
}

/** Rows of a design matrix behind a table: row i's values at values[p · (rows ? rows[i] : i) + j]. */
interface RowMajor {
  values: Float64Array;
  rows: Int32Array | null;
}

/**
 * The design matrix (and row index) behind a table whose columns all read one matrix of p columns through
 * one row index, without remapping (matrixTable's and its selectRows views), else null.
 */
function rowMajorOf(table: ColumnTable): RowMajor | null {
  const p = table.columns.length;
  const first = table.columns[0];
  const values = first?.values;
  if (!(values instanceof Float64Array)) return null;
  const same = table.columns.every(
    (c) => c.values === values && c.rows === first.rows && c.stride === p && !c.remap,
  );
  return same ? { values, rows: first.rows } : null;
}

/** Bytes of gathered rows binned at once (a block stays in cache across its columns). */
const BLOCK_BYTES = 1 << 18;

/**
 * binRows' loop on a design matrix: its rows read in place (or, through a row index, a block of them
 * gathered first), each column p values apart; no column is copied out.
 */
function binRowMajor(
  m: BinMapper,
  table: ColumnTable,
  source: RowMajor,
  from: number,
  n: number,
  bins: BinArray,
  stride: number,
  padded: Array<Float64Array | BinTable | null>,
): void {
  const p = table.columns.length;
  const { values, rows } = source;
  const chunk = Math.max(16, Math.min(CHUNK_ROWS, Math.floor(BLOCK_BYTES / (8 * p))));
  const block = rows ? new Float64Array(Math.min(n, chunk) * p) : values;
  const missing = missingBin(m);
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const len = Math.min(chunk, n - r0);
    if (rows) gatherRows(values, p, rows, from + r0, len, block);
    const at = rows ? 0 : (from + r0) * p;
    for (let f = 0; f < p; f++) {
      const c = table.columns[f];
      binValues(
        block,
        at + c.offset,
        len,
        padded[f],
        categoryBins(m, f),
        missing,
        bins,
        r0 * stride + f,
        stride,
        p,
      );
    }
  }
}

/** Rows rows[from..from + len) of a matrix of p columns into out, one after another. */
function gatherRows(
  values: Float64Array,
  p: number,
  rows: Int32Array,
  from: number,
  len: number,
  out: Float64Array,
): void {
  for (let i = 0; i < len; i++) {
    const a = rows[from + i] * p;
    const o = i * p;
    for (let j = 0; j < p; j++) out[o + j] = values[a + j];
  }
}

/*
 * Binning on the workers. The input table is the caller's (not in shared memory, and copying a million rows
 * of it whole would add its size to the fit's peak memory), so this thread stages it a chunk of rows at a
 * time into a small shared buffer, and every thread bins a share of the chunk's rows into the shared bins.
 * A design matrix's rows are copied as they are (one memcpy: 15 ms for 1M × 28); other column views are
 * read column by column (readColumn, as binColumn). The lookups, 90% of binRows' time, run in parallel.
 */

/** Bytes of raw values staged at once: small against the bins and the input, and cache-sized. */
const STAGE_BYTES = 2 << 20;
/**
 * Units a staged chunk is cut into (taken from a shared counter, so a loaded thread takes fewer). This thread
 * waits at each chunk's end for the worker's last unit, which in a fit's first binning on the threads is the
 * worker's code running unoptimised, or a worker the loaded machine left waiting for a core: customers' first
 * 2-thread fit after a 2000-row one (2026-12-07, 6 alternating runs at load 4–5 on the 2-core VM, medians)
 * spent 72 ms in binRows with 8 units (about 1200 rows of 28 features each), 53 ms with 32.
 */
const STAGE_UNITS = 32;

/**
 * The workers' task, as source (a constant; no input of any user reaches it): args = (first row of the
 * chunk, its rows); take units u from data.next until STAGE_UNITS and bin the u-th share of the chunk's rows
 * for every feature. data.rowMajor: the stage holds rows of p values, else p columns of data.stageRows.
 */
const BIN_TASK_OF = `(binValues) => (data, args) => {
  const { stage, padded, cats, out, stride, p, stageRows, rowMajor, missing, next } = data;
  const r0 = args[0];
  const len = args[1];
  for (let u = Atomics.add(next, 0, 1); u < ${STAGE_UNITS}; u = Atomics.add(next, 0, 1)) {
    const from = Math.floor((u * len) / ${STAGE_UNITS});
    const n = Math.floor(((u + 1) * len) / ${STAGE_UNITS}) - from;
    for (let f = 0; f < p; f++) {
      const outAt = (r0 + from) * stride + f;
      // A staged row-major chunk is read in place, p values apart.
      if (rowMajor) binValues(stage, from * p + f, n, padded[f], cats[f], missing, out, outAt, stride, p);
      else binValues(stage, f * stageRows + from, n, padded[f], cats[f], missing, out, outAt, stride, 1);
    }
  }
}`;
const BIN_TASK = `(${BIN_TASK_OF})(${BIN_VALUES_SOURCE})`;

/**
 * BIN_TASK on this thread, over this thread's binValues (binRows' own loop on one thread): a fit's first
 * binning on the threads then runs code that a smaller fit's binning has already optimised. With a copy of
 * its own, customers' first 2-thread fit after a 2000-row one spent 130 ms in binRows (interpreting it until
 * V8 compiled it on stack) against 17 ms in the next fit.
 */
const binTask = new Function(`return ${BIN_TASK_OF}`)()(binValues) as (
  data: object,
  args: ArrayLike<number>,
) => void;

/** The row-major matrix behind a table of plain design-matrix columns (matrixTable's), else null. */
function designMatrixOf(table: ColumnTable): Float64Array | null {
  const p = table.columns.length;
  const values = table.columns[0]?.values;
  if (!(values instanceof Float64Array)) return null;
  const plain = table.columns.every(
    (c, j) => c.values === values && c.rows === null && !c.remap && c.stride === p && c.offset === j,
  );
  return plain ? values : null;
}

/** binRows' loop, the chunks staged here and binned on `threads` threads (see BIN_TASK). */
function binRowsOnThreads(
  m: BinMapper,
  table: ColumnTable,
  from: number,
  n: number,
  out: BinArray,
  stride: number,
  padded: Array<Float64Array | BinTable | null>,
  threads: number,
): void {
  const p = table.columns.length;
  const matrix = designMatrixOf(table);
  const stageRows = Math.max(STAGE_UNITS, Math.floor(STAGE_BYTES / (8 * p)));
  const data = {
    stage: new Float64Array(new SharedArrayBuffer(8 * stageRows * p)),
    padded,
    cats: Int32Array.from({ length: p }, (_, f) => categoryBins(m, f)),
    out,
    stride,
    p,
    stageRows,
    rowMajor: matrix !== null,
    missing: missingBin(m),
    next: new Int32Array(new SharedArrayBuffer(4)),
  };
  const crew = leaseCrew(threads - 1, BIN_TASK, () => data);
  try {
    for (let r0 = 0; r0 < n; r0 += stageRows) {
      const len = Math.min(stageRows, n - r0);
      stageChunk(table, matrix, from + r0, len, data.stage, stageRows);
      Atomics.store(data.next, 0, 0);
      const args = [r0, len];
      // A worker still starting is left out: this thread takes its units (Crew.serving). The units come from
      // a shared counter, so a worker that has not begun when this thread has taken them all is withdrawn,
      // not waited for (its wake-up: Crew.runAll's shared).
      crew.runAll(
        (k) => (crew.serving(k) ? args : null),
        () => binTask(data, args),
        true,
      );
    }
  } finally {
    crew.close();
  }
}

/** Rows [r0, r0 + len) of the table into the stage: as rows of the design matrix, else as columns. */
function stageChunk(
  table: ColumnTable,
  matrix: Float64Array | null,
  r0: number,
  len: number,
  stage: Float64Array,
  stageRows: number,
): void {
  const p = table.columns.length;
  if (matrix) {
    stage.set(matrix.subarray(r0 * p, (r0 + len) * p));
    return;
  }
  for (let f = 0; f < p; f++) readColumn(table.columns[f], len, stage.subarray(f * stageRows), r0);
}

/** The raw threshold of a numeric split at bin b (x ≤ threshold goes left); for reports and tests. */
export function thresholdOf(m: BinMapper, f: number, b: number): number {
  const k = m.offsets[f] + b;
  return k < m.offsets[f + 1] ? m.thresholds[k] : Number.POSITIVE_INFINITY;
}
