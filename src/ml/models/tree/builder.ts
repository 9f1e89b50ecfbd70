/**
 * CART tree growth (Breiman et al., "Classification and Regression Trees", 1984) on presorted feature
 * orders: each node is one segment of every feature's order, split by a linear scan with O(1) criterion
 * updates, and its children are made by a stable partition of each order, so no node ever sorts.
 * Criteria as scikit-learn's tree module: Gini or entropy (classification), squared error (regression),
 * thresholds at midpoints, `x <= threshold` goes left, min_samples_leaf counted in samples.
 */
import type { Random } from "../../random.js";
import { NodeStore, type TreeArrays } from "./arrays.js";
import { entropy, gini, xlogx } from "./criteria.js";
import { inBagOrders } from "./orders.js";

export interface TreeInput {
  /** Column-major n × p. */
  Xc: Float64Array;
  n: number;
  p: number;
  /** Regression target, or class index 0..nClasses-1. */
  y: Float64Array;
  /** 0 for regression. */
  nClasses: number;
  /** Per-sample weights (bootstrap counts, subsampling); rows with weight 0 are out of the tree. */
  weight: Float64Array | null;
  /** presortColumns(Xc, n, p) */
  sorted: Int32Array;
  /**
   * Optional: each feature's values in sorted's order (Xc[f·n + sorted[f·n + t]] at f·n + t), for callers
   * that grow many trees on one table (the exact forest): inBagOrders then reads them in order.
   */
  sortedValues?: Float64Array;
}

export interface TreeOptions {
  criterion: "gini" | "entropy" | "squared_error";
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features examined per split (non-constant ones), at most p. */
  maxFeatures: number;
  rng: Random;
}

export interface BuiltTree {
  tree: TreeArrays;
  /** Leaf reached by each training row (−1 for rows not in the tree). */
  leafOfRow: Int32Array;
}

const PURE = 1e-7;
/**
 * Up to this many features, ord and vals have a second half, and a split partitions each node's rows into
 * the other half (SplitContext.enter): no copying back, one write a value. Wider tables partition in place
 * through a row-sized buffer, as the second half would add half again to the tree's memory.
 */
const HALVES_MAX_FEATURES = 8;
/**
 * Nor above this many rows × features: the second half costs 12 bytes an entry (12 MiB here), and a large
 * table's trees spend their time in scans, not in copying back, so its peak memory stays as it was.
 */
const HALVES_MAX_ENTRIES = 1 << 20;

/**
 * Memory for growing trees on one table (n rows, p features, nOut values per node), reused from tree to
 * tree by a forest and by classic boosting's stages: fresh memory costs far more than memory used before
 * (every page is faulted in).
 */
export class TreeScratch {
  readonly store: NodeStore;
  /** Leaf reached by each training row of the last tree (−1 for rows not in it). */
  readonly leafOfRow: Int32Array;
  readonly ord: Int32Array;
  readonly vals: Float64Array;
  readonly features: Int32Array;
  /** Rows going left, marked for an in-place partition (empty with two halves: see partitionAcross). */
  readonly goLeft: Uint8Array;
  /** Rows going right during an in-place partition (tables wider than HALVES_MAX_FEATURES). */
  readonly tmp: Int32Array;
  readonly tmpVals: Float64Array;
  /** Each row's weight (ones when the input has none), so the loops never test for a missing weight. */
  readonly weight: Float64Array;
  /**
   * Regression: each row's w·y, w and w·y·y side by side (rowStats), so a scan or a node's sums read one
   * array at one index instead of two arrays and a product.
   */
  private stats = new Float64Array(0);

  /**
   * Partition across two halves of ord and vals (else in place); see HALVES_MAX_FEATURES and
   * HALVES_MAX_ENTRIES. Never for wider tables: a node's halves are a bitmask of its features.
   */
  readonly twoHalves: boolean;
  /** Split regression nodes of two rows at once (SplitContext.splitPair). */
  readonly pairs: boolean;

