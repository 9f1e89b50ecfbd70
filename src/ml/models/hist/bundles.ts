/**
 * Exclusive feature bundling (Ke et al., "LightGBM", NeurIPS 2017, section 4) for the histogram GBDT's
 * histogram builds. After binning, features whose non-default bins (default: the feature's most frequent bin)
 * never occur in the same row are merged into one column of a compact bin matrix: bundle bin 0 is "every
 * member at its default", and member f's other bins follow those of the members before it. Only features
 * without missing values are bundled, and only with zero conflicts, so the bundled column says exactly which
 * bin each member is in. One-hot groups (44 of cover-54's 54 columns: 40 soil types, 4 wilderness areas)
 * become one column each.
 *
 * Histograms are built on the compact matrix (fewer bin updates per row) and expanded into the per-feature
 * layout everything else uses: member f's non-default bins are copied from its bundle's, and its default bin
 * is the sum of the bundle's other bins (of the rows where f is at its default). Partitions, split scans,
 * trees and prediction stay on the original features, so the model format is unchanged; the default bins
 * are summed in another order than a direct build, so sums can differ from it in the last bits.
 *
 * The bundles depend on the bins only: the same for any thread count.
 */
import { MAX_BINS, MISSING_BIN } from "./binning.js";
import { rowStride } from "./histogram.js";

/** Int32 words per feature in a bundling's plan (see Bundling.plan). */
export const PLAN_WORDS = 5;
/**
 * Bundling is used only when it leaves at most this fraction of the row stride: customers (28 → 20 bytes)
 * fitted no faster with it (1.53–1.74 s against 1.60–2.07 s CPU), cover-54 (56 → 12) 1.5–1.9× faster.
 */
const MAX_STRIDE_KEPT = 0.5;
/** A feature is a candidate when at most this fraction of rows is off its default bin. */
const MAX_DENSITY = 0.5;
/** Bundles tried per feature, at most (LightGBM caps its search too); beyond them a feature stays alone. */
const MAX_BUNDLES = 64;
/** Rows of the first pass that screens out dense features cheaply. */
const SCREEN_ROWS = 10_000;

/** How a fit's features are bundled into the columns of a compact bin matrix. */
export interface Bundling {
  /** Columns of the compact matrix: bundles and unbundled features, in order of their first feature. */
  columns: number;
  /** Bytes per row of the compact matrix (rowStride(columns)). */
  stride: number;
  /** Per column: the bins rows can reach (a bundle's, bin 0 included; an unbundled feature's value bins). */
  columnBins: Int32Array;
  /**
   * Per original feature f, PLAN_WORDS words from PLAN_WORDS · f: its column, its default bin (−1 when it is
   * alone in its column: a plain copy), the bundle bin of its first non-default bin, its value bins, and its
   * bundle's bins.
   */
  plan: Int32Array;
  /** The features of each bundle of two or more, ascending. */
  bundles: number[][];
}

/**
 * The bundles of a uint8 bin matrix (n rows of `stride` bins, p features), or null when bundling would not
 * save enough of the row stride.
 * @param binCounts - value bins per feature (binCount)
 */
