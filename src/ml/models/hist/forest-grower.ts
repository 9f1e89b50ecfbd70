/**
 * Grows one random-forest tree on binned columns (CART with histogram splits): depth first, features
 * sampled at every node (max_features non-constant ones; more are examined when none of those gives a
 * valid split, as scikit-learn does), until the node is pure, too small or at maxDepth. When most features
 * are examined at every node, large nodes split from channel histograms (the larger child by subtraction);
 * other nodes from a sparse histogram of the bins present, built from their rows, so deep trees cost in
 * proportion to their rows, not to 255 bins per node. Binary features take one pass (scanTwoBins).
 */
import type { Random } from "../../random.js";
import { MISSING_BIN } from "./binning.js";
import { buildChannelHistogram, buildClassHistogram, channelStride, score, weightOf } from "./channels.js";
import { FLAG_CATEGORICAL, FLAG_DEFAULT_LEFT, type ForestBuilder } from "./forest.js";
import { type BinaryOnes, binaryOnesOf, type OnesTable } from "./forest-binary.js";
import {
  collectPacked,
  collectPresent,
  constantInRows,
  entriesFromHistogram,
  entriesFromPresorted,
  entriesFromRows,
  missingPresent,
  sortTinyKeys,
  sumPackedByBin,
  sumRowsByBin,
  TINY_NODE,
} from "./forest-entries.js";
import { partition, partitionPresorted, presort, sortSegments } from "./forest-partition.js";
import {
  pureSplitGain,
  scanBinsGini,
  scanFeature,
  scanOnes,
  scanPackedGini,
  scanTinyGini,
  scanTinyOnes,
  scanTwoBins,
  sumOfSquares,
  tinyRows,
} from "./forest-scan.js";
import {
  type Best,
  emptyBest,
  type ForestData,
  type ForestScratch,
  type ForestTreeParams,
  type NodeRange,
  PACK,
  packedHigh,
} from "./forest-scratch.js";

export { ForestScratch } from "./forest-scratch.js";

interface Task extends NodeRange {
  node: number;
  depth: number;
  hist: Float64Array | null;
  /** Presorted mode: the segments of features 1 … p − 1 are built for this node's rows. */
  sorted: boolean;
  /** scratch.features[0..known) are constant in this node (found constant in an ancestor). */
  known: number;
  /** The node's ones table, from its parent's (onesForChildren), or null. */
  table: OnesTable | null;
  /** Two packed classes without a ones table: the node's packed sum when its parent knew it (else −1). */
  packed: number;
}

/**
 * Grows a tree over rows scratch.rows[0..nRows) into the forest; leaf outputs come from `leafValue`.
 * @param gains - impurity decrease per feature, added to
 */