  /** `layout`: how the trees are grown (tests compare the choices, which give the same trees). */
  constructor(n: number, p: number, nOut: number, layout: { twoHalves?: boolean; pairs?: boolean } = {}) {
    this.twoHalves = p <= HALVES_MAX_FEATURES && n * p <= HALVES_MAX_ENTRIES && (layout.twoHalves ?? true);
    this.pairs = layout.pairs ?? true;
    this.store = new NodeStore(nOut);
    this.leafOfRow = new Int32Array(n);
    const halves = this.twoHalves ? 2 : 1;
    this.ord = new Int32Array(halves * n * p);
    this.vals = new Float64Array(halves * n * p);
    this.features = new Int32Array(p);
    this.goLeft = new Uint8Array(halves === 2 ? 0 : n);
    this.tmp = new Int32Array(halves === 2 ? 0 : n);
    this.tmpVals = new Float64Array(halves === 2 ? 0 : n);
    this.weight = new Float64Array(n);
  }

  /** The input's weights, or this scratch's filled with ones. */
  weightsOf(input: TreeInput): Float64Array {
    if (input.weight) return input.weight;
    return this.weight.fill(1);
  }

  /**
   * w·y, w and w·y·y of every row (3 values a row), computed as the sums used to: (w·y)·y rounds the same.
   */
  rowStats(y: Float64Array, weight: Float64Array, n: number): Float64Array {
    if (this.stats.length < 3 * n) this.stats = new Float64Array(3 * n);
    const stats = this.stats;
    for (let i = 0; i < n; i++) {
      const wy = weight[i] * y[i];
      stats[3 * i] = wy;
      stats[3 * i + 1] = weight[i];
      stats[3 * i + 2] = wy * y[i];
    }
    return stats;
  }
}

export function buildTree(input: TreeInput, opts: TreeOptions): BuiltTree {
  const scratch = new TreeScratch(input.n, input.p, input.nClasses > 0 ? input.nClasses : 1);
  return { tree: growTree(input, opts, scratch).finish(), leafOfRow: scratch.leafOfRow };
}

/** Grows a tree into scratch.store (cleared first) and scratch.leafOfRow; returns the store. */
export function growTree(input: TreeInput, opts: TreeOptions, scratch: TreeScratch): NodeStore {
  const m = inBagOrders(input, scratch.ord, scratch.vals).ord.length / input.p;
  const ord = scratch.ord;
  const store = scratch.store;
  store.clear();
  const leafOfRow = scratch.leafOfRow;
  leafOfRow.fill(-1);
  const ctx = new SplitContext(input, opts, ord, scratch.vals, m, scratch);
  const stack: number[] = [store.add(), 0, m, 0, 0];
  // Read once: opts is often made by a spread per tree, and its fields then load through a megamorphic IC.
  const { maxDepth, minSamplesSplit, minSamplesLeaf } = opts;
  const minCount = Math.max(minSamplesSplit, 2 * minSamplesLeaf);
  // A regression node of two rows splits into two leaves of one (which never split: minCount ≥ 2) at once.
  const pairs = scratch.pairs && input.nClasses === 0 && minCount >= 2;
  while (stack.length > 0) {
    const halves = stack.pop() as number;
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const node = stack.pop() as number;
    const rows = ctx.enter(halves);
    const impurity = ctx.nodeStats(start, end, store, node);
    const canSplit = depth < maxDepth && end - start >= minCount && impurity > PURE;
    const pair = canSplit && pairs && end - start === 2;
    if (pair ? !ctx.splitPair(start, store, node, leafOfRow) : !canSplit || !ctx.split(start, end)) {
      for (let k = rows + start; k < rows + end; k++) leafOfRow[ord[k]] = node;
      continue;
    }
    if (pair) continue;
    const { splitFeature, splitPosition, childHalves } = ctx;
    const left = store.add();
    const right = store.add();
    store.feature[node] = splitFeature;
    store.threshold[node] = ctx.splitThreshold;
    store.left[node] = left;
    store.right[node] = right;
    // A regression child of one row is a leaf (minCount ≥ 2), written here instead of stacked: a quarter of
    // the nodes a stack would pop (weak-2 forest).
    if (pairs && end - splitPosition === 1) ctx.oneRowChild(end - 1, store, right, leafOfRow);
    else stack.push(right, splitPosition, end, depth + 1, childHalves);
    if (pairs && splitPosition - start === 1) ctx.oneRowChild(start, store, left, leafOfRow);
    else stack.push(left, start, splitPosition, depth + 1, childHalves);
  }
  return store;
}