export function findBundles(
  bins: Uint8Array,
  n: number,
  stride: number,
  p: number,
  binCounts: Int32Array,
): Bundling | null {
  if (n === 0 || p < 2) return null;
  // A cheap screen on the first rows: features dense there are not candidates.
  const screen = Math.min(n, SCREEN_ROWS);
  let candidates = screenFeatures(bins, screen, stride, p, binCounts);
  if (candidates.length < 2) return null;
  const defaults = new Int32Array(p).fill(-1);
  const nonDefault = new Int32Array(p);
  const counts = new Int32Array(MISSING_BIN + 1);
  candidates = candidates.filter((f) => {
    countBins(bins, n, stride, f, counts);
    if (counts[MISSING_BIN] > 0) return false;
    const d = mostFrequent(counts);
    defaults[f] = d;
    nonDefault[f] = n - counts[d];
    return nonDefault[f] <= MAX_DENSITY * n;
  });
  // Candidates off their default in one row share no bundle, so no bundling has fewer columns than this.
  const fewest = p - candidates.length + busiestRow(bins, screen, stride, candidates, defaults);
  if (candidates.length < 2 || rowStride(fewest) > MAX_STRIDE_KEPT * stride) return null;
  // Densest first (LightGBM's order), ties by feature.
  candidates.sort((a, b) => nonDefault[b] - nonDefault[a] || a - b);
  const groups: Array<{ features: number[]; bins: number; taken: Uint8Array }> = [];
  const rowsOf = new Int32Array(n);
  for (const f of candidates) {
    const m = offDefaultRows(bins, n, stride, f, defaults[f], rowsOf);
    const extra = binCounts[f] - 1;
    let home = groups.find((g) => g.bins + extra <= MAX_BINS && !conflicts(g.taken, rowsOf, m));
    if (!home) {
      if (groups.length >= MAX_BUNDLES) continue;
      home = { features: [], bins: 1, taken: new Uint8Array(n) };
      groups.push(home);
    }
    home.features.push(f);
    home.bins += extra;
    for (let k = 0; k < m; k++) home.taken[rowsOf[k]] = 1;
  }
  const bundles = groups.filter((g) => g.features.length > 1).map((g) => g.features.sort((a, b) => a - b));
  const bundleOf = new Int32Array(p).fill(-1);
  bundles.forEach((b, k) => {
    for (const f of b) bundleOf[f] = k;
  });
  let columns = 0;
  const columnOfBundle = new Int32Array(bundles.length).fill(-1);
  const plan = new Int32Array(PLAN_WORDS * p);
  const columnBins: number[] = [];
  const nextBin: number[] = [];
  for (let f = 0; f < p; f++) {
    const k = bundleOf[f];
    const q = PLAN_WORDS * f;
    if (k < 0) {
      plan.set([columns, -1, 0, binCounts[f], binCounts[f]], q);
      columnBins.push(Math.min(binCounts[f], MISSING_BIN));
      nextBin.push(0);
      columns++;
      continue;
    }
    if (columnOfBundle[k] < 0) {
      columnOfBundle[k] = columns++;
      columnBins.push(1 + bundles[k].reduce((s, g) => s + binCounts[g] - 1, 0));
      nextBin.push(1);
    }
    const c = columnOfBundle[k];
    plan.set([c, defaults[f], nextBin[c], binCounts[f], columnBins[c]], q);
    nextBin[c] += binCounts[f] - 1;
  }
  const bundled = rowStride(columns);
  if (bundles.length === 0 || bundled > MAX_STRIDE_KEPT * stride) return null;
  return { columns, stride: bundled, columnBins: Int32Array.from(columnBins), plan, bundles };
}

/** Features whose first `n` rows are mostly at one bin, none missing, with two or more value bins. */
function screenFeatures(
  bins: Uint8Array,
  n: number,
  stride: number,
  p: number,
  binCounts: Int32Array,
): number[] {
  const out: number[] = [];
  const counts = new Int32Array(MISSING_BIN + 1);
  for (let f = 0; f < p; f++) {
    if (binCounts[f] < 2 || binCounts[f] > MAX_BINS) continue;
    countBins(bins, n, stride, f, counts);
    if (counts[MISSING_BIN] > 0) continue;
    if (n - counts[mostFrequent(counts)] <= MAX_DENSITY * n) out.push(f);
  }
  return out;
}

/*
 * The loops over all rows live in functions of their own, which the screen and every fit share: findBundles
 * runs once a fit, and its own loops (and its filter's, a closure made per call) ran unoptimised in the first
 * fit with many rows after smaller ones, until V8 compiled them on stack (customers' first 2-thread fit after
 * a 2000-row one: 18–24 ms in findBundles against 8 ms in the next fit).
 */

