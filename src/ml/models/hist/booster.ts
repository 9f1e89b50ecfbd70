/**
 * The boosting loop of the histogram GBDT: bin once, then per round sample rows and features, compute
 * gradients, grow one tree per output, shrink its leaves by the learning rate, and update the raw scores.
 * With early stopping, a seeded (stratified for classification) validation split is held out and the model
 * is cut back to the round with the best validation loss. The learning curve is recorded every round.
 */
import { createHistSpace, type HistSpace } from "../../kernels/hist-build.js";
import type { Random } from "../../random.js";
import { trainTestSplit } from "../../split.js";
import { gather } from "../../target.js";
import { resolveThreads } from "../../threads/cores.js";
import type { LearningCurve } from "../../types.js";
import { type FitContext, pastDeadline } from "../base.js";
import {
  type BinArray,
  type BinMapper,
  binCount,
  binRows,
  fitBinMapper,
  MAX_BINS,
  MISSING_BIN,
  missingBin,
  sampleHead,
} from "./binning.js";
import { bundleBins, findBundles } from "./bundles.js";
import { type ColumnTable, selectRows } from "./columns.js";
import { type ForestArrays, ForestBuilder, leafOffset } from "./forest.js";
import { type GrowParams, type GrowResult, growTree, type Leaf, sampleFeatures } from "./grower.js";
import { HistogramPool, histStrideOf, reachableBins, reachableSpans, rowStride } from "./histogram.js";
import { MarkedScores, markRows } from "./leaf-marks.js";
import type { Loss } from "./losses.js";
import { leafWeight } from "./split.js";
import {
  fitUsesWorkers,
  marksOnThreads,
  NodeThreads,
  parallelMinRows,
  regionsFor,
  SIDE_SLOTS,
  shared,
  sharedCopy,
  threadsMark,
  warmNodeThreads,
} from "./threads.js";

export interface BoosterParams extends GrowParams {
  rounds: number;
  learningRate: number;
  subsample: number;
  /** Draw a new row sample every this many rounds (LightGBM's bagging_freq); 0 = never subsample. */
  subsampleFreq: number;
  colsampleByTree: number;
  maxBins: number;
  /** "auto": from AUTO_EARLY_STOPPING_ROWS rows on (scikit-learn's rule). */
  earlyStopping: boolean | "auto";
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  /** Threads for partitions and histograms, this one included; 0 or absent: the job's cores (resolveThreads). */
  threads?: number;
  /**
   * Rows of a share, at least: larger nodes are cut into shares built on the threads and added in a fixed
   * order (default parallelMinRows: the crossover; 0 cuts every node). When given, the fit uses the worker
   * threads at any size; by default only from fitUsesWorkers' size on.
   */
  parallelMinRows?: number;
  /**
   * Exclusive feature bundling for the histogram builds (bundles.ts; default on). Histograms' default bins
   * of bundled features are summed in another order, so models can differ in the last bits without it.
   */
  bundle?: boolean;
  /** The multiclass hessian's factor (softmaxLogLoss): 2 as XGBoost's multi:softprob, else 1. */
  softmaxHessianScale?: number;
}

/** The learned state of a histogram GBDT (typed arrays and numbers only). */
export interface BoosterFitted {
  mapper: BinMapper;
  forest: ForestArrays;
  /** Starting raw score per output. */
  init: Float64Array;
  outputs: number;
  nFeatures: number;
  /** Total split gain per feature. */
  featureGain: Float64Array;
}

export const AUTO_EARLY_STOPPING_ROWS = 10_000;
/**
 * Bin matrices up to this size also get a column-major copy: partitions and marks read a node's rows' bins
 * of one column, not a row-major line per row (a deep node's rows miss the cache one by one). At 8 MB, 800k ×
 * 28 went without: its partitions and marks were 28% of a one-thread fit, which the copy cuts by ~18% of CPU
 * (two threads ~12%). The copy adds its size to the fit's memory (1M × 20: +21 MB peak RSS, 0.13× the data).
 */
export const COLUMN_COPY_MAX_BYTES = 64_000_000;

/** The training rows behind the learning curve's training loss, at most this many (a seeded sample). */
const CURVE_ROWS = 5000;

