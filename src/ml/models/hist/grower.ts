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
import type { NodeCut, NodeHist, NodeScan, NodeSubtract } from "./threads.js";

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
  /** The histogram cells rows can reach (reachableBins); the others stay zero and are skipped. */
  reach?: Int32Array;
  /** The same cells as [from, to) pairs (reachableSpans). */
  spans?: Int32Array;
  /** The missing bin (missingBin; MISSING_BIN when absent): histograms have histStrideOf(missing) cells a feature. */
  missing?: number;
  /** A level's builds, partitions, subtractions and scans (the threads' NodeThreads); absent: LocalLevels. */
  levels?: LevelOps;
  /**
   * When given, the splits whose children are at maxDepth are not partitioned: each of their rows gets its
   * leaf's node, less the tree's root, into nodeOf (markSplit), and their leaves come back with empty row
   * ranges (their rows are marked already).
   */
  leafMarks?: LeafMarks | null;
}

/** Per row, the node of the leaf it ends in, less the tree's root (the booster adds leaf values by it). */
export interface LeafMarks {
  nodeOf: Uint16Array;
  root: number;
  /**
   * When nodeOf is its marks (and it canMark), the kernel marks the rows (HistSpace.markRows; with worker
   * threads, NodeThreads.markRows, run in the level's partitionAll).
   */
  space: RowMarker | null;
}

/** What marks a split's rows with its children's leaves (HistSpace, NodeThreads). */
export interface RowMarker {
  markRows(start: number, end: number, f: number, sides: Uint8Array, left: number, right: number): void;
}

/**
 * A finished leaf: its node, its rows rows[start..end) (empty when they were scored while growing:
 * GrowData.leafMarks) and its gradient sums.
 */
export interface Leaf {
  node: number;
  start: number;
  end: number;
  g: number;
  h: number;
}

/**
 * What a tree level does in bulk: its nodes' histograms built, its splits' partitions (the rows sent left,
 * per node), parents' histograms turned into their larger children's, and its nodes' best splits. An object
 * whose class is the same in every fit, not functions bound per fit: optimised code that inlined one fit's
 * bound function deoptimises on the next fit's ("wrong call target").
 */
export interface LevelOps {
  buildAll(nodes: NodeHist[]): void;
  /** `mergeInNextBuild`: the rows may be complete only after the next buildAll (NodeThreads.partitionAll). */
  partitionAll(cuts: NodeCut[], mergeInNextBuild?: boolean): Int32Array;
  subtractAll(pairs: NodeSubtract[]): void;
  findSplits(scans: NodeScan[], binCounts: Int32Array, categories: Int32Array, rules: SplitRules): void;
  /**
   * A level after its partition: buildAll(small), subtractAll(pairs), then findSplits(scans) (NodeThreads
   * runs them in one wave where it can).
   */
  growLevel(
    small: NodeHist[],
    pairs: NodeSubtract[],
    scans: NodeScan[],
    binCounts: Int32Array,
    categories: Int32Array,
    rules: SplitRules,
  ): void;
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
  /** Its children, once split. */
  left: Open | null;
  right: Open | null;
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
  const missing = data.missing ?? MISSING_BIN;
  const levels = data.levels ?? new LocalLevels(data, scratch, missing);
  return new TreeGrowth(data, params, forest, pool, rng, levels, missing).grow();
}

/** A split of a level: its node, its split, and its left child's node (the right one's is next). */
interface Splitting {
  o: Open;
  s: Split;
  leftNode: number;
}

/** A split node whose children (one at least can split further) get histograms: small's built, large's by subtraction. */
interface Grown {
  o: Open;
  left: Open;
  right: Open;
  small: Open;
  large: Open;
}

/**
 * One tree's growth: each step of a level is a method of its own over plain loops. V8 compiles each small
 * method once and quickly; growTree as one function of closures, iterators and array destructuring took
 * 60–145 ms of optimising compile in a cold two-thread fit (customers), beside the fit's two threads.
 */
class TreeGrowth {
  private readonly leaves: Leaf[] = [];
  private readonly gains: Array<[number, number]> = [];
  private readonly open: Open[] = [];
  private leafCount = 1;

  constructor(
    private readonly data: GrowData,
    private readonly params: GrowParams,
    private readonly forest: ForestBuilder,
    private readonly pool: HistogramPool,
    private readonly rng: Random,
    private readonly levels: LevelOps,
    private readonly missing: number,
  ) {}