/** counts[b] = how many of the first n rows have feature f at bin b. */
function countBins(bins: Uint8Array, n: number, stride: number, f: number, counts: Int32Array): void {
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[bins[i * stride + f]]++;
}

/** The rows of the first n whose feature f is not at bin d, into rowsOf (ascending); returns how many. */
function offDefaultRows(
  bins: Uint8Array,
  n: number,
  stride: number,
  f: number,
  d: number,
  rowsOf: Int32Array,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    rowsOf[m] = i;
    m += +(bins[i * stride + f] !== d);
  }
  return m;
}

/** The most candidates off their default bin in one row, of the first n rows. */
function busiestRow(
  bins: Uint8Array,
  n: number,
  stride: number,
  candidates: number[],
  defaults: Int32Array,
): number {
  const off = new Int32Array(n);
  for (const f of candidates) {
    const d = defaults[f];
    for (let i = 0; i < n; i++) off[i] += +(bins[i * stride + f] !== d);
  }
  let most = 0;
  for (let i = 0; i < n; i++) most = Math.max(most, off[i]);
  return most;
}

/** The bin with the most rows (the lowest such bin). */
function mostFrequent(counts: Int32Array): number {
  let best = 0;
  for (let b = 1; b < counts.length; b++) if (counts[b] > counts[best]) best = b;
  return best;
}

/** Whether any of rows[0..m) is already taken. */
function conflicts(taken: Uint8Array, rows: Int32Array, m: number): boolean {
  for (let k = 0; k < m; k++) if (taken[rows[k]] !== 0) return true;
  return false;
}

/**
 * The compact bin matrix (n rows of bundling.stride bytes) of a uint8 bin matrix, into `out` when given:
 * an unbundled feature's bin as it is, a bundle's member f at bin b ≠ its default d as bundle bin
 * first_f + b − (b > d), 0 when every member is at its default.
 */
export function bundleBins(
  bins: Uint8Array,
  n: number,
  stride: number,
  b: Bundling,
  out: Uint8Array = new Uint8Array(n * b.stride),
): Uint8Array {
  const { plan } = b;
  const bs = b.stride;
  out.fill(0, 0, n * bs);
  for (let f = 0; f < plan.length / PLAN_WORDS; f++) {
    const q = PLAN_WORDS * f;
    const c = plan[q];
    const d = plan[q + 1];
    if (d < 0) {
      for (let i = 0; i < n; i++) out[i * bs + c] = bins[i * stride + f];
      continue;
    }
    const first = plan[q + 2];
    for (let i = 0; i < n; i++) {
      const v = bins[i * stride + f];
      if (v !== d) out[i * bs + c] = first + v - +(v > d);
    }
  }
  return out;
}

/**
 * The expansion of bundles, as source (run on this thread and compiled into the worker threads' task): the
 * members among features [from, to) of the compact histogram src (column c's bin b at srcAt + c · srcCells
 * + 2b) into the plain layout of dst (feature f's bin b at dstAt + f · cells + 2b; the missing bin at
 * 2 · missing), or added to it when `add`; unbundled features are left to copySpans. A member's non-default
 * bins are copied from its bundle's; its default bin is the sum of the bundle's other bins, as P(first) +
 * (T − P(last)), with P the bundle's running prefix sums and T its total: one pass over a bundle for all its
 * members (taken in order), and exactly zero when those bins are empty (P(last) then sums the same cells as
 * T), never negative for hessians. A member's missing bin is zero (members have no missing values).
 */