class SplitContext {
  private readonly k: number;
  private readonly features: Int32Array;
  private readonly goLeft: Uint8Array;
  /**
   * Where each feature's segment of the current node starts in ord and vals: f·m in the first half or
   * m·p further in the second (bit f of the node's halves). A split partitions every other feature into
   * the other half (no copy back) and leaves the split feature's segment, already in order, where it is.
   * Wider tables (no second half) keep every segment at f·m, with halves 0.
   */
  private readonly base: Int32Array;
  private readonly twoHalves: boolean;
  private readonly tmp: Int32Array;
  private readonly tmpVals: Float64Array;
  /** The current node's halves, and its children's after split. */
  private halves = 0;
  childHalves = 0;
  /** Σ w·y and Σ w of the current node (regression), computed once in nodeStats. */
  private nodeSum = 0;
  private nodeWeight = 0;
  private readonly leftStats: Float64Array;
  private readonly rightStats: Float64Array;
  private readonly totalStats: Float64Array;
  /** The split bestSplit found (fields, not an object per node: a tree has thousands of nodes). */
  splitFeature = -1;
  splitPosition = -1;
  splitThreshold = 0;
  /** The last scan's best score and position (−1: none beat the score to beat). */
  private scanScore = 0;
  private scanPosition = -1;

  private readonly weight: Float64Array;
  /** Regression: rowStats (w·y, w, w·y·y a row); empty for classification. */
  private readonly stats: Float64Array;

  /** The input's and options' scalars, on this object of one shape (see growTree). */
  private readonly p: number;
  private readonly n: number;
  private readonly Xc: Float64Array;
  private readonly nClasses: number;
  private readonly y: Float64Array;
  private readonly rng: Random;
  private readonly maxFeatures: number;
  private readonly minLeaf: number;
  private readonly useEntropy: boolean;

  constructor(
    input: TreeInput,
    opts: TreeOptions,
    private readonly ord: Int32Array,
    private readonly vals: Float64Array,
    private readonly m: number,
    scratch: TreeScratch,
  ) {
    this.p = input.p;
    this.n = input.n;
    this.Xc = input.Xc;
    this.nClasses = input.nClasses;
    this.y = input.y;
    this.rng = opts.rng;
    this.maxFeatures = opts.maxFeatures;
    this.minLeaf = opts.minSamplesLeaf;
    this.useEntropy = opts.criterion === "entropy";
    this.k = Math.max(1, input.nClasses);
    this.weight = scratch.weightsOf(input);
    this.stats = input.nClasses > 0 ? new Float64Array(0) : scratch.rowStats(input.y, this.weight, input.n);
    this.features = scratch.features;
    for (let f = 0; f < input.p; f++) this.features[f] = f;
    this.goLeft = scratch.goLeft;
    this.base = new Int32Array(input.p);
    this.twoHalves = scratch.twoHalves;
    this.tmp = scratch.tmp;
    this.tmpVals = scratch.tmpVals;
    this.leftStats = new Float64Array(this.k);
    this.rightStats = new Float64Array(this.k);
    this.totalStats = new Float64Array(this.k);
  }

  /** Sets the segments of the node in these halves; returns where feature 0's starts (its rows). */
  enter(halves: number): number {
    const base = this.base;
    const m = this.m;
    const second = m * this.p;
    this.halves = halves;
    for (let f = 0; f < base.length; f++) base[f] = f * m + ((halves >> f) & 1) * second;
    return base[0];
  }