export function fitBooster(
  table: ColumnTable,
  y: Float64Array,
  loss: Loss,
  params: BoosterParams,
  ctx: FitContext,
  stratify: boolean,
): { fitted: BoosterFitted; curve: LearningCurve } {
  const rng = ctx.rng;
  const parts = holdOut(table, y, params, rng, stratify);
  const { train, yTrain } = parts;
  const p = table.columns.length;
  const nt = train.nRows;
  const stride = rowStride(p);
  const threads = resolveThreads(params.threads);
  const minRows = params.parallelMinRows ?? parallelMinRows(stride);
  // Above MAX_BINS bins the bin width (uint16 or not) is known once the mapper is fitted.
  const wideMapper = params.maxBins > MAX_BINS ? fitBinMapper(train, params.maxBins, rng) : null;
  const missing = wideMapper ? missingBin(wideMapper) : MISSING_BIN;
  // A share size given (tests, tuning) asks for the workers at any size.
  const workers =
    threads > 1 &&
    (params.parallelMinRows !== undefined || fitUsesWorkers(nt, stride, marksOnThreads(loss, missing)));
  if (workers) warmNodeThreads(threads);
  // Bins, gradients and rows live in the WebAssembly kernel's memory when it fits (shared with workers,
  // which run the same kernel on it; without it the fit runs on one thread). Counted in bins, so uint16
  // bins get a copy of up to twice the bytes (without it, 160k × 28 fit 40% slower).
  const withColumns = nt * stride <= COLUMN_COPY_MAX_BYTES;
  const spaceFor = (bundledStride: number, copy: boolean) =>
    createHistSpace(
      nt,
      stride,
      regionsFor(workers ? threads : 1, stride, histStrideOf(missing)),
      copy,
      SIDE_SLOTS,
      missing,
      bundledStride,
    );
  let space = spaceFor(0, withColumns);
  // The row list is free until the first round: the binning and curve samples are drawn in it.
  const mapper = wideMapper ?? fitBinMapper(train, params.maxBins, rng, space ? space.rows : undefined);
  const binCounts = Int32Array.from({ length: p }, (_, f) => binCount(mapper, f));
  // Into the space when there is one (the workers read them there).
  let bins = binRows(mapper, train, 0, nt, space?.bins, stride, workers ? threads : 1);
  // Exclusive features bundled (bundles.ts), when a space with room for the compact matrix can be made: the
  // bins move to it, and its column-major copy is of the compact matrix (partitions read it: bundledCut).
  const found =
    space && params.bundle !== false && bins instanceof Uint8Array
      ? findBundles(bins, nt, stride, p, binCounts)
      : null;
  const bundledSpace = found ? spaceFor(found.stride, nt * found.stride <= COLUMN_COPY_MAX_BYTES) : null;
  const bundling = bundledSpace?.bundled ? found : null;
  if (bundling && bundledSpace?.bundled) {
    bundledSpace.bins.set(bins);
    bins = bundledSpace.bins;
    bundleBins(bins as Uint8Array, nt, stride, bundling, bundledSpace.bundled);
    bundledSpace.fillColumns();
    space = bundledSpace;
  }
  const rows = space ? space.rows : new Int32Array(nt);
  // The column-major copy speeds partitions; above COLUMN_COPY_MAX_BYTES its memory matters more.
  const columns =
    !bundling && withColumns
      ? (space?.fillColumns() ?? transposeBins(bins, nt, stride, space?.columns ?? undefined))
      : null;
  const validBins = parts.valid ? binRows(mapper, parts.valid) : null;
  const featureStride = histStrideOf(missing);
  const nv = parts.valid?.nRows ?? 0;
  const K = loss.outputs;
  const init = loss.init(yTrain);
  // In shared memory: the threads update the scores and compute gradients from them.
  // Filled where it lives (a copy into shared memory touched 2 × n × K × 8 bytes of fresh pages).
  const raw = filled(nt, init, shared(Float64Array, nt * K).subarray(0, nt * K));
  const rawValid = filled(nv, init);
  const gh = space ? space.gh : new Float64Array(2 * nt);
  // Drawn every round for one output, the sample goes straight into `rows`: growTree only reorders
  // rows[0..nSample), so rows[nSample..nt) keep the left-out rows (no second n-row array).
  const sampleInRows = params.subsampleFreq === 1 && K === 1;
  const sample = sampleInRows ? rows : new Int32Array(nt);
  // The kernel partitions through its own scratch in the space.
  const scratch = new Int32Array(space ? 0 : nt);
  const forest = new ForestBuilder(1, false, missing > MISSING_BIN);
  const featureGain = new Float64Array(p);
  const allFeatures = Int32Array.from({ length: p }, (_, f) => f);
  const reach = reachableBins(binCounts, stride, missing);
  const spans = reachableSpans(reach, stride, featureStride, missing);
  space?.useReachable(reach);
  space?.useFeatures(p);
  if (bundling) space?.useBundles(bundling, reach);
  // Through leaf marks on workers too, when their gradient units can add the leaf values (threadsMark).
  const marked =
    !workers || threadsMark(loss, space) ? markedScores(params, K, nt, space, init[0], workers) : null;
  const nodeValues = workers ? marked?.nodeValues : undefined;
  // Always a row list (below CURVE_ROWS all rows in order: the same sum as without one), so the loss's value
  // runs the same code in a small fit (the bench's 2000-row warm-up) as in a large one: a list first seen in
  // the large fit deoptimised it there (weak-2: value 21 of ~300 ms; customers: its log-loss helpers).
  const curveRows = nt > CURVE_ROWS ? sampleHead(rng, nt, CURVE_ROWS, rows) : allRows(nt);
  // With workers scoring through marks, the gradient units take the curve rows' log-loss (curveLoss).
  const scores = { raw, y: yTrain, nodeValues, curveRows: nodeValues ? curveRows : undefined };
  const helpers = space ? new NodeThreads(workers ? threads : 1, space, reach, scores, minRows) : null;
  // The threads' histograms come from shared memory (they subtract and scan them).
  const pool = helpers ? helpers.histograms : new HistogramPool(stride, featureStride);
  const curve: LearningCurve = { metric: loss.name, train: [], ...(validBins ? { validation: [] } : {}) };
  // With workers and several outputs (or a loss the threads cannot mark for: threadsMark), each class's leaf
  // values go into raw on the threads (addLeaves) instead of through marks: every score still gets one
  // addition per round, so the same numbers.
  const validRows = allRows(nv);
  const marks = helpers && workers ? null : leafMarks(params, K, nt);
  const markSpace = marked && workers ? helpers : marked && space?.canMark ? space : null;
  const roundValues: Float64Array[] = [];
  let nSample = nt;
  let best = Number.POSITIVE_INFINITY;
  let bestRound = -1;
  /** Whether the last round's training loss is still to be taken (through leaf marks). */
  let trainDue = false;
  /** That loss when the round's gradient pass took it (MarkedScores.gradients), else null. */
  let trainLoss: number | null = null;
  try {
    for (let round = 0; round < params.rounds; round++) {
      const subsampled = params.subsample < 1 && params.subsampleFreq > 0;
      if (subsampled && round % params.subsampleFreq === 0)
        nSample = sampleRows(sample, nt, params.subsample, rng.nextUint32());
      const features =
        params.colsampleByTree < 1 ? sampleFeatures(allFeatures, params.colsampleByTree, rng) : allFeatures;
      if (helpers) helpers.prepare(loss, nt);
      else loss.prepare(raw, nt);
      for (let k = 0; k < K; k++) {
        if (subsampled) {
          if (!sampleInRows) rows.set(sample.subarray(0, nSample));
        } else if (space) space.listRows(nt);
        else listRows(rows, nt);
        if (marked) {
          if (workers && helpers) helpers.markedGradients(loss, nt, marked.takePending(), true);
          else trainLoss = marked.gradients(loss, raw, yTrain, gh, nt, trainDue ? curveRows : null);
        } else if (helpers) helpers.gradients(loss, k, nt);
        else loss.gradients(raw, yTrain, k, gh, nt);
        const root = forest.nodes;
        const grown = growTree(
          {
            bins,
            stride,
            columns,
            gh,
            rows,
            nRows: subsampled ? nSample : nt,
            binCounts,
            reach,
            spans,
            categories: mapper.categories,
            features,
            levels: helpers ?? undefined,
            missing,
            leafMarks: marked ? { nodeOf: marked.nodeOf, root, space: markSpace } : null,
          },
          params,
          forest,
          pool,
          scratch,
          rng,
        );
        // The last round's training loss, now that its scores are all added (with workers, by the tree's first
        // histogram wave: NodeThreads.markedGradients).
        if (trainDue)
          curve.train.push(trainLoss ?? helpers?.curveLoss() ?? loss.value(raw, yTrain, curveRows, nt));
        trainDue = false;
        trainLoss = null;
        const values = storeTree(grown, params, forest, featureGain);
        if (marked) marked.setTree(rows, grown.leaves, values, root);
        else if (marks) {
          roundValues[k] = values;
          markLeaves(marks[k], rows, grown.leaves);
        } else if (!helpers) addLeaves(raw, rows, grown.leaves, values, K, k);
        // Each leaf's rows get its value (on the threads, when the fit has them; else multiclass after the round).
        if (!marks && !marked) helpers?.addLeaves(grown.leaves, values, K, k);
        // Rows left out of the sample are scored through the tree.
        if (subsampled) addTree(forest, root, bins, missing, sample, nSample, nt, stride, raw, K, k);
        if (subsampled) marked?.skip(sample, nSample, nt);
        if (validBins) addTree(forest, root, validBins, missing, null, 0, nv, p, rawValid, K, k);
      }
      if (marks) addLeafValues(raw, nt, K, marks, roundValues);
      // Through leaf marks, the round's scores are added in the next round's gradient pass (or below).
      if (marked) trainDue = true;
      else curve.train.push(loss.value(raw, yTrain, curveRows, nt));
      ctx.onProgress?.((round + 1) / params.rounds, `Round ${round + 1} of ${params.rounds}`);
      if (pastDeadline(ctx)) break;
      if (!validBins || !parts.yValid) continue;
      const v = loss.value(rawValid, parts.yValid, validRows, nv);
      curve.validation?.push(v);
      if (v < best - params.tol) {
        best = v;
        bestRound = round;
      } else if (round - bestRound >= params.nIterNoChange) break;
    }
  } finally {
    helpers?.close();
  }
  if (marked && trainDue) {
    marked.flush(raw, nt);
    curve.train.push(loss.value(raw, yTrain, curveRows, nt));
  }
  if (validBins && bestRound >= 0) {
    forest.truncate((bestRound + 1) * K);
    curve.bestIteration = bestRound;
  }
  return { fitted: { mapper, forest: forest.finish(), init, outputs: K, nFeatures: p, featureGain }, curve };
}