export const EXPAND_SOURCE = `(dst, dstAt, cells, src, srcAt, srcCells, plan, from, to, missing, add) => {
  const last = Math.min(to, plan.length / ${PLAN_WORDS});
  const m = 2 * missing;
  let s = -1;
  let pos = 0;
  let pg = 0;
  let ph = 0;
  let tg = 0;
  let th = 0;
  for (let f = from; f < last; f++) {
    const q = ${PLAN_WORDS} * f;
    const d = plan[q + 1];
    if (d < 0) continue;
    const first = plan[q + 2];
    const nb = plan[q + 3];
    const column = srcAt + plan[q] * srcCells;
    if (column !== s || first < pos) {
      s = column;
      pos = 0;
      pg = 0;
      ph = 0;
      tg = 0;
      th = 0;
      const end = s + 2 * plan[q + 4];
      for (let k = s; k < end; k += 2) {
        tg += src[k];
        th += src[k + 1];
      }
    }
    for (; pos < first; pos++) {
      pg += src[s + 2 * pos];
      ph += src[s + 2 * pos + 1];
    }
    const g0 = pg;
    const h0 = ph;
    for (; pos < first + nb - 1; pos++) {
      pg += src[s + 2 * pos];
      ph += src[s + 2 * pos + 1];
    }
    const g = g0 + (tg - pg);
    const h = h0 + (th - ph);
    const o = dstAt + f * cells;
    for (let b = 0; b < nb; b++) {
      const at = s + 2 * (first + b - (b > d ? 1 : 0));
      const vg = b === d ? g : src[at];
      const vh = b === d ? h : src[at + 1];
      if (add) {
        dst[o + 2 * b] += vg;
        dst[o + 2 * b + 1] += vh;
      } else {
        dst[o + 2 * b] = vg;
        dst[o + 2 * b + 1] = vh;
      }
    }
    if (!add) {
      dst[o + m] = 0;
      dst[o + m + 1] = 0;
    }
  }
}`;

/**
 * A partition by feature f as one by a column of the compact matrix: f's column, and the side of each of its
 * bins (a member's bundle bins off f's range are rows at f's default bin). The same rows go left.
 * @param sides - 1 for each bin of f the split sends left (missing bin included)
 */
export function bundledCut(b: Bundling, f: number, sides: Uint8Array): { column: number; sides: Uint8Array } {
  const q = PLAN_WORDS * f;
  const d = b.plan[q + 1];
  if (d < 0) return { column: b.plan[q], sides };
  const first = b.plan[q + 2];
  const nb = b.plan[q + 3];
  const out = new Uint8Array(sides.length).fill(sides[d]);
  for (let k = 0; k < nb - 1; k++) out[first + k] = sides[k < d ? k : k + 1];
  return { column: b.plan[q], sides: out };
}

/**
 * The cells the expansion copies as they are (unbundled features' value bins and missing bins), four words
 * per feature of the stride (two [from, to) pairs; empty for members and padding), in the region layout
 * (`regionCells` per column) and in the plain layout (`cells` per feature), index for index.
 */
export function copySpans(
  b: Bundling,
  reach: Int32Array,
  stride: number,
  regionCells: number,
  cells: number,
  missing: number,
): { region: Int32Array; plain: Int32Array } {
  const region = new Int32Array(4 * stride);
  const plain = new Int32Array(4 * stride);
  for (let f = 0; f < b.plan.length / PLAN_WORDS; f++) {
    if (b.plan[PLAN_WORDS * f + 1] >= 0) continue;
    const c = b.plan[PLAN_WORDS * f] * regionCells;
    const o = f * cells;
    region.set([c, c + 2 * reach[f], c + 2 * missing, c + 2 * missing + 2], 4 * f);
    plain.set([o, o + 2 * reach[f], o + 2 * missing, o + 2 * missing + 2], 4 * f);
  }
  return { region, plain };
}

/** EXPAND_SOURCE on this thread (compiled from the same constant source as the workers'). */
export const expandBundles = new Function(`return ${EXPAND_SOURCE}`)() as (
  dst: Float64Array,
  dstAt: number,
  cells: number,
  src: Float64Array,
  srcAt: number,
  srcCells: number,
  plan: Int32Array,
  from: number,
  to: number,
  missing: number,
  add: boolean,
) => void;