  grow(): GrowResult {
    const { data } = this;
    const root = child(this.forest.addRoot(), 0, data.nRows, 0, 0, 0);
    root.hist = this.pool.take();
    this.levels.buildAll([root as NodeHist]);
    sumNode(root, root.hist, data.features[0], this.missing, data.reach);
    if (this.canSplit(root)) {
      this.findSplits([root]);
      this.open.push(root);
    } else {
      this.release(root);
      this.leaves.push(leafOf(root));
    }
    // A batch: depth-wise, the whole level (one partition pass and one build pass for all its nodes).
    while (this.open.length > 0) this.growBatch(takeBatch(this.open, this.params.policy));
    return { leaves: this.leaves, gains: this.gains };
  }

  private growBatch(batch: Open[]): void {
    const splitting = this.splitBatch(batch);
    // The next call is buildAll: the threads may put the rows of nodes partitioned in parts together there.
    const nLeft = this.levels.partitionAll(this.cutsOf(splitting), true);
    const grown = this.childrenOf(splitting, nLeft);
    // The small children as they are now: those that cannot split give their histograms back (nextOpen)
    // before these are built, and nothing takes one until the next level.
    const small: NodeHist[] = [];
    for (let k = 0; k < grown.length; k++) {
      const { start, end, hist } = grown[k].small;
      small.push({ start, end, hist: hist as Float64Array });
    }
    const pairs = subtractionsOf(grown);
    const next = this.nextOpen(grown);
    const { data, params } = this;
    this.levels.growLevel(small, pairs, this.scansOf(next), data.binCounts, data.categories, params);
    for (let k = 0; k < next.length; k++) this.open.push(next[k]);
    this.batchLeaves(batch);
  }

  private canSplit(o: Open): boolean {
    const { params } = this;
    return (
      o.depth < params.maxDepth &&
      o.end - o.start >= 2 * Math.max(1, params.minSamplesLeaf) &&
      o.h >= 2 * params.minChildWeight
    );
  }

  /** A node that stays a leaf gives its histogram back at once (the level's children may take it). */
  private release(o: Open): void {
    this.pool.give(o.hist);
    o.hist = null;
  }

  /** The best splits of these nodes, their features drawn in order (the same draws on every thread count). */
  private findSplits(nodes: Open[]): void {
    const { params, data } = this;
    this.levels.findSplits(this.scansOf(nodes), data.binCounts, data.categories, params);
  }

  /** The scans of these nodes' best splits (their features drawn in order: findSplits). */
  private scansOf(nodes: Open[]): NodeScan[] {
    const { params, data } = this;
    const scans: NodeScan[] = [];
    for (let k = 0; k < nodes.length; k++) {
      const o = nodes[k];
      o.split = emptySplit();
      const fs =
        params.colsampleByNode < 1
          ? sampleFeatures(data.features, params.colsampleByNode, this.rng)
          : data.features;
      scans.push({
        hist: o.hist as Float64Array,
        features: fs,
        node: { g: o.g, h: o.h, count: o.end - o.start },
        split: o.split,
      });
    }
    return scans;
  }

  /**
   * The batch's nodes that split, in the forest; the others give their histograms back. The deepest level's
   * children are leaves: their rows are marked here instead of partitioned (GrowData.leafMarks).
   */
  private splitBatch(batch: Open[]): Splitting[] {
    const { params, data } = this;
    const splitting: Splitting[] = [];
    for (let k = 0; k < batch.length; k++) {
      const o = batch[k];
      const s = o.split as Split;
      if (s.feature < 0 || s.gain <= params.minSplitGain || this.leafCount >= params.maxLeaves) {
        this.release(o);
        continue;
      }
      const flags = (s.defaultLeft ? FLAG_DEFAULT_LEFT : 0) | (s.categorical ? FLAG_CATEGORICAL : 0);
      const leftNode = this.forest.split(o.node, s.feature, s.bin, flags, s.categorical ? s.catBits : null);
      this.gains.push([s.feature, s.gain]);
      this.leafCount++;
      if (data.leafMarks && o.depth + 1 >= params.maxDepth) {
        markSplit(data, o, s, leftNode, this.missing, data.leafMarks);
        this.release(o);
      } else splitting.push({ o, s, leftNode });
    }
    return splitting;
  }

