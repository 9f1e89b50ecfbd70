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
  readonly goLeft: Uint8Array;
  readonly tmp: Int32Array;
  readonly tmpVals: Float64Array;

  constructor(n: number, p: number, nOut: number) {
    this.store = new NodeStore(nOut);
    this.leafOfRow = new Int32Array(n);
    this.ord = new Int32Array(n * p);
    this.vals = new Float64Array(n * p);
    this.features = new Int32Array(p);
    this.goLeft = new Uint8Array(n);
    this.tmp = new Int32Array(n);
    this.tmpVals = new Float64Array(n);
  }
}

export function buildTree(input: TreeInput, opts: TreeOptions): BuiltTree {
  const scratch = new TreeScratch(input.n, input.p, input.nClasses > 0 ? input.nClasses : 1);
  return { tree: growTree(input, opts, scratch).finish(), leafOfRow: scratch.leafOfRow };
}

/** Grows a tree into scratch.store (cleared first) and scratch.leafOfRow; returns the store. */
export function growTree(input: TreeInput, opts: TreeOptions, scratch: TreeScratch): NodeStore {
  const { ord, vals } = inBagOrders(input, scratch.ord, scratch.vals);
  const m = ord.length / input.p;
  const store = scratch.store;
  store.clear();
  const leafOfRow = scratch.leafOfRow;
  leafOfRow.fill(-1);
  const ctx = new SplitContext(input, opts, ord, vals, m, scratch);
  const stack: number[] = [store.add(), 0, m, 0];
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const node = stack.pop() as number;
    const impurity = ctx.nodeStats(start, end, store, node);
    const count = end - start;
    const canSplit =
      depth < opts.maxDepth &&
      count >= opts.minSamplesSplit &&
      count >= 2 * opts.minSamplesLeaf &&
      impurity > PURE;
    if (!canSplit || !ctx.split(start, end)) {
      for (let k = start; k < end; k++) leafOfRow[ord[k]] = node;
      continue;
    }
    const { splitFeature, splitPosition } = ctx;
    const left = store.add();
    const right = store.add();
    store.feature[node] = splitFeature;
    store.threshold[node] = ctx.splitThreshold;
    store.left[node] = left;
    store.right[node] = right;
    stack.push(right, splitPosition, end, depth + 1, left, start, splitPosition, depth + 1);
  }
  return store;
}

class SplitContext {
  private readonly k: number;
  private readonly features: Int32Array;
  private readonly goLeft: Uint8Array;
  private readonly tmp: Int32Array;
  private readonly tmpVals: Float64Array;
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

  constructor(
    private readonly input: TreeInput,
    private readonly opts: TreeOptions,
    private readonly ord: Int32Array,
    private readonly vals: Float64Array,
    private readonly m: number,
    scratch: TreeScratch,
  ) {
    this.k = Math.max(1, input.nClasses);
    this.features = scratch.features;
    for (let f = 0; f < input.p; f++) this.features[f] = f;
    this.goLeft = scratch.goLeft;
    this.tmp = scratch.tmp;
    this.tmpVals = scratch.tmpVals;
    this.leftStats = new Float64Array(this.k);
    this.rightStats = new Float64Array(this.k);
    this.totalStats = new Float64Array(this.k);
  }

  /** Writes value, impurity and weight of the node over ord[start, end); returns its impurity. */
  nodeStats(start: number, end: number, store: NodeStore, node: number): number {
    const { y, weight, nClasses } = this.input;
    const ord = this.ord;
    let w = 0;
    let impurity: number;
    if (nClasses > 0) {
      const counts = this.totalStats;
      counts.fill(0);
      for (let t = start; t < end; t++) {
        const i = ord[t];
        const wi = weight ? weight[i] : 1;
        counts[y[i]] += wi;
        w += wi;
      }
      impurity = this.opts.criterion === "entropy" ? entropy(counts, w) : gini(counts, w);
      for (let c = 0; c < nClasses; c++) store.value[node * nClasses + c] = counts[c] / w;
    } else {
      let sum = 0;
      let sumSq = 0;
      for (let t = start; t < end; t++) {
        const i = ord[t];
        const wi = weight ? weight[i] : 1;
        sum += wi * y[i];
        sumSq += wi * y[i] * y[i];
        w += wi;
      }
      this.nodeSum = sum;
      this.nodeWeight = w;
      const mean = sum / w;
      impurity = Math.max(0, sumSq / w - mean * mean);
      store.value[node] = mean;
    }
    store.impurity[node] = impurity;
    store.weight[node] = w;
    return impurity;
  }