/** n rows of `init` (one value per output), into `out` when given (n × outputs, zeros). */
function filled(n: number, init: Float64Array, out = new Float64Array(n * init.length)): Float64Array {
  if (n === 0) return out;
  out.set(init);
  // Doubling copies: a few builtin calls instead of a loop that runs unoptimised in a fit's first round.
  for (let len = init.length; len < out.length; len *= 2)
    out.copyWithin(len, 0, Math.min(len, out.length - len));
  return out;
}

/*
 * The per-row loops of a round live in small functions of their own: called thousands of times, they are
 * optimised within the first round and stay optimised, where a loop inside fitBooster (called once per fit)
 * would run in V8's interpreter until fitBooster is compiled on stack, and again after each of its deopts.
 */

/*
 * The per-leaf loops of a tree are functions of their own too: a loop over a round's leaves inside
 * fitBooster made it hot enough to be compiled on stack (OSR) in every fit, 100+ ms of compiler time.
 */

/** The tree's split gains into featureGain and its leaf values (shrunk by the learning rate) into the forest. */
function storeTree(
  grown: GrowResult,
  params: BoosterParams,
  forest: ForestBuilder,
  featureGain: Float64Array,
): Float64Array {
  for (const [f, gain] of grown.gains) featureGain[f] += gain;
  const { leaves } = grown;
  const values = new Float64Array(leaves.length);
  const value = new Float64Array(1);
  for (let j = 0; j < leaves.length; j++) {
    const l = leaves[j];
    values[j] = params.learningRate * leafWeight(l.g, l.h, params.l1, params.l2);
    value[0] = values[j];
    forest.setLeaf(l.node, value);
  }
  return values;
}