export function growForestTree(
  data: ForestData,
  nRows: number,
  params: ForestTreeParams,
  forest: ForestBuilder,
  scratch: ForestScratch,
  rng: Random,
  leafValue: (sums: Float64Array, out: Float64Array) => void,
  gains: Float64Array,
): void {
  const C = data.channels;
  // When most features are examined at every node (regression's default), keeping every feature's rows
  // in bin order costs one partition per feature and split, and makes each scan a single pass.
  const presorted = params.maxFeatures * 2 >= data.p;
  // Histograms pay off when the rows outnumber the bins scanned per examined feature, and only when most
  // features are examined: a child's histogram adds all p features of its rows, a scan of the node's rows
  // only the features examined (about √p for classification). Measured at issue 12's forest scale, without
  // them: cover-54 2.6 → 1.9 CPU s, customers 0.57 → 0.51, binary-28 the same (40k rows; trees unchanged).
  const histFrom = presorted
    ? Math.max(64, Math.round((256 * data.p) / Math.max(1, params.maxFeatures)))
    : Number.POSITIVE_INFINITY;
  const out = new Float64Array(forest.nOut);
  const best: Best = emptyBest();
  const stack: Task[] = [
    {
      node: forest.addRoot(),
      start: 0,
      end: nRows,
      depth: 0,
      hist: null,
      sorted: false,
      known: 0,
      table: null,
      packed: -1,
    },
  ];
  scratch.seed = rng.nextUint32() | 1;
  for (let f = 0; f < data.p; f++) scratch.features[f] = f;
  scratch.presortedMode = presorted;
  // Two classes take the Gini paths from packed weights (none on rows too many to pack: the general paths).
  scratch.tinyGini = params.criterion === "gini" && (C !== 2 || data.packed !== null);
  if (presorted) {
    scratch.presorted ??= new Int32Array(data.p * data.n);
    presort(data, scratch, nRows);
  } else scratch.rows = scratch.ownRows;
  // Gini nodes split from their rows scan sparse binary features from one table per node (forest-binary.ts).
  const ones = scratch.tinyGini && !presorted ? binaryOnesOf(data, params.maxFeatures) : null;
  ones?.weigh(scratch.ownRows, nRows);
  while (stack.length > 0) {
    const t = stack.pop() as Task;
    const m = t.end - t.start;
    const splittable =
      t.depth < params.maxDepth && m >= params.minSamplesSplit && m >= 2 * params.minSamplesLeaf;
    // A node that may split builds its ones table while it sums its rows (two rows split by splitPair),
    // unless its parent gave it one.
    if (ones) ones.tinyNode = false;
    if (ones && !t.table && splittable && m > 2 && m <= TINY_NODE)
      ones.gatherTiny(scratch.rows, t.start, t.end, scratch);
    else if (ones && (t.table || (splittable && m > 2))) {
      if (t.table) ones.use(t.table);
      else ones.buildSumming(scratch.rows, t.start, t.end);
      t.table = null;
      const sums = ones.sums;
      for (let c = 0; c < C; c++) scratch.sums[c] = sums[c];
    } else if (ones) ones.sumClasses(scratch.rows, t.start, t.end, scratch.sums);
    else nodeSums(data, scratch.rows, t, scratch.sums);
    const W = weightOf(params.criterion, scratch.sums, 0, C);
    const parentScore = score(params.criterion, scratch.sums, 0, C, W);
    best.gain = 0;
    best.feature = -1;
    let known = t.known;
    // A gathered tiny node has its rows' classes and weights by position already (tinyRows' work).
    scratch.tinyReady = ones?.tinyNode === true;
    if (scratch.tinyReady) scratch.tinySquares = sumOfSquares(scratch.sums, C);
    // No split of a pure node gains anything.
    if (splittable && (params.criterion === "squared_error" || !isPure(scratch.sums, C))) {
      if (m >= histFrom && !t.hist) {
        t.hist = scratch.take();
        buildHistogram(data, scratch.rows, t.start, t.end, t.hist);
      }
      if (presorted && !t.hist && !t.sorted && m > 2) {
        sortSegments(data, scratch, t.start, t.end);
        t.sorted = true;
      }
      known = findSplit(data, t, params, parentScore, W, scratch, best, ones);
    }
    // A gain at rounding level is no split (it would only chase floating-point noise).
    if (best.feature < 0 || best.gain <= 1e-12 * Math.abs(parentScore) + 1e-300) {
      ones?.clear();
      leafValue(scratch.sums, out);
      forest.setLeaf(t.node, out);
      scratch.give(t.hist);
      continue;
    }
    gains[best.feature] += best.gain;
    const nLeft = presorted
      ? partitionPresorted(data, scratch, t.start, t.end, best, t.sorted)
      : partition(data, scratch, t.start, t.end, best);
    const flags = (best.defaultLeft ? FLAG_DEFAULT_LEFT : 0) | (best.categorical ? FLAG_CATEGORICAL : 0);
    const leftNode = forest.split(t.node, best.feature, best.bin, flags, best.categorical ? best.bits : null);
    const left: Task = {
      node: leftNode,
      start: t.start,
      end: t.start + nLeft,
      depth: t.depth + 1,
      hist: null,
      sorted: t.sorted,
      known,
      table: null,
      packed: -1,
    };
    // A literal, not a spread of left: the spread copies by a slower generic path at every split.
    const right: Task = {
      node: leftNode + 1,
      start: t.start + nLeft,
      end: t.end,
      depth: t.depth + 1,
      hist: null,
      sorted: t.sorted,
      known,
      table: null,
      packed: -1,
    };
    if (ones?.built) onesForChildren(ones, scratch.rows, left, right, params);
    else if (!ones && data.packed) packedForChildren(data.packed, scratch.rows, scratch.sums, left, right);
    childHistograms(data, scratch, t.hist, left, right, histFrom);
    stack.push(right, left);
  }
}

/**
 * Subtraction pays for a child of at least this many rows: its table is its parent's minus its sibling's
 * (a pass over the table's non-zero rows) instead of a pass over its rows.
 */
const SUBTRACT_FROM = 16;

/**
 * Hands the split node's ones table (ones' current) on: when the larger child will look for a split and is
 * large enough, the smaller child's table is built from its rows and the larger's is the parent's minus it
 * (exact: whole counts, so the same tables, to the bit); the smaller keeps its own if it will look for a split.
 * Otherwise the table is cleared and the children build their own.
 */