  /** Writes value, impurity and weight of the node over feature 0's [start, end); returns its impurity. */
  nodeStats(from: number, to: number, store: NodeStore, node: number): number {
    const { y, nClasses } = this;
    const weight = this.weight;
    const ord = this.ord;
    const start = this.base[0] + from;
    const end = this.base[0] + to;
    let w = 0;
    let impurity: number;
    if (nClasses > 0) {
      const counts = this.totalStats;
      counts.fill(0);
      for (let t = start; t < end; t++) {
        const i = ord[t];
        const wi = weight[i];
        counts[y[i]] += wi;
        w += wi;
      }
      impurity = this.useEntropy ? entropy(counts, w) : gini(counts, w);
      for (let c = 0; c < nClasses; c++) store.value[node * nClasses + c] = counts[c] / w;
    } else {
      const stats = this.stats;
      let sum = 0;
      let sumSq = 0;
      for (let t = start; t < end; t++) {
        const i = 3 * ord[t];
        sum += stats[i];
        sumSq += stats[i + 2];
        w += stats[i + 1];
      }
      this.nodeSum = sum;
      this.nodeWeight = w;
      return regressionNode(sum, sumSq, w, store, node);
    }
    store.impurity[node] = impurity;
    store.weight[node] = w;
    return impurity;
  }

  /**
   * split for a regression node of two rows (a third of a deep tree's splits): the same draws, score and
   * threshold as split (its scan has one split point here), and the two children, leaves of one row, written
   * at once instead of partitioned and stacked. False when every feature is constant in the node.
   */
  splitPair(start: number, store: NodeStore, node: number, leafOfRow: Int32Array): boolean {
    const { p, maxFeatures, vals, ord, stats, base } = this;
    let best = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let first = -1;
    let visited = 0;
    for (let j = 0; j < p && visited < maxFeatures; j++) {
      const f = this.drawFeature(j);
      const t = base[f] + start;
      if (vals[t] >= vals[t + 1]) continue;
      visited++;
      // The scan's sums after its first row (0 + x as there: −0 becomes +0).
      const i = 3 * ord[t];
      const score = squaredScore(0 + stats[i], 0 + stats[i + 1], this.nodeSum, this.nodeWeight);
      if (score > best) {
        best = score;
        bestFeature = f;
        first = t;
      }
    }
    if (bestFeature < 0) return false;
    const left = store.add();
    const right = store.add();
    store.feature[node] = bestFeature;
    store.threshold[node] = midpoint(vals[first], vals[first + 1]);
    store.left[node] = left;
    store.right[node] = right;
    this.oneRowLeaf(ord[first], store, left, leafOfRow);
    this.oneRowLeaf(ord[first + 1], store, right, leafOfRow);
    return true;
  }

  /** The node's j-th feature drawn without replacement (a Fisher–Yates step over features). */
  private drawFeature(j: number): number {
    const features = this.features;
    const r = j + this.rng.int(this.p - j);
    const f = features[r];
    features[r] = features[j];
    features[j] = f;
    return f;
  }

  /** oneRowLeaf for the child of the last split whose row is at `position` of the split feature's segment. */
  oneRowChild(position: number, store: NodeStore, node: number, leafOfRow: Int32Array): void {
    this.oneRowLeaf(this.ord[this.base[this.splitFeature] + position], store, node, leafOfRow);
  }

  /** nodeStats and the leaf's row, for a regression leaf of one row. */
  private oneRowLeaf(row: number, store: NodeStore, node: number, leafOfRow: Int32Array): void {
    const i = 3 * row;
    regressionNode(0 + this.stats[i], 0 + this.stats[i + 2], 0 + this.stats[i + 1], store, node);
    leafOfRow[row] = node;
  }