/** raw[i · K + k] += values[j] for the rows i of each leaf j. */
function addLeaves(
  raw: Float64Array,
  rows: Int32Array,
  leaves: Leaf[],
  values: Float64Array,
  K: number,
  k: number,
): void {
  for (let j = 0; j < leaves.length; j++)
    addToRows(raw, rows, leaves[j].start, leaves[j].end, K, k, values[j]);
}

/** The row list 0..n−1. */
function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  listRows(rows, n);
  return rows;
}

/** rows[0..n) = 0..n−1. */
function listRows(rows: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) rows[i] = i;
}

/** raw[i · K + k] += value for the rows i of rows[start..end) (a leaf's). */
function addToRows(
  raw: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  K: number,
  k: number,
  value: number,
): void {
  for (let q = start; q < end; q++) raw[rows[q] * K + k] += value;
}

/*
 * Multiclass without subsampling: every row is in one leaf of each tree, so a tree marks its rows with their
 * leaf (a scatter into n small integers, which stays in cache) and one sequential pass a round adds the K
 * trees' leaf values to the raw scores. A scatter into the n × K scores per leaf missed the cache for most
 * rows: 240k rows, 7 classes, 64 leaves: 3× slower than marks and pass (8% of a cover-54 fit). With one
 * output the scores are K times smaller and the scatter costs the same as the marks. Each score gets the
 * same additions in the same order.
 */