  private cutsOf(splitting: Splitting[]): NodeCut[] {
    const cuts: NodeCut[] = [];
    for (let k = 0; k < splitting.length; k++) {
      const { o, s } = splitting[k];
      cuts.push({ start: o.start, end: o.end, f: s.feature, sides: goesLeft(s, this.missing) });
    }
    return cuts;
  }

  /**
   * Each split's children (nLeft[q] rows left); a split whose children can both not split gives its
   * histogram back, the others get one for their smaller child.
   */
  private childrenOf(splitting: Splitting[], nLeft: Int32Array): Grown[] {
    const grown: Grown[] = [];
    for (let q = 0; q < splitting.length; q++) {
      const { o, s, leftNode } = splitting[q];
      const mid = o.start + nLeft[q];
      const left = child(leftNode, o.start, mid, o.depth + 1, s.gL, s.hL);
      const right = child(leftNode + 1, mid, o.end, o.depth + 1, s.gR, s.hR);
      o.left = left;
      o.right = right;
      if (!this.canSplit(left) && !this.canSplit(right)) {
        this.release(o);
        continue;
      }
      const leftSmaller = mid - o.start <= o.end - mid;
      const small = leftSmaller ? left : right;
      small.hist = this.pool.take();
      grown.push({ o, left, right, small, large: leftSmaller ? right : left });
    }
    return grown;
  }

  /** The children that can split, in order; the others give their histograms back. */
  private nextOpen(grown: Grown[]): Open[] {
    const next: Open[] = [];
    for (let k = 0; k < grown.length; k++) {
      this.openOrRelease(grown[k].left, next);
      this.openOrRelease(grown[k].right, next);
    }
    return next;
  }

  private openOrRelease(c: Open, next: Open[]): void {
    if (this.canSplit(c)) next.push(c);
    else this.release(c);
  }

  /**
   * The batch's leaves in node order (the forest's leaf values are laid out in this order): a node that
   * was not split, else its children that cannot split, left first. Pushed into the one array, not into an
   * array per node: each new array's first push changed its map and deoptimised the grower.
   */
  private batchLeaves(batch: Open[]): void {
    const { leaves } = this;
    for (let k = 0; k < batch.length; k++) {
      const o = batch[k];
      if (o.left === null || o.right === null) leaves.push(leafOf(o));
      else {
        if (!this.canSplit(o.left)) leaves.push(leafOf(o.left));
        if (!this.canSplit(o.right)) leaves.push(leafOf(o.right));
      }
    }
  }
}

/** Each grown split's larger child takes its parent's histogram, less its smaller child's. */
function subtractionsOf(grown: Grown[]): NodeSubtract[] {
  const pairs: NodeSubtract[] = [];
  for (let k = 0; k < grown.length; k++) {
    const { o, large, small } = grown[k];
    large.hist = o.hist;
    pairs.push({ into: large.hist as Float64Array, minus: small.hist as Float64Array });
  }
  return pairs;
}

/** A level's operations on this thread, one node after another. */
class LocalLevels implements LevelOps {
  constructor(
    private readonly data: GrowData,
    private readonly scratch: Int32Array,
    private readonly missing: number,
  ) {}

  buildAll(nodes: NodeHist[]): void {
    const { data } = this;
    for (const n of nodes)
      buildHistogram(
        data.bins,
        data.stride,
        data.gh,
        data.rows,
        n.start,
        n.end,
        n.hist,
        histStrideOf(this.missing),
      );
  }

  partitionAll(cuts: NodeCut[]): Int32Array {
    return Int32Array.from(cuts, (c) => partition(this.data, c.start, c.end, c.f, c.sides, this.scratch));
  }

  subtractAll(pairs: NodeSubtract[]): void {
    const { data, missing } = this;
    for (const q of pairs)
      subtractHistogram(q.into, q.minus, data.stride, data.spans ?? null, histStrideOf(missing));
  }

  findSplits(scans: NodeScan[], binCounts: Int32Array, categories: Int32Array, rules: SplitRules): void {
    for (const n of scans)
      findBestSplit(n.hist, n.features, binCounts, categories, n.node, rules, n.split, this.missing);
  }

  growLevel(
    small: NodeHist[],
    pairs: NodeSubtract[],
    scans: NodeScan[],
    binCounts: Int32Array,
    categories: Int32Array,
    rules: SplitRules,
  ): void {
    this.buildAll(small);
    this.subtractAll(pairs);
    this.findSplits(scans, binCounts, categories, rules);
  }
}