  /**
   * Finds the node's best split into splitFeature, splitPosition and splitThreshold and partitions the
   * node's rows by it; false when there is none. One method for both, not two: V8 inlines a method of up to
   * 460 bytes of bytecode into its caller, and growTree with the search inlined had no inlining budget left
   * for the scans and draws inside it: in about one process in three the trees then took 5.4 instead of
   * 3.3 ms (8000 × 2, 2026-12-07). At this size it is compiled on its own, with its own budget.
   */
  split(start: number, end: number): boolean {
    const { p, maxFeatures } = this;
    const vals = this.vals;
    let best = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let bestPos = -1;
    let visited = 0;
    // Draw features without replacement until maxFeatures non-constant ones were examined (sklearn's rule).
    for (let j = 0; j < p && visited < maxFeatures; j++) {
      const f = this.drawFeature(j);
      const seg = this.base[f];
      if (vals[seg + start] >= vals[seg + end - 1]) continue;
      visited++;
      if (this.nClasses > 0) this.scanClassification(f, start, end, best);
      else this.scanRegression(f, start, end, best);
      if (this.scanPosition >= 0 && this.scanScore > best) {
        best = this.scanScore;
        bestFeature = f;
        bestPos = this.scanPosition;
      }
    }
    if (bestFeature < 0) return false;
    const seg = this.base[bestFeature];
    this.splitFeature = bestFeature;
    this.splitPosition = bestPos;
    this.splitThreshold = midpoint(vals[seg + bestPos - 1], vals[seg + bestPos]);
    // Every other feature's segment [start, end) into the other half: rows going left, then right, in order.
    if (this.twoHalves) {
      for (let g = 0; g < p; g++) if (g !== bestFeature) this.partitionAcross(g, start, bestPos, end);
    } else {
      const ord = this.ord;
      const goLeft = this.goLeft;
      for (let t = start; t < bestPos; t++) goLeft[ord[seg + t]] = 1;
      for (let t = bestPos; t < end; t++) goLeft[ord[seg + t]] = 0;
      for (let g = 0; g < p; g++) if (g !== bestFeature) this.partitionInPlace(g, start, end);
    }
    this.childHalves = this.twoHalves ? this.halves ^ (((1 << p) - 1) & ~(1 << bestFeature)) : 0;
    return true;
  }

  /**
   * Feature g's segment [start, end) into the other half, its rows going left first, in order. A row goes left
   * when its value of the split feature is at most the threshold: exactly the rows before splitPosition, as
   * the threshold is at least the last value on the left and below the first on the right (midpoint). Read
   * from Xc instead of marks written first (goLeft): one pass less over the node.
   */
  private partitionAcross(g: number, start: number, bestPos: number, end: number): void {
    const { ord, vals, Xc } = this;
    const column = this.splitFeature * this.n;
    const threshold = this.splitThreshold;
    const from = this.base[g];
    const second = this.m * this.p;
    const to = from < second ? from + second : from - second;
    let l = to + start;
    let r = to + bestPos;
    // Branch-free (a row's side is random from row to row): the row goes to its side's cursor, picked by a
    // mask, and only that cursor moves.
    for (let t = from + start; t < from + end; t++) {
      const i = ord[t];
      const side = +(Xc[column + i] <= threshold);
      const at = r + ((l - r) & (0 - side));
      ord[at] = i;
      vals[at] = vals[t];
      l += side;
      r += 1 - side;
    }
  }

  /** Feature g's segment [start, end) in place: its rows going left (goLeft) first, then right, in order. */
  private partitionInPlace(g: number, start: number, end: number): void {
    const { ord, vals, goLeft, tmp, tmpVals } = this;
    const s = this.base[g];
    let l = s + start;
    let r = 0;
    // Branch-free: each row is written to both sides and only its side's cursor moves (a branch on the
    // side, random from row to row, was mispredicted half the time).
    for (let t = s + start; t < s + end; t++) {
      const i = ord[t];
      const v = vals[t];
      const side = goLeft[i];
      vals[l] = v;
      ord[l] = i;
      tmpVals[r] = v;
      tmp[r] = i;
      l += side;
      r += 1 - side;
    }
    for (let q = 0; q < r; q++) {
      ord[l + q] = tmp[q];
      vals[l + q] = tmpVals[q];
    }
  }