function onesForChildren(
  ones: BinaryOnes,
  rows: Int32Array,
  left: Task,
  right: Task,
  params: ForestTreeParams,
): void {
  const small = size(left) <= size(right) ? left : right;
  const large = small === left ? right : left;
  if (!buildsTable(large, params) || size(large) < SUBTRACT_FROM) {
    ones.clear();
    return;
  }
  const parent = ones.detach();
  ones.buildSumming(rows, small.start, small.end);
  const child = ones.detach();
  ones.subtract(parent, child);
  large.table = parent;
  if (buildsTable(small, params)) small.table = child;
  else ones.release(child);
}

/** Whether the node will look for a split from a ones table (built at it; tiny nodes gather instead). */
function buildsTable(t: Task, params: ForestTreeParams): boolean {
  const m = size(t);
  return (
    t.depth < params.maxDepth &&
    m >= params.minSamplesSplit &&
    m >= 2 * params.minSamplesLeaf &&
    m > TINY_NODE
  );
}

/** One class holds all of the node's weight. */
function isPure(sums: Float64Array, C: number): boolean {
  let nonZero = 0;
  for (let c = 0; c < C; c++) nonZero += +(sums[c] !== 0);
  return nonZero <= 1;
}

/**
 * Gives a split node's children their packed sums (Task.packed): the smaller child's from its rows, the larger's
 * its parent's minus that. Packed sums are whole numbers below 2^53 (PACK), so the difference is the sum of
 * the larger child's rows, to the bit, and no pass over them is needed.
 */
function packedForChildren(
  packed: Float64Array,
  rows: Int32Array,
  sums: Float64Array,
  left: Task,
  right: Task,
): void {
  const small = size(left) <= size(right) ? left : right;
  const large = small === left ? right : left;
  small.packed = packedSum(packed, rows, small.start, small.end);
  large.packed = sums[0] + sums[1] * PACK - small.packed;
}

function nodeSums(data: ForestData, rows: Int32Array, t: Task, sums: Float64Array): void {
  const C = data.channels;
  const v = data.values;
  const { start, end } = t;
  if (data.packed) {
    const sum = t.packed >= 0 ? t.packed : packedSum(data.packed, rows, start, end);
    sums[1] = packedHigh(sum);
    sums[0] = sum - sums[1] * PACK;
    return;
  }
  if (C === 2) {
    let a = 0;
    let b = 0;
    for (let k = start; k < end; k++) {
      const i = rows[k];
      a += v[2 * i];
      b += v[2 * i + 1];
    }
    sums[0] = a;
    sums[1] = b;
    return;
  }
  // More than two channels are classes.
  const { classOf, rowWeight } = data.classes as NonNullable<ForestData["classes"]>;
  // A loop, not fill: a builtin call costs more than clearing a few classes, at every node.
  for (let c = 0; c < C; c++) sums[c] = 0;
  for (let k = start; k < end; k++) sums[classOf[rows[k]]] += rowWeight[rows[k]];
}

/**
 * The packed weights of rows[start..end). The loop is alone in its function: V8 compiles a long first call's
 * loop on the stack (OSR) before the code after it has run, and that code then deopts on every later call.
 */
function packedSum(packed: Float64Array, rows: Int32Array, start: number, end: number): number {
  let sum = 0;
  for (let k = start; k < end; k++) sum += packed[rows[k]];
  return sum;
}

/** The channel histogram of rows[start..end) into hist (by class and weight when there are classes). */
function buildHistogram(
  data: ForestData,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const { bins, stride, channels, classes } = data;
  if (classes) {
    buildClassHistogram(bins, stride, classes.classOf, classes.rowWeight, channels, rows, start, end, hist);
  } else buildChannelHistogram(bins, stride, data.values, channels, rows, start, end, hist);
}

const size = (t: Task) => t.end - t.start;

/** Gives the children that will use histograms theirs: the smaller built, the larger by subtraction. */
function childHistograms(
  data: ForestData,
  scratch: ForestScratch,
  parent: Float64Array | null,
  left: Task,
  right: Task,
  histFrom: number,
): void {
  // No closure here: it is called at every split, and tsx wraps every function it creates in __name.
  const bigL = size(left) >= histFrom;
  const bigR = size(right) >= histFrom;
  if (!parent || (!bigL && !bigR)) {
    scratch.give(parent);
    return;
  }
  const [small, large] = size(left) <= size(right) ? [left, right] : [right, left];
  const h = scratch.take();
  buildHistogram(data, scratch.rows, small.start, small.end, h);
  const end = data.stride * channelStride(data.channels);
  for (let k = 0; k < end; k++) parent[k] -= h[k];
  large.hist = parent;
  if (size(small) >= histFrom) small.hist = h;
  else scratch.give(h);
}