/** One array of leaf marks per output; null for one output, with subsampling, or over 65,536 leaves a tree. */
function leafMarks(params: BoosterParams, K: number, n: number): Uint16Array[] | null {
  const subsampled = params.subsample < 1 && params.subsampleFreq > 0;
  const leaves = Math.min(params.maxLeaves, 2 ** Math.min(params.maxDepth, 17), n);
  return K === 1 || subsampled || leaves > 65_536
    ? null
    : Array.from({ length: K }, () => new Uint16Array(n));
}

/** Nodes of a tree, at most: of maxLeaves leaves, of depth maxDepth, of n rows. */
function maxNodes(params: BoosterParams, n: number): number {
  return 2 * Math.min(params.maxLeaves, 2 ** Math.min(params.maxDepth, 17), Math.max(1, n)) - 1;
}

/**
 * The scores through leaf marks (leaf-marks.ts) for one output, below 65,536 nodes a tree (the space's marks
 * when its kernel marks; the leaf values over shared memory when `shared`: worker threads add them); else null.
 */
function markedScores(
  params: BoosterParams,
  K: number,
  n: number,
  space: HistSpace | null,
  init: number,
  shared: boolean,
): MarkedScores | null {
  if (K !== 1 || maxNodes(params, n) >= 65_536) return null;
  const nodeOf = space?.canMark ? space.marks : new Uint16Array(n);
  const values = shared ? sharedCopy(new Float64Array(maxNodes(params, n) + 1)) : undefined;
  return new MarkedScores(nodeOf, maxNodes(params, n), init, values);
}

/** marks[i] = j for the rows i of each leaf j. */
function markLeaves(marks: Uint16Array, rows: Int32Array, leaves: Leaf[]): void {
  for (let j = 0; j < leaves.length; j++) markRows(marks, rows, leaves[j].start, leaves[j].end, j);
}

/** raw[i · K + k] += values[k][marks[k][i]] for every row i and output k. */
function addLeafValues(
  raw: Float64Array,
  n: number,
  K: number,
  marks: Uint16Array[],
  values: Float64Array[],
): void {
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] += values[k][marks[k][i]];
}

/** The early-stopping split of a booster's rows (none when early stopping is off or the data is tiny). */
export function holdOut(
  table: ColumnTable,
  y: Float64Array,
  params: BoosterParams,
  rng: Random,
  stratify: boolean,
) {
  const on = params.earlyStopping === "auto" ? table.nRows > AUTO_EARLY_STOPPING_ROWS : params.earlyStopping;
  if (!on || table.nRows < 10) return { train: table, yTrain: y, valid: null, yValid: null };
  const labels = stratify ? Int32Array.from(y) : undefined;
  const split = trainTestSplit(table.nRows, params.validationFraction, rng.nextUint32(), labels);
  return {
    train: selectRows(table, split.train),
    yTrain: gather(y, split.train),
    valid: selectRows(table, split.test),
    yValid: gather(y, split.test),
  };
}

/**
 * Exactly round(fraction · n) rows into out[0..take), ascending (selection sampling, Knuth's algorithm S),
 * and the rows left out into out[take..n). A local xorshift generator keeps this cheap at a million rows.
 */
function sampleRows(out: Int32Array, n: number, fraction: number, seed: number): number {
  const take = Math.max(1, Math.min(n, Math.round(fraction * n)));
  let x = seed | 1;
  let chosen = 0;
  let rest = n - 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    if (((x >>> 0) / 4294967296) * (n - i) < take - chosen) out[chosen++] = i;
    else out[rest--] = i;
  }
  return chosen;
}

/**
 * raw[i · K + k] += the leaf value of tree `root` for the binned rows: rows[from..n) of `rows` when given
 * (the ones a subsample left out), else all n.
 */
function addTree(
  forest: ForestBuilder,
  root: number,
  bins: BinArray,
  missing: number,
  rows: Int32Array | null,
  from: number,
  n: number,
  stride: number,
  raw: Float64Array,
  K: number,
  k: number,
): void {
  for (let q = from; q < n; q++) {
    const i = rows ? rows[q] : q;
    raw[i * K + k] += forest.values[leafOffset(forest, root, bins, i * stride, missing)];
  }
}

/** Column-major copy (stride × n) of a row-major bin matrix. */
function transposeBins(bins: BinArray, n: number, stride: number, into?: BinArray): BinArray {
  const out = into ?? new (bins.constructor as new (length: number) => BinArray)(n * stride);
  for (let i = 0; i < n; i++) {
    const base = i * stride;
    for (let f = 0; f < stride; f++) out[f * n + i] = bins[base + f];
  }
  return out;
}