  private scanClassification(f: number, start: number, end: number, bestSoFar: number): void {
    const y = this.y;
    const weight = this.weight;
    const ord = this.ord;
    const vals = this.vals;
    const k = this.k;
    const L = this.leftStats;
    const R = this.rightStats;
    const useEntropy = this.useEntropy;
    const minLeaf = this.minLeaf;
    L.fill(0);
    R.set(this.totalStats);
    let wL = 0;
    let wR = 0;
    for (let c = 0; c < k; c++) wR += R[c];
    // Running Σc² (Gini) or Σc·ln c (entropy) on each side, updated in O(1) per moved sample.
    let accL = 0;
    let accR = 0;
    for (let c = 0; c < k; c++) accR += useEntropy ? xlogx(R[c]) : R[c] * R[c];
    let best = bestSoFar;
    let bestPos = -1;
    const seg = this.base[f];
    for (let t = start; t < end - 1; t++) {
      const i = ord[seg + t];
      const wi = weight[i];
      const c = y[i];
      if (useEntropy) {
        accL += xlogx(L[c] + wi) - xlogx(L[c]);
        accR += xlogx(R[c] - wi) - xlogx(R[c]);
      } else {
        accL += wi * (2 * L[c] + wi);
        accR += wi * (wi - 2 * R[c]);
      }
      L[c] += wi;
      R[c] -= wi;
      wL += wi;
      wR -= wi;
      const nLeft = t - start + 1;
      if (nLeft < minLeaf) continue;
      if (end - start - nLeft < minLeaf) break;
      if (vals[seg + t + 1] <= vals[seg + t]) continue;
      const score = useEntropy ? accL + accR - xlogx(wL) - xlogx(wR) : accL / wL + accR / wR;
      if (score > best) {
        best = score;
        bestPos = t + 1;
      }
    }
    this.scanScore = best;
    this.scanPosition = bestPos;
  }

  private scanRegression(f: number, start: number, end: number, bestSoFar: number): void {
    const stats = this.stats;
    const ord = this.ord;
    const vals = this.vals;
    const minLeaf = this.minLeaf;
    const seg = this.base[f];
    const sumTotal = this.nodeSum;
    const wTotal = this.nodeWeight;
    let sumL = 0;
    let wL = 0;
    let best = bestSoFar;
    // The result is stored as it improves, so nothing follows the loop: V8 compiles a long first call's loop
    // on the stack (OSR) before such code has run, and that code then deopts on every later call.
    this.scanScore = bestSoFar;
    this.scanPosition = -1;
    // Rows before the first split point with minLeaf rows on the left only add up (none when minLeaf is 1),
    // and the split points stop where fewer than minLeaf rows would be left on the right.
    let t = seg + start;
    for (const first = t + minLeaf - 1; t < first; t++) {
      const i = 3 * ord[t];
      sumL += stats[i];
      wL += stats[i + 1];
    }
    let value = vals[t];
    for (const stop = seg + end - Math.max(1, minLeaf); t < stop; t++) {
      const i = 3 * ord[t];
      sumL += stats[i];
      wL += stats[i + 1];
      // Values ascend: one not above the last is equal to it, and no threshold separates them.
      const next = vals[t + 1];
      if (next <= value) continue;
      value = next;
      const score = squaredScore(sumL, wL, sumTotal, wTotal);
      if (score > best) {
        best = score;
        this.scanScore = score;
        this.scanPosition = t + 1 - seg;
      }
    }
  }
}

/** The threshold between two adjacent distinct values: their midpoint, or lo where it rounds up to hi. */
function midpoint(lo: number, hi: number): number {
  const threshold = lo / 2 + hi / 2;
  return threshold >= hi || !Number.isFinite(threshold) ? lo : threshold;
}

/**
 * Proxy of a split's squared-error decrease, ΣL²/wL + ΣR²/wR (the constant parent term left out), from the
 * left side's sums and the node's.
 */
function squaredScore(sumL: number, wL: number, sumTotal: number, wTotal: number): number {
  const sumR = sumTotal - sumL;
  return (sumL * sumL) / wL + (sumR * sumR) / (wTotal - wL);
}

/** Writes a regression node's mean, impurity (the weighted variance) and weight; returns the impurity. */
function regressionNode(sum: number, sumSq: number, w: number, store: NodeStore, node: number): number {
  const mean = sum / w;
  const impurity = Math.max(0, sumSq / w - mean * mean);
  store.value[node] = mean;
  store.impurity[node] = impurity;
  store.weight[node] = w;
  return impurity;
}
