/**
 * Grows one histogram tree on binned rows. Depth-wise (XGBoost's default: every leaf of a level is split)
 * or leaf-wise (LightGBM's and scikit-learn's: the leaf with the largest gain next), until maxDepth,
 * maxLeaves or no split gains more than minSplitGain. The node's rows are a contiguous range of `rows`,
 * partitioned stably at each split (rows stay ascending, so memory is read in order).
 */
import type { Random } from "../../random.js";
import { type BinArray, MISSING_BIN } from "./binning.js";
import { FLAG_CATEGORICAL, FLAG_DEFAULT_LEFT, type ForestBuilder } from "./forest.js";
import { buildHistogram, type HistogramPool, histStrideOf, subtractHistogram } from "./histogram.js";
import { emptySplit, findBestSplit, type Split, type SplitRules } from "./split.js";

export type GrowPolicy = "depthwise" | "lossguide";

export interface GrowParams extends SplitRules {
  policy: GrowPolicy;
  maxDepth: number;
  maxLeaves: number;
  minSplitGain: number;
  /** Fraction of the tree's features examined at each node (colsample_bynode). */
  colsampleByNode: number;
}

/** The data a tree is grown on. `rows[0..nRows)` are the sampled rows; the array is reordered in place. */
export interface GrowData {
  /** n × stride bins (rowStride(p)), uint8 or uint16 (a wide bin mapper). */
  bins: BinArray;
  stride: number;
  /**
   * The same bins column-major (p × n), so a split reads one feature of the node's rows in address order;
   * null for large data, where the copy's memory matters more (partitions then read the row-major bins).
   */
  columns: BinArray | null;
  gh: Float64Array;
  rows: Int32Array;
  nRows: number;
  binCounts: Int32Array;
  categories: Int32Array;
  /** Features this tree may use. */
  features: Int32Array;
  /** Builds a node's histogram (the worker pool replaces the single-thread builder). */
  build?: (rows: Int32Array, start: number, end: number, hist: Float64Array) => void;
  /** The histogram cells rows can reach (reachableBins); the others stay zero and are skipped. */
  reach?: Int32Array;
  /** The same cells as [from, to) pairs (reachableSpans). */
  spans?: Int32Array;
  /** The missing bin (missingBin; MISSING_BIN when absent): histograms have histStrideOf(missing) cells a feature. */
  missing?: number;
  /** Partitions rows[start..end) by feature f and the bins it sends left (the WebAssembly kernel's). */
  partition?: (start: number, end: number, f: number, sides: Uint8Array) => number;
}

/** A finished leaf: its node, its rows rows[start..end) and its gradient sums. */
export interface Leaf {
  node: number;
  start: number;
  end: number;
  g: number;
  h: number;
}

interface Open {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array | null;
  split: Split | null;
}

export interface GrowResult {
  leaves: Leaf[];
  /** Gain per feature (for importance). */
  gains: Array<[number, number]>;
}

/** Grows a tree into `forest`; the caller sets leaf values from the returned leaves. */
export function growTree(
  data: GrowData,
  params: GrowParams,
  forest: ForestBuilder,
  pool: HistogramPool,
  scratch: Int32Array,
  rng: Random,
): GrowResult {
  const { stride, features } = data;
  const missing = data.missing ?? MISSING_BIN;
  const build =
    data.build ??
    ((rows: Int32Array, from: number, to: number, h: Float64Array) =>
      buildHistogram(data.bins, stride, data.gh, rows, from, to, h, histStrideOf(missing)));
  const leaves: Leaf[] = [];
  const gains: Array<[number, number]> = [];
  const root: Open = {
    node: forest.addRoot(),
    start: 0,
    end: data.nRows,
    depth: 0,
    g: 0,
    h: 0,
    hist: pool.take(),
    split: null,
  };
  build(data.rows, 0, data.nRows, root.hist as Float64Array);
  sumNode(root, root.hist as Float64Array, features[0], missing, data.reach);
  const canSplit = (o: Open) =>
    o.depth < params.maxDepth &&
    o.end - o.start >= 2 * Math.max(1, params.minSamplesLeaf) &&
    o.h >= 2 * params.minChildWeight;
  const findSplit = (o: Open) => {
    o.split = emptySplit();
    const fs = params.colsampleByNode < 1 ? sampleFeatures(features, params.colsampleByNode, rng) : features;
    findBestSplit(
      o.hist as Float64Array,
      fs,
      data.binCounts,
      data.categories,
      { g: o.g, h: o.h, count: o.end - o.start },
      params,
      o.split,
      missing,
    );
  };
  const finish = (o: Open) => {
    leaves.push({ node: o.node, start: o.start, end: o.end, g: o.g, h: o.h });
    pool.give(o.hist);
    o.hist = null;
  };
  const open: Open[] = [];
  if (canSplit(root)) {
    findSplit(root);
    open.push(root);
  } else finish(root);
  let leafCount = 1;
  while (open.length > 0) {
    const o = open.splice(pickNext(open, params.policy), 1)[0];
    const s = o.split as Split;
    if (s.feature < 0 || s.gain <= params.minSplitGain || leafCount >= params.maxLeaves) {
      finish(o);
      continue;
    }
    const nLeft = partition(data, o.start, o.end, s, scratch);
    const flags = (s.defaultLeft ? FLAG_DEFAULT_LEFT : 0) | (s.categorical ? FLAG_CATEGORICAL : 0);
    const leftNode = forest.split(o.node, s.feature, s.bin, flags, s.categorical ? s.catBits : null);
    gains.push([s.feature, s.gain]);
    leafCount++;
    const mid = o.start + nLeft;
    const left: Open = {
      node: leftNode,
      start: o.start,
      end: mid,
      depth: o.depth + 1,
      g: s.gL,
      h: s.hL,
      hist: null,
      split: null,
    };
    const right: Open = {
      node: leftNode + 1,
      start: mid,
      end: o.end,
      depth: o.depth + 1,
      g: s.gR,
      h: s.hR,
      hist: null,
      split: null,
    };
    if (!canSplit(left) && !canSplit(right)) {
      pool.give(o.hist);
      finish(left);
      finish(right);
      continue;
    }
    const [small, large] = mid - o.start <= o.end - mid ? [left, right] : [right, left];
    small.hist = pool.take();
    build(data.rows, small.start, small.end, small.hist);
    large.hist = o.hist;
    subtractHistogram(
      large.hist as Float64Array,
      small.hist,
      stride,
      data.spans ?? null,
      histStrideOf(missing),
    );
    for (const c of [left, right]) {
      if (canSplit(c)) {
        findSplit(c);
        open.push(c);
      } else finish(c);
    }
  }
  return { leaves, gains };
}