/**
 * A split whose children are leaves, without its partition: each row of the node gets its side's leaf node
 * (less the root) into marks.nodeOf, a write into n small integers that stays in cache. The children get
 * empty row ranges. The partition and a pass over the leaves' rows adding their values to the raw scores
 * (scattered over n f64s) cost 3–4× more at 160k rows.
 */
function markSplit(
  data: GrowData,
  o: Open,
  s: Split,
  leftNode: number,
  missing: number,
  marks: LeafMarks,
): void {
  const sides = goesLeft(s, missing);
  o.left = child(leftNode, o.start, o.start, o.depth + 1, s.gL, s.hL);
  o.right = child(leftNode + 1, o.start, o.start, o.depth + 1, s.gR, s.hR);
  if (marks.space) {
    marks.space.markRows(o.start, o.end, s.feature, sides, leftNode - marks.root, leftNode + 1 - marks.root);
    return;
  }
  const nodeOfBin = new Uint16Array(missing + 1);
  for (let b = 0; b <= missing; b++) nodeOfBin[b] = leftNode + 1 - sides[b] - marks.root;
  const colMajor = data.columns !== null;
  const bins = data.columns ?? data.bins;
  const step = colMajor ? 1 : data.stride;
  const base = colMajor ? s.feature * (bins.length / data.stride) : s.feature;
  markRows(marks.nodeOf, data.rows, o.start, o.end, bins, base, step, nodeOfBin);
}

/** nodeOf[i] = nodeOfBin[bin of row i] for the rows i of rows[start..end), the bin at bins[base + i · step]. */
function markRows(
  nodeOf: Uint16Array,
  rows: Int32Array,
  start: number,
  end: number,
  bins: BinArray,
  base: number,
  step: number,
  nodeOfBin: Uint16Array,
): void {
  for (let q = start; q < end; q++) {
    const i = rows[q];
    nodeOf[i] = nodeOfBin[bins[base + i * step]];
  }
}

function child(node: number, start: number, end: number, depth: number, g: number, h: number): Open {
  return { node, start, end, depth, g, h, hist: null, split: null, left: null, right: null };
}

function leafOf(o: Open): Leaf {
  return { node: o.node, start: o.start, end: o.end, g: o.g, h: o.h };
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

/**
 * The next leaves to split, taken out of `open`: depth-wise, the whole level (in creation order); leaf-wise
 * the one with the largest gain (ties: oldest).
 */
function takeBatch(open: Open[], policy: GrowPolicy): Open[] {
  if (policy === "depthwise") {
    let level = 1;
    while (level < open.length && open[level].depth === open[0].depth) level++;
    return open.splice(0, level);
  }
  let best = 0;
  for (let k = 1; k < open.length; k++)
    if ((open[k].split as Split).gain > (open[best].split as Split).gain) best = k;
  return open.splice(best, 1);
}

/** Stable partition of rows[start..end) by feature f (left: sides[bin] = 1); returns the rows sent left. */
function partition(
  data: GrowData,
  start: number,
  end: number,
  f: number,
  left: Uint8Array,
  scratch: Int32Array,
): number {
  const { rows } = data;
  // Column-major: feature f of row i at f · n + i; row-major: at i · stride + f.
  const colMajor = data.columns !== null;
  const bins = data.columns ?? data.bins;
  const step = colMajor ? 1 : data.stride;
  const base = colMajor ? f * (bins.length / data.stride) : f;
  // Where each bin goes (1 = left), so the loop has no data-dependent branch.
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

/** 1 for every bin up to `missing` the split sends left (missing included when the default is left). */
function goesLeft(s: Split, missing: number): Uint8Array {
  const sideOfBin = new Uint8Array(missing + 1);
  // Categories stop below MISSING_BIN (binCount), so a categorical split's bits cover every one.
  if (s.categorical)
    for (let b = 0; b < missing; b++) sideOfBin[b] = +(b < MISSING_BIN) & (s.catBits[b >>> 5] >>> (b & 31));
  else sideOfBin.fill(1, 0, Math.min(s.bin + 1, missing));
  sideOfBin[missing] = +s.defaultLeft;
  return sideOfBin;
}

/** A seeded subset of round(fraction · m) features (at least one), in ascending order. */
export function sampleFeatures(features: Int32Array, fraction: number, rng: Random): Int32Array {
  const m = features.length;
  const take = Math.max(1, Math.round(fraction * m));
  if (take >= m) return features;
  const pick = rng.permutation(m).subarray(0, take).sort();
  return Int32Array.from(pick, (k) => features[k]);
}