/**
 * Examines features in random order until maxFeatures non-constant ones were scanned (more while none
 * gave a split) into best; returns how many features are now known to be constant in the node.
 */
function findSplit(
  data: ForestData,
  t: Task,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  scratch: ForestScratch,
  best: Best,
  ones: BinaryOnes | null,
): number {
  if (t.end - t.start === 2) {
    splitPair(data, t, params, parentScore, scratch, best);
    return t.known;
  }
  // scikit-learn's bookkeeping in scratch.features: [0, constants) are constant in this node (those from
  // ancestors stay there for the whole subtree, so they are never drawn again), [examined, p) were
  // scanned; the next feature is drawn from between. A local xorshift (seeded from the tree's generator)
  // keeps the draw cheap. Constant features do not count towards maxFeatures (as in the exact builder):
  // on one-hot columns, mostly constant in deep nodes, counting them left too few real candidates
  // (cover-54 scored 0.611 against scikit-learn's 0.616, and 0.617 without them, mean of three seeds).
  const feats = scratch.features;
  let constants = t.known;
  let examined = data.p;
  let x = scratch.seed;
  const ceiling = giniCeiling(t, params, parentScore, W, scratch);
  while (constants < examined && (data.p - examined < params.maxFeatures || best.feature < 0)) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = constants + uint32Mod(x, examined - constants);
    const f = feats[j];
    // A binary feature in the node's ones table or tiny gather takes examineBinary: mostly (one-hot columns
    // in deep nodes) constant by one bit.
    const s = ones !== null && (ones.built || ones.tinyNode) ? ones.slot[f] : -1;
    // Once a split reached the ceiling, no feature can replace it: the rest are drawn (the same draws and
    // the same constant features for the children) but only tested for being constant.
    const settled = best.gain >= ceiling;
    const constant =
      s >= 0
        ? !examineBinary(data, f, s, settled, params, parentScore, W, scratch, best, ones as BinaryOnes)
        : settled
          ? constantInRows(data, scratch.rows, t, f)
          : !examine(data, t, f, params, parentScore, W, scratch, best, ones);
    const to = constant ? constants++ : --examined;
    feats[j] = feats[to];
    feats[to] = f;
  }
  scratch.seed = x;
  return constants;
}

/**
 * Binary feature f (slot s of ones) in a node with a ones table or a tiny gather: false when constant there.
 * A settled node's table still scans (the gain cannot win); a tiny gather only tests the bits.
 */
function examineBinary(
  data: ForestData,
  f: number,
  s: number,
  settled: boolean,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  scratch: ForestScratch,
  best: Best,
  ones: BinaryOnes,
): boolean {
  const minLeaf = params.minSamplesLeaf;
  if (ones.tinyNode) {
    if (ones.tinyConstant(s)) return false;
    if (!settled) scanTinyOnes(ones.tinyMask[s], f, minLeaf, parentScore, W, scratch, best);
    return true;
  }
  if (!ones.hasOnes(s)) return false;
  return scanOnes(ones.ones, s * data.channels, f, minLeaf, parentScore, W, scratch, best);
}

/**
 * The gain no split of the node can exceed (pureSplitGain) when its features' constancy is constantInRows'
 * (examine's other paths: histograms, presorted segments), for Gini; else +Infinity.
 */
function giniCeiling(
  t: Task,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  scratch: ForestScratch,
): number {
  const rowsOnly = t.hist === null && !scratch.presortedMode;
  return params.criterion === "gini" && rowsOnly ? pureSplitGain(W, parentScore) : Number.POSITIVE_INFINITY;
}

/**
 * Scans feature f of the node into best; false when f is constant in the node (every row in one bin).
 * Nodes split from their rows first look for a constant feature by itself (cheaper than its entries), and
 * tiny nodes with classes scan their sorted rows directly (scanTinyGini).
 */