/** Node sums from one feature's histogram (every row is in exactly one of its bins). */
function sumNode(o: Open, hist: Float64Array, f: number, missing: number, reach?: Int32Array): void {
  let g = 0;
  let h = 0;
  const base = f * histStrideOf(missing);
  // Unreachable bins are zero: skipping them leaves the sums as they were.
  const values = reach ? reach[f] : missing;
  for (let b = 0; b < values; b++) {
    g += hist[base + 2 * b];
    h += hist[base + 2 * b + 1];
  }
  g += hist[base + 2 * missing];
  h += hist[base + 2 * missing + 1];
  o.g = g;
  o.h = h;
}

/** Depth-wise takes leaves in creation order (level by level); leaf-wise the largest gain (ties: oldest). */
function pickNext(open: Open[], policy: GrowPolicy): number {
  if (policy === "depthwise") return 0;
  let best = 0;
  for (let k = 1; k < open.length; k++)
    if ((open[k].split as Split).gain > (open[best].split as Split).gain) best = k;
  return best;
}

/** Stable partition of rows[start..end) by the split; returns the number of rows sent left. */
function partition(data: GrowData, start: number, end: number, s: Split, scratch: Int32Array): number {
  if (data.partition) return data.partition(start, end, s.feature, goesLeft(s, data.missing));
  const { rows } = data;
  // Column-major: feature f of row i at f · n + i; row-major: at i · stride + f.
  const colMajor = data.columns !== null;
  const bins = data.columns ?? data.bins;
  const step = colMajor ? 1 : data.stride;
  const base = colMajor ? s.feature * (bins.length / data.stride) : s.feature;
  // Where each bin goes (1 = left), so the loop has no data-dependent branch.
  const left = goesLeft(s, data.missing);
  let write = start;
  let nRight = 0;
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const l = left[bins[base + i * step]];
    rows[write] = i;
    scratch[nRight] = i;
    write += l;
    nRight += 1 - l;
  }
  rows.set(scratch.subarray(0, nRight), write);
  return write - start;
}

let sideOfBin = new Uint8Array(256);

/** 1 for every bin up to `missing` the split sends left (missing included when the default is left). */
function goesLeft(s: Split, missing = MISSING_BIN): Uint8Array {
  if (sideOfBin.length <= missing) sideOfBin = new Uint8Array(missing + 1);
  for (let b = 0; b < missing; b++) {
    // Categories stop below MISSING_BIN (binCount), so a categorical split's bits cover every one.
    sideOfBin[b] = s.categorical ? +(b < MISSING_BIN) & (s.catBits[b >>> 5] >>> (b & 31)) : +(b <= s.bin);
  }
  sideOfBin[missing] = +s.defaultLeft;
  return sideOfBin.subarray(0, missing + 1);
}

/** A seeded subset of round(fraction · m) features (at least one), in ascending order. */
export function sampleFeatures(features: Int32Array, fraction: number, rng: Random): Int32Array {
  const m = features.length;
  const take = Math.max(1, Math.round(fraction * m));
  if (take >= m) return features;
  const pick = rng.permutation(m).subarray(0, take).sort();
  return Int32Array.from(pick, (k) => features[k]);
}