  /**
   * Finds the node's best split into splitFeature, splitPosition and splitThreshold and partitions the
   * node's rows by it; false when there is none. One method for both, not two: V8 inlines a method of up to
   * 460 bytes of bytecode into its caller, and growTree with the search inlined had no inlining budget left
   * for the scans and draws inside it: in about one process in three the trees then took 5.4 instead of
   * 3.3 ms (8000 × 2, 2026-12-07). At this size it is compiled on its own, with its own budget.
   */
  split(start: number, end: number): boolean {
    const { p } = this.input;
    const { rng, maxFeatures } = this.opts;
    const vals = this.vals;
    const features = this.features;
    let best = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let bestPos = -1;
    let visited = 0;
    // Draw features without replacement until maxFeatures non-constant ones were examined (sklearn's rule).
    for (let j = 0; j < p && visited < maxFeatures; j++) {
      const r = j + rng.int(p - j);
      const f = features[r];
      features[r] = features[j];
      features[j] = f;
      const seg = f * this.m;
      if (vals[seg + start] >= vals[seg + end - 1]) continue;
      visited++;
      if (this.input.nClasses > 0) this.scanClassification(f, start, end, best);
      else this.scanRegression(f, start, end, best);
      if (this.scanPosition >= 0 && this.scanScore > best) {
        best = this.scanScore;
        bestFeature = f;
        bestPos = this.scanPosition;
      }
    }
    if (bestFeature < 0) return false;
    const seg = bestFeature * this.m;
    const lo = vals[seg + bestPos - 1];
    const hi = vals[seg + bestPos];
    let threshold = lo / 2 + hi / 2;
    if (threshold >= hi || !Number.isFinite(threshold)) threshold = lo;
    this.splitFeature = bestFeature;
    this.splitPosition = bestPos;
    this.splitThreshold = threshold;
    // Every feature's segment [start, end) into rows going left, then right, keeping value order.
    const m = this.m;
    const ord = this.ord;
    const goLeft = this.goLeft;
    const splitSeg = bestFeature * m;
    for (let t = start; t < bestPos; t++) goLeft[ord[splitSeg + t]] = 1;
    for (let t = bestPos; t < end; t++) goLeft[ord[splitSeg + t]] = 0;
    const tmp = this.tmp;
    const tmpVals = this.tmpVals;
    for (let g = 0; g < p; g++) {
      if (g === bestFeature) continue;
      const s = g * m;
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
    return true;
  }

  private scanClassification(f: number, start: number, end: number, bestSoFar: number): void {
    const { y, weight } = this.input;
    const ord = this.ord;
    const vals = this.vals;
    const k = this.k;
    const L = this.leftStats;
    const R = this.rightStats;
    const useEntropy = this.opts.criterion === "entropy";
    const minLeaf = this.opts.minSamplesLeaf;
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
    const seg = f * this.m;
    for (let t = start; t < end - 1; t++) {
      const i = ord[seg + t];
      const wi = weight ? weight[i] : 1;
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
    const { y, weight } = this.input;
    const ord = this.ord;
    const vals = this.vals;
    const minLeaf = this.opts.minSamplesLeaf;
    const seg = f * this.m;
    const sumTotal = this.nodeSum;
    const wTotal = this.nodeWeight;
    let sumL = 0;
    let wL = 0;
    let best = bestSoFar;
    // The result is stored as it improves, so nothing follows the loop: V8 compiles a long first call's loop
    // on the stack (OSR) before such code has run, and that code then deopts on every later call.
    this.scanScore = bestSoFar;
    this.scanPosition = -1;
    for (let t = start; t < end - 1; t++) {
      const i = ord[seg + t];
      const wi = weight ? weight[i] : 1;
      sumL += wi * y[i];
      wL += wi;
      const nLeft = t - start + 1;
      if (nLeft < minLeaf) continue;
      if (end - start - nLeft < minLeaf) break;
      if (vals[seg + t + 1] <= vals[seg + t]) continue;
      const sumR = sumTotal - sumL;
      // Proxy of the squared-error decrease: ΣL²/wL + ΣR²/wR (the constant parent term is left out).
      const score = (sumL * sumL) / wL + (sumR * sumR) / (wTotal - wL);
      if (score > best) {
        best = score;
        this.scanScore = score;
        this.scanPosition = t + 1;
      }
    }
  }
}