function examine(
  data: ForestData,
  t: Task,
  f: number,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
  ones: BinaryOnes | null,
): boolean {
  let nE: number;
  if (t.hist) nE = entriesFromHistogram(data, t.hist, f, s);
  else if (s.presortedMode) nE = entriesFromPresorted(data, t, f, s);
  else {
    if (ones && ones.slot[f] >= 0) {
      if (!ones.built) ones.build(s.rows, t);
      // No row of the node has a 1 (most one-hot columns in deep nodes): constant, by one bit.
      if (!ones.hasOnes(ones.slot[f])) return false;
      return scanOnes(
        ones.ones,
        ones.slot[f] * data.channels,
        f,
        params.minSamplesLeaf,
        parentScore,
        W,
        s,
        best,
      );
    }
    if (s.tinyGini && data.twoBins[f] === 1)
      return scanTwoBins(data, t, f, params.minSamplesLeaf, parentScore, W, s, best);
    if (constantInRows(data, s.rows, t, f)) return false;
    const n = t.end - t.start;
    const numericGini = s.tinyGini && data.categories[f] === 0;
    // Two classes: packed per-bin sums at any node size (cheaper than sorting even a tiny node's rows).
    if (numericGini && data.channels === 2) {
      sumPackedByBin(data, t, f, s);
      if (!missingPresent(s)) {
        scanPackedGini(f, params.minSamplesLeaf, parentScore, W, s, best);
        return true;
      }
      nE = collectPacked(s);
    } else if (numericGini && n <= TINY_NODE) {
      sortTinyKeys(data.columns, f * data.n, s.rows, t, s.tinyKeys);
      // Missing rows sort last; with any, the scan needs them as a set (scanFeature).
      if (s.tinyKeys[n - 1] >>> 8 !== MISSING_BIN) {
        if (!s.tinyReady) {
          tinyRows(data, t.start, n, s);
          s.tinyReady = true;
        }
        scanTinyGini(f, n, params.minSamplesLeaf, parentScore, W, s, best);
        return true;
      }
      nE = entriesFromRows(data, t, f, s);
    } else if (numericGini) {
      if (ones) ones.sumByBin(s.rows, t, f, s.binSums, s.present, s.binClasses);
      else sumRowsByBin(data, t, f, s);
      if (!missingPresent(s)) {
        scanBinsGini(f, params.minSamplesLeaf, parentScore, W, s, best);
        return true;
      }
      nE = collectPresent(s, data.channels);
    } else nE = entriesFromRows(data, t, f, s);
  }
  const constant = nE < 1 || (nE === 1 && weightOf(params.criterion, s.missing, 0, data.channels) === 0);
  if (!constant) scanFeature(data, f, nE, params, parentScore, W, s, best);
  return !constant;
}

/**
 * Two rows: every feature that tells them apart gives the same split (one row each side), so the first
 * such feature in the random order wins, as it would in the full scan.
 */
function splitPair(
  data: ForestData,
  t: Task,
  params: ForestTreeParams,
  parentScore: number,
  scratch: ForestScratch,
  best: Best,
): void {
  const C = data.channels;
  const i = scratch.rows[t.start];
  const j = scratch.rows[t.start + 1];
  // Each row's channels read in place (a subarray per row costs an object at every pair).
  const v = data.values;
  const crit = params.criterion;
  const wa = weightOf(crit, v, i * C, C);
  const wb = weightOf(crit, v, j * C, C);
  if (wa < params.minSamplesLeaf || wb < params.minSamplesLeaf) return;
  const gain = score(crit, v, i * C, C, wa) + score(crit, v, j * C, C, wb) - parentScore;
  if (!(gain > 0)) return;
  const p = data.p;
  const feats = scratch.features;
  let x = scratch.seed;
  // The features constant in the node (before t.known) cannot tell the rows apart.
  for (let k = t.known; k < p; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = k + uint32Mod(x, p - k);
    const f = feats[r];
    feats[r] = feats[k];
    feats[k] = f;
    const bi = data.columns[f * data.n + i];
    const bj = data.columns[f * data.n + j];
    if (bi === bj) continue;
    best.gain = gain;
    best.feature = f;
    if (data.categories[f] > 0) {
      best.categorical = true;
      best.defaultLeft = false;
      best.bin = 0;
      best.bits.fill(0);
      const c = bi === MISSING_BIN ? bj : bi;
      best.bits[c >>> 5] |= 1 << (c & 31);
    } else {
      best.categorical = false;
      best.defaultLeft = false;
      best.bin = Math.min(bi, bj);
    }
    break;
  }
  scratch.seed = x;
}

/**
 * (x >>> 0) % r for 0 < r < 2^30 in int32 arithmetic: an unsigned x ≥ 2^31 is no int32, so V8 takes the
 * modulo of the doubles, a C call (a third of findSplit's time on cover-54). x = 2 · (x >>> 1) + (x & 1).
 */
export function uint32Mod(x: number, r: number): number {
  const j = 2 * ((x >>> 1) % r) + (x & 1);
  return j >= r ? j - r : j;
}
