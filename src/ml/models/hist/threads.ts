/**
 * The GBDT's nodes on several threads (the `threads` option of the histogram models). The bins, the
 * gradients and the row list live in the WebAssembly kernel's shared memory (a HistSpace), so every thread
 * runs the same kernel on the same data. The grower hands over a whole tree level at once (depth-wise
 * growth): all its partitions, then all its histograms. Each is cut into units (a node, or a share of a
 * large node), which this thread and the workers take from a shared counter until none is left: one
 * wake-up per level and kind instead of one per node, and the small nodes of deep levels run in parallel
 * as well as the shares of large ones.
 *
 * The rest of a level runs on the same threads: the shares added into the node histograms, the parents'
 * histograms turned into their larger children's (subtraction), and the split scans, in units of a few
 * features of a node (after a level's partition, one wave for all three: growLevel); the node histograms are
 * cut from a shared arena for this. So do the booster's per-row
 * loops: a round's gradients and hessians over row ranges, and a tree's leaf values added into the raw
 * scores over its leaves' row ranges (disjoint: each score is written by one unit), or, with one output,
 * through leaf marks as on one thread (leaf-marks.ts): the deepest level's rows marked with their leaf in
 * the level's partition wave (markRows, over ranges of row ids) and the values added by the next round's
 * gradient units (markedGradients), which run in the units of the root's histogram shares (one wave for both,
 * fusedBuild). A partition's merges of nodes partitioned in parts run in the next histogram wave, before its
 * builds (mergesFirst): few features and many rows (160k × 2) woke the workers 13 times a tree, 4–5 of them
 * for such merges and one for the gradients. The rows are binned on
 * the same threads too, before (binRows' threads, binning.ts). What stays on this thread is bookkeeping, the
 * bin mapper's fit (a sample's sort per feature), and categorical split scans.
 *
 * Bit-identical for any thread count: a unit's result does not depend on the thread that computes it, a
 * node's shares depend on its rows and the row stride only, and they are added in share order. A stable
 * partition gives the same rows whatever its parts, and whichever thread merges them. A row's gradient and
 * score update, and a cell's subtraction, are the same arithmetic on whichever thread; a node's scan units
 * are taken in feature order, a later one only when its gain is larger, which is the split one scan over all
 * features finds.
 *
 * The workers are a leased Crew (src/ml/threads/pool.ts): no message passing per level, and a stuck worker
 * fails the fit instead of hanging it.
 */
import { EXP_CHUNK } from "../../kernels/exp-lanes.js";
import { type HistSpace, partitionSource } from "../../kernels/hist-build.js";
import { kernelModule } from "../../kernels/load.js";
import { EXP_LANES_WASM } from "../../kernels/wasm/exp-lanes.js";
import { type Crew, leaseCrew, type PoolOptions, SPIN_MAX_MS, warmCrew } from "../../threads/pool.js";
import { MISSING_BIN } from "./binning.js";
import { bundledCut, EXPAND_SOURCE } from "./bundles.js";
import { HIST_STRIDE, HistogramPool, histStrideOf, reachableSpans, subtractHistogram } from "./histogram.js";
import { LOG_LOSS_EPS, type Loss } from "./losses.js";
import {
  childHessianBounds,
  findBestSplit,
  leafScore,
  type NodeStats,
  NUMERIC_SCAN_SOURCE,
  type Split,
  type SplitRules,
  takeScanned,
} from "./split.js";

/** Most shares of a node: a power of two, so 1, 2, 4 or 8 threads take equal parts. */
export const MAX_SHARES = 8;
/**
 * Bin updates (rows × stride) a share is worth at least: each share costs zeroing and adding its histogram,
 * and a share smaller than this gains little over building the node's sibling units in parallel.
 */
const SHARE_MIN_WORK = 1 << 16;
/** Rows a share has at least: each share costs zeroing and adding its histogram (512 cells a feature). */
const SHARE_MIN_ROWS = 4096;
/**
 * Bin updates (rows × stride bytes, or the per-row loops' equivalent) of a run of units at least, for the
 * workers to be woken: below this, a wake-up (tens of microseconds, far more on a loaded machine) costs more
 * than it saves.
 */
const WAKE_MIN_WORK = 1 << 17;
/**
 * Bin cells (rows × stride) of a fit's training data, at least, for the fit to use workers at all. On a quiet
 * 2-core machine (2026-12-06, bench/results/2026-12-06-quiet.md) a second thread gained nothing at 160k × 28
 * (4.5M cells), made 24k customer rows and 48k × 54 with 7 classes (0.7–2.7M) 15–50% slower, and made
 * 1M × 28 (28M) 1.4× faster: below this, a level's wake-ups cost more than the second thread saves.
 * Re-checked with adaptive spinning (2026-12-07, bench/ml/thread-crossover.ts, workers forced, under
 * chrt -f 10 on the loaded 2-core VM, 2 threads ÷ 1 wall): wide data gains no more than narrow, as its
 * time goes to 2 MB node histograms (zeroed, added, subtracted: memory-bound) besides the split scans, so the
 * rule stays rows × stride: 16k × 500 (8.0M) 1.03–1.05, 4k × 500 1.01–1.20, 800 × 500 0.84–0.93;
 * 200k × 28 (5.6M) 0.67–0.96, 120k × 28 0.90–0.99; 160k × 2 and 120k customers about 1.0.
 */
const FIT_MIN_WORK = 1 << 23;
/**
 * FIT_MIN_WORK for a fit scored through leaf marks on the threads (marksOnThreads: one output, uint8 bins),
 * whose deepest level is marked, not partitioned, and whose leaf values need no wave of their own. Measured
 * 2026-12-07 (bench/ml/thread-crossover.ts, workers forced, 3 pairs each under chrt -f 10 on the loaded 2-core
 * VM, 2 threads ÷ 1 wall, medians): customers 120k × 28 (3.4M cells) 0.78, 60k 0.89, 30k (0.84M) 1.17;
 * binary-28 80k × 28 (2.2M) 0.90, 40k (1.1M) 1.02; wide-500 4.8k × 500 (2.4M) 0.80, 8k 0.75; weak-2
 * 160k × 2 (0.64M) 1.00. Multiclass fits keep FIT_MIN_WORK (48k × 54, 7 classes, was 15–50% slower).
 * Re-measured for few features (2026-12-07 late, weak-2, workers forced, 7 pairs each at load 2–4 on the
 * 2-core VM, no chrt): 160k × 2 1.29, 120k 1.58, 80k 2.3; the best pairs at 160k 0.92. Not lowered: a second
 * thread at 160k × 2 wins only on a quiet machine, and there by less than a loaded one loses.
 */
const FIT_MIN_WORK_MARKED = 1 << 21;
/**
 * Histogram regions with workers (the units of a wave, each built into its own region): a depth-6 level in
 * one wave, in at most REGION_MAX_BYTES (wide data takes more waves).
 */
const MAX_REGIONS = 64;
const REGION_MAX_BYTES = 16 << 20;
/** Nodes partitioned in one wave (a side table each). */
export const SIDE_SLOTS = 64;
/** Int32 words per unit in the shared unit table (words 6–7: a leaf's value, as an f64). */
const UNIT_WORDS = 8;
/** Rows of a per-row unit (gradients, leaf updates): a few hundred microseconds of work. */
const ROW_UNIT = 1 << 14;
/** A range wave's units (MARK, ADD by ranges) per thread, at least, and rows of each, at least (rangeRows). */
const MARK_RANGES_PER_THREAD = 8;
const MARK_MIN_ROWS = 1 << 12;
/**
 * What a row of the per-row loops costs, in bin updates (the unit of WAKE_MIN_WORK), measured at 1M × 28
 * (2026-12-06): a gradient (an exp) about 16, a score update (a scattered add) about 6.
 */
const GRADIENT_WORK = 16;
const ADD_WORK = 6;
/** A row's multiclass gradient, from the round's probabilities (no exp): an estimate, as a scattered add. */
const PROB_GRADIENT_WORK = ADD_WORK;
/**
 * Partition parts per thread a wave of nodes is cut into, at most (partRows): a node is partitioned whole
 * unless it has more rows than a thread's share of the wave over this.
 */
const PARTS_PER_THREAD = 4;
/**
 * Loads of the merges' counter a BUILD unit spins for before it sleeps (awaitMerges): a few µs, a merge
 * unit's copy.
 */
const MERGE_SPINS = 4096;
/** A row a merge moves (two 4-byte copies), in bin updates. */
const MERGE_WORK = 2;
/**
 * Rows of a node in parts, at most, for the thread that finishes its last part to merge it at once (a copy of
 * at most 1 MB, in the partition wave, beside the other nodes' parts) instead of a MERGE wave after the
 * partition wave: a wave costs a wake-up and a wait for its slowest unit, on a loaded machine far more than
 * such a copy. Larger nodes (the first levels of large fits), and a node with more than a thread's share of
 * its wave's rows (mergeHereRows), are merged by MERGE units on all threads.
 */
const MERGE_HERE_ROWS = 1 << 18;
/** Features of a SUBTRACT or SCAN unit (a node's histogram is cut into units of this many features). */
const UNIT_FEATURES = 8;
/**
 * The shared arena the node histograms are cut from (HistogramPool), at most: a depth-6 level and its
 * parents fit in 256 histograms of 28 features (29 MB); wide data gets fewer, and the nodes beyond them are
 * subtracted and scanned on this thread.
 */
const ARENA_MAX_BYTES = 64 << 20;
const ARENA_MAX_HISTS = 256;
/** The losses whose gradients the task computes (GRADIENT_LOOPS' index), by name; the others run here. */
const GRADIENT_CODES: Partial<Record<Loss["name"], number>> = { rmse: 0, logloss: 1, mlogloss: 2 };
/**
 * The one-output losses whose gradient loops also add pending leaf values through leaf marks (leaf-marks.ts:
 * raw[i] += nodeValues[marks[i]] first), by name: GRADIENT_LOOPS' index.
 */
const MARKED_CODES: Partial<Record<Loss["name"], number>> = { rmse: 3, logloss: 4 };

/**
 * Whether a fit on worker threads scores one output through leaf marks (leaf-marks.ts): its loss's
 * gradient units add the pending leaf values (MARKED_CODES) and its kernel marks rows (uint8 bins).
 */
export function threadsMark(loss: Loss, space: HistSpace | null): boolean {
  return loss.outputs === 1 && MARKED_CODES[loss.name] !== undefined && space?.canMark === true;
}

/** Rows of each share, at least, for rows of `stride` bytes (a node of twice as many is shared). */
export function parallelMinRows(stride: number): number {
  return Math.max(SHARE_MIN_ROWS, Math.ceil(SHARE_MIN_WORK / stride));
}

/**
 * Shares of a node of n rows: the largest power of two ≤ MAX_SHARES leaving each ≥ minRows rows (at least 1;
 * MAX_SHARES when minRows is 0). Without a loop: a warm-up on small data never doubled, and V8 deoptimised
 * the optimised callers at the first node large enough to share.
 */
export function sharesOf(n: number, minRows: number): number {
  const most = minRows > 0 ? Math.min(MAX_SHARES, Math.floor(n / minRows)) : MAX_SHARES;
  return 1 << (31 - Math.clz32(Math.max(1, most)));
}

/**
 * ⌈a / b⌉ for a ≥ 0 and b ≥ 1 (0 for b = 0), as an integer division: V8 optimised Math.ceil(a / b) for the
 * exact quotients it had seen (one share) and deoptimised at the first inexact one.
 */
function ceilDiv(a: number, b: number): number {
  return ((a + b - 1) / b) | 0;
}

/**
 * Rows of a partition part, at least, in a wave of `rows` rows on `threads` threads with shares of minRows
 * rows at least (NodeThreads.partRows): sharesOf(node rows, this) parts a node. 0 when minRows is 0.
 */
export function partRowsOf(rows: number, threads: number, minRows: number): number {
  return minRows === 0 ? 0 : Math.max(minRows, ceilDiv(rows, PARTS_PER_THREAD * threads));
}

/**
 * Whether a fit on n rows of `stride` bins is large enough for worker threads (see FIT_MIN_WORK; `marked`:
 * scored through leaf marks on them, marksOnThreads, FIT_MIN_WORK_MARKED).
 */
export function fitUsesWorkers(n: number, stride: number, marked = false): boolean {
  return n * stride >= (marked ? FIT_MIN_WORK_MARKED : FIT_MIN_WORK);
}

/**
 * Whether a fit with this loss and missing bin would be scored through leaf marks on worker threads (as
 * threadsMark decides once the space is made: one output, a loss MARKED_CODES knows, uint8 bins' kernel).
 */
export function marksOnThreads(loss: Loss, missing: number): boolean {
  return loss.outputs === 1 && MARKED_CODES[loss.name] !== undefined && missing === MISSING_BIN;
}

/** Histogram regions the space needs for this many threads, `stride` features and `histStride` cells each. */
export function regionsFor(threads: number, stride: number, histStride = HIST_STRIDE): number {
  const fit = Math.floor(REGION_MAX_BYTES / (stride * histStride * 8));
  return threads > 1 ? Math.max(2 * threads, Math.min(MAX_REGIONS, fit)) : 1;
}

/** A node whose histogram is built: rows[start..end) into hist (the plain layout). */
export interface NodeHist {
  start: number;
  end: number;
  hist: Float64Array;
}

/** A histogram that becomes its sibling's: into −= minus (a parent's minus its smaller child's). */
export interface NodeSubtract {
  into: Float64Array;
  minus: Float64Array;
}

/** A node whose best split over `features` is found from its histogram (findBestSplit) into `split`. */
export interface NodeScan {
  hist: Float64Array;
  features: Int32Array;
  node: NodeStats;
  split: Split;
}

/** A node whose rows are marked with its children's leaves (NodeThreads.markRows' arguments). */
interface NodeMark {
  start: number;
  end: number;
  f: number;
  sides: Uint8Array;
  left: number;
  right: number;
}

/** NodeThreads.marking's placeholder, never marked. */
const NO_MARK: NodeMark = { start: 0, end: 0, f: 0, sides: new Uint8Array(0), left: 0, right: 0 };

/** A node to partition: rows[start..end) by feature f, sides[bin] = 1 for the bins sent left. */
export interface NodeCut {
  start: number;
  end: number;
  f: number;
  sides: Uint8Array;
}

/**
 * The log-loss's gradient loop, as source: `negate` sets x[j] = −raw[b + j] for the chunk's rows b + j (the
 * marked loop adds the row's pending leaf value to raw first).
 */
function logisticLoop(negate: string): string {
  return `(raw, y, gh, from, to, prob, K, c, scale, lanes, marks, nodeValues, curveRows, curveTerms) => {
    const x = lanes.f64;
    // The first curve row of the unit (curveRows ascending), for curveTerms.
    let q = 0;
    for (let hi = curveRows.length; q < hi; ) {
      const mid = (q + hi) >>> 1;
      if (curveRows[mid] < from) q = mid + 1;
      else hi = mid;
    }
    for (let b = from; b < to; b += ${EXP_CHUNK}) {
      const m = Math.min(${EXP_CHUNK}, to - b);
      for (let j = 0; j < m; j++) {${negate}}
      if (m & 1) x[m] = 0;
      const left = lanes.exp(0, 8 * (m + (m & 1)), ${8 * EXP_CHUNK});
      if (left > 0) for (let j = 0; j < m; j++) if (!(Math.abs(x[j]) < 707)) x[${EXP_CHUNK} + j] = Math.exp(x[j]);
      for (let j = 0; j < m; j++) {
        const i = b + j;
        const p = 1 / (1 + x[${EXP_CHUNK} + j]);
        gh[2 * i] = p - y[i];
        gh[2 * i + 1] = Math.max(p * (1 - p), 1e-16);
      }
      for (; q < curveRows.length && curveRows[q] < b + m; q++) {
        const i = curveRows[q];
        const p = Math.min(Math.max(1 / (1 + x[${EXP_CHUNK} + i - b]), ${LOG_LOSS_EPS}), 1 - ${LOG_LOSS_EPS});
        curveTerms[q] = y[i] === 1 ? Math.log(p) : Math.log(1 - p);
      }
    }
  }`;
}

/**
 * The gradient loops of the task, by GRADIENT_CODES, as source: gh[2i], gh[2i + 1] for rows from..to−1 (the
 * softmax's of class c, from the round's probabilities prob, n × K, with its hessian scale). They must equal
 * the losses' own gradients (losses.ts) bit for bit, or a fit's model would depend on its thread count:
 * test/ml/models/hist/threads.test.ts compares them. MARKED_CODES' loops first add each row's pending leaf
 * value (nodeValues[marks[i]]) to its score, as MarkedScores' flush and then the loss's gradients do. The
 * log-loss takes e^−raw from this thread's exp kernel (lanes, as SOFTMAX_LOOP; the lanes it leaves by
 * Math.exp, as ExpLanes.exp), a chunk of rows at a time, as losses.ts does; the kernel equals Math.exp bit
 * for bit. A change to either formula must be made in both.
 */
const GRADIENT_LOOPS = `[
  (raw, y, gh, from, to) => {
    for (let i = from; i < to; i++) {
      gh[2 * i] = raw[i] - y[i];
      gh[2 * i + 1] = 1;
    }
  },
  ${logisticLoop("x[j] = -raw[b + j];")},
  (raw, y, gh, from, to, prob, K, c, scale) => {
    for (let i = from; i < to; i++) {
      const p = prob[i * K + c];
      gh[2 * i] = p - (y[i] === c ? 1 : 0);
      gh[2 * i + 1] = Math.max(scale * p * (1 - p), 1e-16);
    }
  },
  (raw, y, gh, from, to, prob, K, c, scale, lanes, marks, nodeValues) => {
    for (let i = from; i < to; i++) {
      const r = raw[i] + nodeValues[marks[i]];
      raw[i] = r;
      gh[2 * i] = r - y[i];
      gh[2 * i + 1] = 1;
    }
  },
  ${logisticLoop(`
        const r = raw[b + j] + nodeValues[marks[b + j]];
        raw[b + j] = r;
        x[j] = -r;
      `)},
]`;

/**
 * The softmax of the task, as source: prob[i · K + c] for rows from..to−1 from raw (n × K), as softmaxRows
 * (losses.ts) computes it: e^(raw − row max) by the exp kernel a block of rows at a time (lanes: this
 * thread's instance, its chunk's inputs at f64[0..EXP_CHUNK), outputs after; the lanes it leaves by
 * Math.exp, as ExpLanes.exp), divided by the row's sum taken in class order; for more classes than a chunk
 * holds, Math.exp (which equals the kernel bit for bit, see GRADIENT_LOOPS).
 */
const SOFTMAX_LOOP = `(lanes, raw, prob, from, to, K) => {
  const x = lanes.f64;
  const block = Math.max(1, Math.floor(${EXP_CHUNK} / K));
  if (block * K > ${EXP_CHUNK}) {
    for (let i = from; i < to; i++) {
      const o = i * K;
      let max = raw[o];
      for (let c = 1; c < K; c++) max = Math.max(max, raw[o + c]);
      let sum = 0;
      for (let c = 0; c < K; c++) {
        const e = Math.exp(raw[o + c] - max);
        prob[o + c] = e;
        sum += e;
      }
      for (let c = 0; c < K; c++) prob[o + c] /= sum;
    }
    return;
  }
  for (let b = from; b < to; b += block) {
    const m = Math.min(block, to - b);
    for (let j = 0; j < m; j++) {
      const o = (b + j) * K;
      let max = raw[o];
      for (let c = 1; c < K; c++) max = Math.max(max, raw[o + c]);
      for (let c = 0; c < K; c++) x[j * K + c] = raw[o + c] - max;
    }
    const n = m * K;
    if (n & 1) x[n] = 0;
    const left = lanes.exp(0, 8 * (n + (n & 1)), ${8 * EXP_CHUNK});
    if (left > 0) for (let j = 0; j < n; j++) if (!(Math.abs(x[j]) < 707)) x[${EXP_CHUNK} + j] = Math.exp(x[j]);
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let c = 0; c < K; c++) sum += x[${EXP_CHUNK} + j * K + c];
      const o = (b + j) * K;
      for (let c = 0; c < K; c++) prob[o + c] = x[${EXP_CHUNK} + j * K + c] / sum;
    }
  }
}`;
/** The exp kernel's module (kernels/exp-lanes.ts), for each thread's own instance (SOFTMAX_LOOP's lanes). */
const expModule = kernelModule(EXP_LANES_WASM);

/**
 * The task of every thread, as source: the workers are given it (no module to load, so they start at once)
 * and this thread compiles the same source, so there is one copy. args = (kind, count, …): take units from
 * data.next until count. A BUILD unit (from, to, region) builds rows[from..to) into its region (reachable
 * cells zeroed first), after the gradients of rows from..to − 1 with GRADIENT_LOOPS[args[2]] when args[2] ≥ 0
 * (a round's root: NodeThreads.fusedBuild); the first args[3] units of a BUILD run are MERGE units instead
 * (the last partition's, NodeThreads.mergesFirst), and its builds start once they are all done; a PARTITION unit (from, to, f, slot, mode, ·, first, parts) partitions rows[from..to)
 * with side table `slot`, the left-row count into word 5, and, when it is the node's only part (mode 1),
 * moves its right rows back after the left ones, else its left rows into scratch after its right ones
 * (scratch[from..to) then holds the part's rows, right ones first); in mode 2, the thread that finishes the
 * node's last part (partsLeft[slot] counts them down) then merges the node's parts (units first..first +
 * parts − 1) as MERGE units would. A MERGE unit (from, to, left, leftAt, rightAt) puts a
 * part's rows back from scratch: its left rows at rows[leftAt..), its right rows at rows[rightAt..). The
 * merges of a node's parts read only scratch and write disjoint rows, so they run in parallel. A GRADIENTS
 * unit (from, to) writes gh of rows from..to−1 from raw and y with GRADIENT_LOOPS[args[2]] (the softmax's:
 * from prob, K = args[3], class args[4], its hessian scale in words 6–7); a SOFTMAX unit (from, to) writes
 * prob of rows from..to−1 from raw, K = args[2] (SOFTMAX_LOOP);
 * an ADD unit (from, to, words 6–7 the value) adds its value to raw[rows[q] · args[2] + args[3]] for q in
 * [from, to), or, when args[5] > 0, adds the value of each leaf of the table (args[5] entries from entry
 * args[4]: start, end, words 6–7 the value) to the scores of its rows with ids in [from, to). A SUBTRACT
 * unit (from, to, into, minus) subtracts the cells of spans[from..to) (the plain
 * layout's reachable spans) of the arena histogram at `minus` from the one at `into`; a SCAN unit (0, count)
 * scans its `count` numeric features (scanFeatures: feature, value bins) of the arena histogram and node
 * given in scanIn, its best split into scanOut (NUMERIC_SCAN_SOURCE). A LEVEL unit (from, to, small, first,
 * count, large, n0, n1) does a REDUCE unit's work (assigning) into the histogram at `small`, a SUBTRACT
 * unit's from the one at `large` and the SCAN of n0 features of scan slot 2u and of n1 of slot 2u + 1. A REDUCE unit (from, to, hist, first,
 * count, assign) adds the cells of spans[from..to) of regions first..first+count−1, in order, into the arena
 * histogram at `hist` (the first region's copied when `assign`), as readRegion does; with a bundling
 * (kernel.plan, models/hist/bundles.ts) BUILD units read the compact matrix, REDUCE units copy the unbundled
 * features' cells and expand the bundle members among their features, and PARTITION units' f is a column of
 * the compact matrix. A MARK unit (from, to) marks the rows of ids from..to−1 of each node of the wave (the
 * args[3] table entries from entry args[2], after the units: start, end, the first bin's byte, the step
 * between rows, the side table's byte, right, right − left) with the leaf they end in: marks[i] = right −
 * sides[bin] · (right − left), HistSpace.markRows' marks, without a partition. The loops are functions of
 * their own, made once per thread (when the source is compiled, not per fit: a closure made per fit was a
 * new call target in every fit, and V8 deoptimised its callers), so V8 optimises each.
 */
const BUILD = 0;
const PARTITION = 1;
const GRADIENTS = 2;
const ADD = 3;
const MERGE = 4;
const SUBTRACT = 5;
const SCAN = 6;
const REDUCE = 7;
const SOFTMAX = 8;
const MARK = 9;
const LEVEL = 10;
const TASK = `(() => {
  const gradientLoops = ${GRADIENT_LOOPS};
  const softmax = ${SOFTMAX_LOOP};
  const expand = ${EXPAND_SOURCE};
  const numericScan = ${NUMERIC_SCAN_SOURCE};
  // The thread's exp kernel instance (its own memory), made at its first task and kept: one per fit made
  // the loops that call it meet a new function in every fit, and V8 deoptimised them ("wrong call target").
  let lanes = null;
  const addToRows = (raw, rows, from, to, K, k, value) => {
    for (let q = from; q < to; q++) raw[rows[q] * K + k] += value;
  };
  // Puts the node's parts (units first..first + parts − 1, each partitioned into scratch) back in rows: their
  // left rows in order from the node's start, then their right rows, as MERGE units do.
  const mergeNode = (data, first, parts) => {
    const { units, kernel } = data;
    const { rowsAt, scratchAt } = kernel.layout;
    let left = 0;
    for (let q = first; q < first + parts; q++) left += units[q * ${UNIT_WORDS} + 5];
    let leftAt = units[first * ${UNIT_WORDS}];
    let rightAt = leftAt + left;
    for (let q = first; q < first + parts; q++) {
      const from = units[q * ${UNIT_WORDS}];
      const to = units[q * ${UNIT_WORDS} + 1];
      const partLeft = units[q * ${UNIT_WORDS} + 5];
      data.wasm.copy(rowsAt + 4 * leftAt, scratchAt + 4 * (to - partLeft), 4 * partLeft);
      data.wasm.copy(rowsAt + 4 * rightAt, scratchAt + 4 * from, 4 * (to - from - partLeft));
      leftAt += partLeft;
      rightAt += to - from - partLeft;
    }
  };
  // A MERGE unit at table word \`at\`: its part's left and right rows back from scratch into rows.
  const mergePart = (data, at) => {
    const { units, kernel } = data;
    const l = kernel.layout;
    const from = units[at];
    const to = units[at + 1];
    const left = units[at + 2];
    data.wasm.copy(l.rowsAt + 4 * units[at + 3], l.scratchAt + 4 * (to - left), 4 * left);
    data.wasm.copy(l.rowsAt + 4 * units[at + 4], l.scratchAt + 4 * from, 4 * (to - from - left));
  };
  // Returns once the BUILD run's MERGE units are all done (left[0] = 0): a copy or two, so a spin, then
  // (a thread that merges descheduled on a loaded machine) sleeps of at most 1 ms, not a spin that takes its core.
  const awaitMerges = (left) => {
    for (let s = 0, v = Atomics.load(left, 0); v > 0; s++, v = Atomics.load(left, 0))
      if (s >= ${MERGE_SPINS}) Atomics.wait(left, 0, v, 1);
  };
  // The first q in [lo, hi) with rows[q] ≥ id (rows[lo..hi) ascending), else hi.
  const firstFrom = (rows, lo, hi, id) => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Marks the rows with ids in [a, b) of each node of the wave (table entries first..first + nodes − 1:
  // start, end, the bins' first byte, step, side table, right, right − left), with the kernel's markSides.
  const markRange = (data, a, b, first, nodes) => {
    const { units, rows, kernel } = data;
    const l = kernel.layout;
    for (let j = first; j < first + nodes; j++) {
      const at = j * ${UNIT_WORDS};
      const lo = firstFrom(rows, units[at], units[at + 1], a);
      const hi = firstFrom(rows, lo, units[at + 1], b);
      if (hi > lo) data.wasm.markSides(units[at + 2], units[at + 3], l.rowsAt + 4 * lo, hi - lo, l.marksAt, units[at + 4], units[at + 5], units[at + 6]);
    }
  };
  // Adds each leaf's value (table entries first..first + leaves − 1: start, end, words 6–7 the value) to the
  // scores raw[i · K + k] of its rows with ids in [a, b).
  const addRange = (data, a, b, first, leaves, K, k) => {
    const { units, rows, values, raw } = data;
    for (let j = first; j < first + leaves; j++) {
      const at = j * ${UNIT_WORDS};
      const lo = firstFrom(rows, units[at], units[at + 1], a);
      const hi = firstFrom(rows, lo, units[at + 1], b);
      addToRows(raw, rows, lo, hi, K, k, values[at / 2 + 3]);
    }
  };
  const subtract = (a, spans, from, to, into, minus) => {
    for (let s = from; s < to; s += 2) {
      const end = spans[s + 1];
      let k = spans[s];
      for (; k + 1 < end; k += 2) {
        const g = a[into + k] - a[minus + k];
        const h = a[into + k + 1] - a[minus + k + 1];
        a[into + k] = g;
        a[into + k + 1] = h;
      }
      if (k < end) a[into + k] -= a[minus + k];
    }
  };
  const reduce = (data, from, to, hist, first, count, assign) => {
    const { kernel } = data;
    const l = kernel.layout;
    const a = data.arena;
    const f64 = data.f64;
    const rs = kernel.spans;
    const ps = kernel.copyTo;
    for (let r = first; r < first + count; r++) {
      const region = (kernel.histAt >>> 3) + r * (kernel.regionBytes >>> 3);
      for (let s = from; s < to; s += 2) {
        const shift = hist + ps[s] - rs[s] - region;
        const end = region + rs[s + 1];
        if (r === first && assign === 1) for (let k = region + rs[s]; k < end; k++) a[k + shift] = f64[k];
        else for (let k = region + rs[s]; k < end; k++) a[k + shift] += f64[k];
      }
      if (kernel.plan !== null) {
        const add = r !== first || assign !== 1;
        expand(a, hist, kernel.cells, f64, region, l.featureBytes >>> 3, kernel.plan, from >>> 2, to >>> 2, l.missing, add);
      }
    }
  };
  const scan = (data, u, count) => {
    const l = data.kernel.layout;
    const p = data.scanIn.subarray(8 * u, 8 * u + 8);
    const out = data.scanOut.subarray(8 * u, 8 * u + 8);
    const fs = data.scanFeatures;
    const cells = 2 * (l.missing + 1);
    out[0] = 0;
    out[1] = -1;
    for (let q = 2 * ${UNIT_FEATURES} * u; q < 2 * ${UNIT_FEATURES} * u + 2 * count; q += 2) {
      const base = p[0] + fs[q] * cells;
      numericScan(data.arena, fs[q], base, base + 2 * l.missing, fs[q + 1], p[1], p[2], p[3], p[4], p[5], p[6], p[7], out);
    }
  };
  // A LEVEL unit (u, at table word \`at\`: from, to, small, first, shares, large, and the two scans' feature
  // counts): its feature block's cells (spans[from..to)) of the small child's shares reduced into its
  // histogram, then subtracted from the large child's (its parent's), then the block's features of both
  // scanned (slots 2u and 2u + 1; a count of 0 scans nothing). Every step reads only the block's cells.
  const level = (data, u, at) => {
    const units = data.units;
    const from = units[at];
    const to = units[at + 1];
    const small = units[at + 2];
    reduce(data, from, to, small, units[at + 3], units[at + 4], 1);
    subtract(data.arena, data.spans, from, to, units[at + 5], small);
    scan(data, 2 * u, units[at + 6]);
    scan(data, 2 * u + 1, units[at + 7]);
  };
  // The fit's data with this thread's kernel instance and views of its memory, made at its first task. A new
  // object of one shape, not properties added to the data sent: the worker's copy of each fit's data got a
  // map of its own, and the task (inlining the helpers) deoptimised in every fit ("wrong map"). Weakly held:
  // a finished fit's memory is not kept.
  const fits = new WeakMap();
  const fitOf = (sent) => {
    let data = fits.get(sent);
    if (data !== undefined) return data;
    const { kernel, units } = sent;
    const { memory, layout: l } = kernel;
    data = {
      kernel,
      units,
      next: sent.next,
      raw: sent.raw,
      y: sent.y,
      prob: sent.prob,
      arena: sent.arena,
      spans: sent.spans,
      scanIn: sent.scanIn,
      scanOut: sent.scanOut,
      scanFeatures: sent.scanFeatures,
      partsLeft: sent.partsLeft,
      mergesLeft: sent.mergesLeft,
      nodeValues: sent.nodeValues,
      curveRows: sent.curveRows,
      curveTerms: sent.curveTerms,
      wasm: new WebAssembly.Instance(kernel.module, { env: { memory } }).exports,
      f64: new Float64Array(memory.buffer),
      rows: new Int32Array(memory.buffer, l.rowsAt, l.rows),
      gh: new Float64Array(memory.buffer, l.ghAt, 2 * l.rows),
      values: new Float64Array(units.buffer),
      marks: new Uint16Array(memory.buffer, l.marksAt, l.rows),
    };
    fits.set(sent, data);
    if (lanes === null) {
      const expMemory = new WebAssembly.Memory({ initial: 1 });
      lanes = {
        exp: new WebAssembly.Instance(kernel.expModule, { env: { memory: expMemory } }).exports.exp,
        f64: new Float64Array(expMemory.buffer),
      };
    }
    return data;
  };
  return (sent, args) => {
    const data = fitOf(sent);
    const { kernel, units, next } = data;
    const l = kernel.layout;
    const kind = args[0];
    const count = args[1];
    for (let u = Atomics.add(next, 0, 1); u < count; u = Atomics.add(next, 0, 1)) {
      const at = u * ${UNIT_WORDS};
      const from = units[at];
      const to = units[at + 1];
      if (kind === ${GRADIENTS}) {
        gradientLoops[args[2]](data.raw, data.y, data.gh, from, to, data.prob, args[3], args[4], data.values[at / 2 + 3], lanes, data.marks, data.nodeValues, data.curveRows, data.curveTerms);
        continue;
      }
      if (kind === ${SOFTMAX}) {
        softmax(lanes, data.raw, data.prob, from, to, args[2]);
        continue;
      }
      if (kind === ${SUBTRACT}) {
        subtract(data.arena, data.spans, from, to, units[at + 2], units[at + 3]);
        continue;
      }
      if (kind === ${REDUCE}) {
        reduce(data, from, to, units[at + 2], units[at + 3], units[at + 4], units[at + 5]);
        continue;
      }
      if (kind === ${LEVEL}) {
        level(data, u, at);
        continue;
      }
      if (kind === ${SCAN}) {
        scan(data, u, to);
        continue;
      }
      if (kind === ${MERGE}) {
        mergePart(data, at);
        continue;
      }
      if (kind === ${ADD}) {
        if (args[5] > 0) addRange(data, from, to, args[4], args[5], args[2], args[3]);
        else addToRows(data.raw, data.rows, from, to, args[2], args[3], data.values[at / 2 + 3]);
        continue;
      }
      if (kind === ${MARK}) {
        markRange(data, from, to, args[2], args[3]);
        continue;
      }
      if (kind === ${BUILD}) {
        // The last partition's MERGE units first (args[3] of them: buildAll), the builds after them all.
        if (u < args[3]) {
          mergePart(data, at);
          if (Atomics.sub(data.mergesLeft, 0, 1) === 1) Atomics.notify(data.mergesLeft, 0);
          continue;
        }
        if (args[3] > 0) awaitMerges(data.mergesLeft);
        // A round's root shares with its gradients (args[2] ≥ 0: fusedBuild): rows[from..to) are from..to − 1.
        if (args[2] >= 0) gradientLoops[args[2]](data.raw, data.y, data.gh, from, to, data.prob, 0, 0, 0, lanes, data.marks, data.nodeValues, data.curveRows, data.curveTerms);
        const hist = kernel.histAt + units[at + 2] * kernel.regionBytes;
        const spans = kernel.zero;
        for (let s = 0; s < spans.length; s += 2) data.f64.fill(0, (hist >>> 3) + spans[s], (hist >>> 3) + spans[s + 1]);
        data.wasm.build(kernel.buildAt, kernel.buildStride, l.ghAt, l.rowsAt + 4 * from, to - from, hist, l.featureBytes, kernel.buildFeatures);
        continue;
      }
      // With a bundling, f is a column of the compact matrix (partitionAll maps it: bundledCut), as in
      // partitionSource (kernels/hist-build.ts).
      const f = units[at + 2];
      const bytes = kernel.plan !== null ? 1 : l.binBytes;
      const rowMajor = kernel.plan !== null ? l.bundledAt : l.binsAt;
      const first = l.columnsAt >= 0 ? l.columnsAt + f * l.rows * bytes : rowMajor + f * bytes;
      const step = l.columnsAt >= 0 ? 1 : kernel.plan !== null ? l.bundledStride : l.stride;
      const sides = l.sidesAt + l.sideBytes * units[at + 3];
      const mode = units[at + 4];
      // The kernel copies the right rows back (mode 1), else the left rows to scratch after the right ones.
      const left = data.wasm.partition(first, step, l.rowsAt + 4 * from, to - from, l.scratchAt + 4 * from, sides, mode === 1 ? 1 : 2);
      units[at + 5] = left;
      if (mode !== 1) {
        // The other parts' counts and rows were written before their decrements: the last one sees them all.
        if (mode === 2 && Atomics.sub(data.partsLeft, units[at + 3], 1) === 1) mergeNode(data, units[at + 6], units[at + 7]);
      }
    }
  };
})()`;

/**
 * The task as a function on this thread, compiled from the same constant source the workers run (one copy of
 * the code; no input of any user reaches it).
 */
const runUnits = new Function(`return ${TASK}`)() as (data: object, args: ArrayLike<number>) => void;

/**
 * Starts the workers a fit on `threads` threads leases (its binning's, then its NodeThreads'), so that they
 * start (50–150 ms each on the loaded 2-core VM) while this thread still fits the bin mapper, not while it
 * waits for them in the binning.
 */
export function warmNodeThreads(threads: number): void {
  warmCrew(threads - 1, TASK);
}

/** Typed arrays over shared memory. */
export function shared<T extends Uint8Array | Int32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(8, length * Kind.BYTES_PER_ELEMENT)));
}

/** Typed arrays over shared memory, holding a copy of `values`. */
export function sharedCopy(values: Float64Array): Float64Array {
  const copy = shared(Float64Array, values.length).subarray(0, values.length);
  copy.set(values);
  return copy;
}

/** The fit's raw scores (over shared memory: sharedCopy) and targets, for the per-row loops. */
export interface RowScores {
  raw: Float64Array;
  y: Float64Array;
  /**
   * With leaf marks (threadsMark), the pending leaf values by mark (MarkedScores.nodeValues, over shared
   * memory), which the gradient units add first (markedGradients).
   */
  nodeValues?: Float64Array;
  /**
   * The rows (ascending) whose mean log-loss the learning curve takes each round: the log-loss gradient units
   * write their terms (curveTerms) from the exps they take anyway, and curveLoss sums them here in order.
   */
  curveRows?: Int32Array;
}

/** A leaf's rows rows[start..end), whose raw scores get its value. */
export interface LeafRows {
  start: number;
  end: number;
}

export class NodeThreads {
  private readonly pool: Crew | null;
  private readonly regions: number;
  private readonly units: Int32Array;
  /** Words 6–7 of each unit, as f64s (a leaf's value). */
  private readonly values: Float64Array;
  /** The next unit to take (shared by all threads). */
  private readonly next = shared(Int32Array, 1);
  /** This thread's data for the task (the workers are sent the same). */
  private readonly data: object;
  /** The targets, over shared memory for the workers. */
  private readonly y: Float64Array;
  /** Outputs per row (raw is n × outputs). */
  private readonly outputs: number;
  /**
   * The round's softmax probabilities (n × outputs) in shared memory, when there are workers and several
   * outputs: the threads compute them (prepare) and the gradients from them.
   */
  private readonly prob: Float64Array | null;
  /** The node histograms: from a shared arena when there are workers, so they can subtract and scan them. */
  readonly histograms: HistogramPool;
  /** Per SCAN unit: [histogram start in the arena, G, H, parent score, minH, maxH, l1, l2]. */
  private readonly scanIn: Float64Array;
  /** Per SCAN unit: its best split, as NUMERIC_SCAN_SOURCE writes it. */
  private readonly scanOut: Float64Array;
  /** Per SCAN unit: UNIT_FEATURES (feature, value bins) pairs. */
  private readonly scanFeatures: Int32Array;
  /** The reachable cells of a histogram (the plain layout), as [from, to) pairs, two per feature. */
  private readonly spans: Int32Array;
  /** partitionAll's parts per node of a wave. */
  private readonly parts = new Int32Array(SIDE_SLOTS);
  /** Per node of a partition wave: 1 when its parts are merged in the wave (by its last part's thread). */
  private readonly mergedInWave = new Uint8Array(SIDE_SLOTS);
  /** Per node of a partition wave: its parts not yet partitioned (counted down by the threads). */
  private readonly partsLeft = shared(Int32Array, SIDE_SLOTS);
  /** mergeParts' MERGE units, written here while the PARTITION units' results are read from the table. */
  private readonly merges: Int32Array;
  /**
   * The marks queued for the next partition wave (markRows), marking[0..marks). Made holding an object, so
   * its elements kind never changes: a new fit's empty array (small integers) turned into one of objects at
   * its first push, and partitionAll, markRows and growTree's markSplit deoptimised on its map in every fit.
   */
  private readonly marking: NodeMark[] = [NO_MARK];
  private marks = 0;
  /** The gradient loop markedGradients deferred to the next buildAll (fusedBuild), or −1. */
  private deferred = -1;
  /**
   * The last partition wave's MERGE units (in merges), not yet run: the next buildAll runs them in its first
   * wave, before its builds (which read the merged rows), instead of in a wave of their own; a partition
   * (which reads rows too) runs them first.
   */
  private pendingMerges = 0;
  /** Their work (bin updates). */
  private mergeWork = 0;
  /** The MERGE units of a BUILD wave not yet done (its builds wait for them). */
  private readonly mergesLeft = shared(Int32Array, 1);
  /** RowScores.curveRows over shared memory (empty without them), and each one's log-likelihood term. */
  private readonly curveRows: Int32Array;
  private readonly curveTerms: Float64Array;
  /** Whether the last markedGradients' loop (a log-loss one, over all rows) writes curveTerms. */
  private curveDue = false;

  /**
   * @param threads - total threads, this one included (1: the same units, all run here)
   * @param space - with regionsFor(threads) regions and SIDE_SLOTS side tables
   * @param reach - the reachable cells (reachableBins) the space was told of (useReachable)
   * @param scores - raw over shared memory (sharedCopy), n × outputs, and the n targets
   * @param minRows - rows of a share, at least (0, for tests: every node is cut into MAX_SHARES and every
   *   level runs on all threads)
   */
  constructor(
    threads: number,
    private readonly space: HistSpace,
    reach: Int32Array,
    private readonly scores: RowScores,
    private readonly minRows = parallelMinRows(space.layout.stride),
    options: PoolOptions = {},
  ) {
    const { layout } = space;
    this.regions = layout.regions;
    this.units = shared(Int32Array, UNIT_WORDS * Math.max(this.regions, SIDE_SLOTS * MAX_SHARES));
    this.values = new Float64Array(this.units.buffer);
    this.merges = new Int32Array(this.units.length);
    this.y = threads > 1 && !(scores.y.buffer instanceof SharedArrayBuffer) ? sharedCopy(scores.y) : scores.y;
    this.outputs = scores.y.length > 0 ? scores.raw.length / scores.y.length : 1;
    this.prob = threads > 1 && this.outputs > 1 ? shared(Float64Array, scores.raw.length) : null;
    const curveRows = scores.curveRows ?? new Int32Array(0);
    this.curveRows = shared(Int32Array, curveRows.length).subarray(0, curveRows.length);
    this.curveRows.set(curveRows);
    this.curveTerms = shared(Float64Array, curveRows.length);
    const regionBytes = space.region(0).byteLength;
    // The cells the builds zero (useReachable; the compact matrix's columns with a bundling), in the region
    // layout; without a bundling, the reduces copy the same cells into the plain layout's (this.spans).
    const cells = histStrideOf(layout.missing);
    this.spans = reachableSpans(reach, layout.stride, cells, layout.missing);
    const spans = reachableSpans(reach, layout.stride, layout.featureBytes / 8, layout.missing);
    const copy = space.bundling ? space.copyRegionSpans : { region: spans, plain: this.spans };
    const source = space.buildSource;
    const kernel = {
      module: space.module,
      memory: space.memory,
      layout,
      histAt: layout.histAt,
      regionBytes,
      zero: space.bundling ? space.buildSpans : spans,
      spans: copy.region,
      copyTo: copy.plain,
      buildAt: source.at,
      buildStride: source.stride,
      buildFeatures: space.buildFeatures,
      // With a bundling, the reduces expand the compact histograms (bundles.ts) instead of copying.
      plan: space.bundling?.plan ?? null,
      cells,
      expModule: expModule(),
    };
    const histLength = layout.stride * cells;
    const arenaHists =
      threads > 1 ? Math.min(ARENA_MAX_HISTS, Math.floor(ARENA_MAX_BYTES / (8 * histLength))) : 0;
    const arena = arenaHists > 0 ? shared(Float64Array, arenaHists * histLength) : null;
    this.histograms = new HistogramPool(layout.stride, cells, arena);
    const capacity = this.units.length / UNIT_WORDS;
    // Two scan slots a unit: a LEVEL unit scans a block of each of its two children.
    this.scanIn = shared(Float64Array, 16 * capacity);
    this.scanOut = shared(Float64Array, 16 * capacity);
    this.scanFeatures = shared(Int32Array, 4 * UNIT_FEATURES * capacity);
    const dataOf = () => ({
      kernel,
      units: this.units,
      next: this.next,
      raw: scores.raw,
      y: this.y,
      prob: this.prob,
      arena,
      spans: this.spans,
      scanIn: this.scanIn,
      scanOut: this.scanOut,
      scanFeatures: this.scanFeatures,
      partsLeft: this.partsLeft,
      mergesLeft: this.mergesLeft,
      nodeValues: scores.nodeValues ?? null,
      curveRows: this.curveRows,
      curveTerms: this.curveTerms,
    });
    this.data = dataOf();
    this.pool = threads > 1 ? leaseCrew(threads - 1, TASK, dataOf, options) : null;
  }

  /** Builds every node's histogram: its shares in parallel with the other nodes', then added in order. */
  buildAll(nodes: NodeHist[]): void {
    // The round's gradients (deferred by markedGradients) with the root's shares, when these are its.
    const gradients = this.fusedBuild(nodes);
    if (gradients < 0) this.runDeferred();
    this.deferred = -1;
    const units = this.sharesOfNodes(nodes);
    // Plain loops (no iterators or callbacks): this runs a few times a level, and V8's optimising compile of
    // it competes with the fit's threads in a cold fit.
    for (let w = 0; w < units.length; w += this.regions) {
      const wave = units.slice(w, w + this.regions);
      const merges = this.mergesFirst(wave.length);
      const rows = this.writeBuilds(wave, merges);
      const work =
        rows * (this.stride + (gradients >= 0 ? GRADIENT_WORK : 0)) + (merges > 0 ? this.mergeWork : 0);
      this.run([BUILD, merges + wave.length, gradients, merges], work);
      this.reduceWave(wave);
    }
    this.runMerges();
  }

  /** Each node's shares (sharesOf its rows), in node order. */
  private sharesOfNodes(nodes: NodeHist[]): BuildShare[] {
    const units: BuildShare[] = [];
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n];
      const shares = sharesOf(node.end - node.start, this.minRows);
      const size = ceilDiv(node.end - node.start, shares);
      for (let share = 0; share < shares; share++) {
        const from = Math.min(node.end, node.start + share * size);
        units.push({ node, share, from, to: Math.min(node.end, from + size) });
      }
    }
    return units;
  }

  /** Writes a wave's BUILD units (share r into region r) into the table from unit `at`; returns their rows. */
  private writeBuilds(wave: BuildShare[], at: number): number {
    let rows = 0;
    for (let r = 0; r < wave.length; r++) {
      const u = wave[r];
      this.units[UNIT_WORDS * (at + r)] = u.from;
      this.units[UNIT_WORDS * (at + r) + 1] = u.to;
      this.units[UNIT_WORDS * (at + r) + 2] = r;
      rows += u.to - u.from;
    }
    return rows;
  }

  /**
   * A level's histograms, subtractions and split scans: buildAll(small), subtractAll(pairs) and
   * findSplits(scans), with pairs[k].minus small[k]'s histogram and each scan's histogram one of a pair's.
   * When the level fits (levelShares), after its BUILD wave, one wave of LEVEL units, one per pair and block
   * of UNIT_FEATURES features, each reducing the small child's shares of its block, subtracting them from the
   * large child's and scanning both children's features of the block, instead of a REDUCE, a SUBTRACT and a
   * SCAN wave: the same cells added in the same order, the same subtractions, and a node's blocks' bests
   * taken in feature order (a later one only when its gain is larger), as findSplits' units give. Up to two
   * wake-ups a level fewer, and the block's cells are in cache for its subtraction and scans. (The LEVEL units
   * in the BUILD wave itself, each waiting for its pair's builds, were slower: 2026-12-08, worker waits.)
   */
  growLevel(
    small: NodeHist[],
    pairs: NodeSubtract[],
    scans: NodeScan[],
    binCounts: Int32Array,
    categories: Int32Array,
    rules: SplitRules,
  ): void {
    const shares = this.levelShares(small, pairs, scans, categories);
    if (shares === null) {
      this.buildAll(small);
      this.subtractAll(pairs);
      this.findSplits(scans, binCounts, categories, rules);
      return;
    }
    // Not a round's root: the deferred gradients run first (as buildAll's fusedBuild decides).
    this.runDeferred();
    const merges = this.mergesFirst(shares.length);
    const rows = this.writeBuilds(shares, merges);
    this.run(
      [BUILD, merges + shares.length, -1, merges],
      rows * this.stride + (merges > 0 ? this.mergeWork : 0),
    );
    const cells = this.queueLevel(shares, pairs) + this.queueLevelScans(pairs, scans, binCounts, rules);
    this.run([LEVEL, pairs.length * this.blocks], cells);
    this.takeLevelScans(pairs, scans);
  }

  /** Blocks of UNIT_FEATURES features of a histogram (REDUCE, SUBTRACT and LEVEL units). */
  private get blocks(): number {
    return ceilDiv(this.spans.length / 4, UNIT_FEATURES);
  }

  /**
   * The small children's shares, when the level runs in a BUILD wave and a LEVEL wave (growLevel): every
   * histogram in the arena, each scan over ascending numeric features of a pair's child (in the pairs'
   * order), the builds within the regions and the LEVEL units within the table; else null.
   */
  private levelShares(
    small: NodeHist[],
    pairs: NodeSubtract[],
    scans: NodeScan[],
    categories: Int32Array,
  ): BuildShare[] | null {
    if (pairs.length === 0 || small.length !== pairs.length) return null;
    for (let k = 0; k < pairs.length; k++) {
      const { into, minus } = pairs[k];
      if (small[k].hist !== minus || this.inArena(into) < 0 || this.inArena(minus) < 0) return null;
    }
    for (let s = 0, k = 0; s < scans.length; s++) {
      while (k < pairs.length && scans[s].hist !== pairs[k].minus && scans[s].hist !== pairs[k].into) k++;
      if (
        k === pairs.length ||
        !ascending(scans[s].features) ||
        anyCategorical(scans[s].features, categories)
      )
        return null;
    }
    const shares = this.sharesOfNodes(small);
    const fits = shares.length <= this.regions && pairs.length * this.blocks <= this.capacity;
    return fits ? shares : null;
  }

  /**
   * Writes the LEVEL units: pair k's block b at unit k · blocks + b, its small child's shares in consecutive
   * regions from `region` as the BUILD wave left them (its scans' counts 0 until queueLevelScans); returns
   * their cells (reduced, subtracted).
   */
  private queueLevel(shares: BuildShare[], pairs: NodeSubtract[]): number {
    const { spans, blocks, units } = this;
    const features = spans.length / 4;
    let cells = 0;
    for (let k = 0, r = 0; k < pairs.length; k++) {
      const region = r;
      while (r < shares.length && shares[r].node.hist === pairs[k].minus) r++;
      const small = this.inArena(pairs[k].minus);
      const large = this.inArena(pairs[k].into);
      for (let b = 0; b < blocks; b++) {
        const to = 4 * Math.min(features, (b + 1) * UNIT_FEATURES);
        units.set(
          [4 * b * UNIT_FEATURES, to, small, region, r - region, large, 0, 0],
          UNIT_WORDS * (k * blocks + b),
        );
        cells += (r - region + 1) * (spans[to - 1] - spans[4 * b * UNIT_FEATURES]);
      }
    }
    return cells;
  }

  /**
   * Writes each scan's blocks into the LEVEL units' scan slots (unit u's: 2u for the small child, 2u + 1 for
   * the large one), as queueScan does per unit; returns the cells scanned.
   */
  private queueLevelScans(
    pairs: NodeSubtract[],
    scans: NodeScan[],
    binCounts: Int32Array,
    rules: SplitRules,
  ): number {
    const { blocks, units, scanFeatures } = this;
    let cells = 0;
    for (let s = 0, k = 0; s < scans.length; s++) {
      const { features, node, hist } = scans[s];
      while (hist !== pairs[k].minus && hist !== pairs[k].into) k++;
      const which = hist === pairs[k].minus ? 0 : 1;
      const parent = leafScore(node.g, node.h, rules.l1, rules.l2);
      const bounds = childHessianBounds(node, rules);
      let q = 0;
      for (let b = 0; b < blocks; b++) {
        const u = k * blocks + b;
        const slot = 2 * u + which;
        let count = 0;
        for (; q < features.length && features[q] < (b + 1) * UNIT_FEATURES; q++, count++) {
          scanFeatures[2 * (UNIT_FEATURES * slot + count)] = features[q];
          scanFeatures[2 * (UNIT_FEATURES * slot + count) + 1] = binCounts[features[q]];
          cells += 2 * binCounts[features[q]];
        }
        units[UNIT_WORDS * u + 6 + which] = count;
        this.writeScanNode(slot, this.inArena(hist), node, parent, bounds, rules);
      }
    }
    return cells;
  }

  /** Each scan's best split from its blocks' bests (scan slots), taken in feature order as ScanQueue does. */
  private takeLevelScans(pairs: NodeSubtract[], scans: NodeScan[]): void {
    const { blocks, scanOut } = this;
    for (let s = 0, k = 0; s < scans.length; s++) {
      const { split, hist } = scans[s];
      while (hist !== pairs[k].minus && hist !== pairs[k].into) k++;
      const which = hist === pairs[k].minus ? 0 : 1;
      split.gain = 0;
      split.feature = -1;
      for (let b = 0; b < blocks; b++) {
        const at = 8 * (2 * (k * blocks + b) + which);
        if (scanOut[at + 1] >= 0 && scanOut[at] > split.gain) takeScanned(split, scanOut, at);
      }
    }
  }

  /**
   * The pending MERGE units (mergeParts), put first in the table for a BUILD wave of `builds` units, which
   * runs them before its builds (so one wake-up, not two); returns how many (0: none, or no room).
   */
  private mergesFirst(builds: number): number {
    const count = this.pendingMerges;
    if (count === 0 || count + builds > this.capacity) {
      this.runMerges();
      return 0;
    }
    this.pendingMerges = 0;
    this.units.set(this.merges.subarray(0, UNIT_WORDS * count));
    Atomics.store(this.mergesLeft, 0, count);
    return count;
  }

  /**
   * Each node's shares of a wave (consecutive regions) added in share order into its histogram: by REDUCE
   * units of UNIT_FEATURES features on the threads when the histogram is in the arena, else here.
   */
  private reduceWave(wave: Array<{ node: NodeHist; share: number }>): void {
    const features = this.spans.length / 4;
    const units = new UnitQueue(this.units, this, [REDUCE, 0]);
    for (let r = 0; r < wave.length; ) {
      const { node, share } = wave[r];
      let shares = 1;
      while (r + shares < wave.length && wave[r + shares].node === node) shares++;
      const at = this.inArena(node.hist);
      if (at < 0) for (let q = r; q < r + shares; q++) this.space.readRegion(q, node.hist, wave[q].share > 0);
      else
        for (let f = 0; f < features; f += UNIT_FEATURES) {
          const to = 4 * Math.min(features, f + UNIT_FEATURES);
          const cells = this.spans[to - 1] - this.spans[4 * f];
          units.push([4 * f, to, at, r, shares, share === 0 ? 1 : 0], shares * cells);
        }
      r += shares;
    }
    units.done();
  }

  /**
   * Partitions every node stably (nodes are disjoint); large nodes in parts, whose left rows and right rows
   * are then put together in order (the same rows as one pass). Returns the rows sent left, per node.
   * `mergeInNextBuild` (the grower, whose next call is the level's buildAll): that putting together runs in
   * the next buildAll's first wave (mergesFirst), so the row list is not complete until then.
   */
  partitionAll(cuts: NodeCut[], mergeInNextBuild = false): Int32Array {
    this.runMerges();
    if (this.marks > 0) this.markAll();
    const nLeft = new Int32Array(cuts.length);
    const { bundling } = this.space;
    const { parts, mergedInWave } = this;
    for (let w = 0; w < cuts.length; w += SIDE_SLOTS) {
      this.runMerges();
      const nodes = Math.min(SIDE_SLOTS, cuts.length - w);
      const partRows = this.partRows(cuts, w, nodes);
      const mergeHereRows = this.mergeHereRows(cuts, w, nodes);
      let count = 0;
      let work = 0;
      for (let slot = 0; slot < nodes; slot++) {
        const c = cuts[w + slot];
        // One part per node on one thread (the parts' merge would be pure overhead there).
        parts[slot] = this.pool ? sharesOf(c.end - c.start, partRows) : 1;
        const cut = bundling ? bundledCut(bundling, c.f, c.sides) : { column: c.f, sides: c.sides };
        this.space.setSides(cut.sides, slot);
        const size = ceilDiv(c.end - c.start, parts[slot]);
        // With minRows 0 (tests), every other node is merged in the wave, so both ways run.
        const inWave = this.minRows === 0 ? slot % 2 === 1 : c.end - c.start <= mergeHereRows;
        mergedInWave[slot] = parts[slot] > 1 && inWave ? 1 : 0;
        const mode = parts[slot] === 1 ? 1 : mergedInWave[slot] === 1 ? 2 : 0;
        this.partsLeft[slot] = parts[slot];
        const first = count;
        for (let q = 0; q < parts[slot]; q++) {
          const from = Math.min(c.end, c.start + q * size);
          const to = Math.min(c.end, from + size);
          this.units.set([from, to, cut.column, slot, mode, 0, first, parts[slot]], UNIT_WORDS * count++);
        }
        work += c.end - c.start;
      }
      this.run([PARTITION, count], work * this.stride);
      this.mergeParts(cuts, w, nodes, nLeft);
    }
    if (!mergeInNextBuild) this.runMerges();
    return nLeft;
  }

  /**
   * Marks rows[start..end) with their leaves, as HistSpace.markRows does (marks[i] = left when sides sends
   * row i's bin of f left, else right), on the threads: queued here, and run in the level's partition wave
   * (growTree calls partitionAll after its splits, the deepest level's marked: GrowData.leafMarks), so a
   * level that marks costs no more wake-ups than one that partitions.
   */
  markRows(start: number, end: number, f: number, sides: Uint8Array, left: number, right: number): void {
    this.marking[this.marks++] = { start, end, f, sides, left, right };
  }

  /**
   * The queued marks (markRows), as MARK units over ranges of row ids, each marking the rows of every node
   * of the wave in its range (a node's rows are ascending: growTree's partitions are stable): the threads
   * write disjoint parts of the marks. Units over nodes, whose rows are spread over all ids, wrote the same
   * cache lines of the marks from both threads (1M × 28: a level's marking took 1.5× a partition's time).
   */
  private markAll(): void {
    const { bundling } = this.space;
    const l = this.space.layout;
    const { marking, marks } = this;
    for (let w = 0; w < marks; w += SIDE_SLOTS) {
      const nodes = Math.min(SIDE_SLOTS, marks - w);
      const count = this.rangeUnits(nodes);
      let work = 0;
      for (let slot = 0; slot < nodes; slot++) {
        const m = marking[w + slot];
        const cut = bundling ? bundledCut(bundling, m.f, m.sides) : { column: m.f, sides: m.sides };
        this.space.setSides(cut.sides, slot);
        const source = partitionSource(l, cut.column, bundling !== null);
        const sides = l.sidesAt + l.sideBytes * slot;
        const entry = [m.start, m.end, source.first, source.step, sides, m.right, m.right - m.left];
        this.units.set(entry, UNIT_WORDS * (count + slot));
        work += m.end - m.start;
      }
      // The node table follows the count range units.
      this.run([MARK, count, count, nodes], work * this.stride);
    }
    this.marks = 0;
  }

  /**
   * Writes the units over ranges of row ids of a wave (MARK, or ADD by ranges) whose table of `nodes` entries
   * follows them; returns how many (the first table entry's index).
   */
  private rangeUnits(nodes: number): number {
    const n = this.space.layout.rows;
    const size = this.rangeRows(nodes);
    let count = 0;
    for (let from = 0; from < n; from += size)
      this.units.set([from, Math.min(n, from + size)], UNIT_WORDS * count++);
    return count;
  }

  /**
   * Row ids of a range unit (MARK, ADD by ranges), for a wave of `nodes` nodes: MARK_RANGES_PER_THREAD units a
   * thread (so that a late worker leaves this thread no long wait for its unit) of MARK_MIN_ROWS to ROW_UNIT
   * rows (each unit searches every node's rows for its range), as many as fit before the node table; a
   * multiple of 32 rows (a 64-byte line of marks). minRows 0 (tests): MAX_SHARES units.
   */
  private rangeRows(nodes: number): number {
    const n = this.space.layout.rows;
    const threads = this.pool ? this.pool.size + 1 : 1;
    const even = ceilDiv(n, this.minRows === 0 ? MAX_SHARES : MARK_RANGES_PER_THREAD * threads);
    const size = this.minRows === 0 ? even : Math.max(MARK_MIN_ROWS, Math.min(ROW_UNIT, even));
    return 32 * ceilDiv(Math.max(size, ceilDiv(n, this.capacity - nodes)), 32);
  }

  /**
   * Rows of a partition part, at least, for the wave's nodes cuts[w..w + nodes): enough parts for the threads
   * to share the wave evenly (PARTS_PER_THREAD each, so no part is more than 1/PARTS_PER_THREAD of a
   * thread's share), and no more: a node in parts costs a MERGE pass over its rows (and a copy of its left
   * rows), a whole node neither. The rows a part gets do not change the partition (it is stable), so the
   * model does not depend on this. minRows 0 (tests): every node in MAX_SHARES parts.
   */
  private partRows(cuts: Array<{ start: number; end: number }>, w: number, nodes: number): number {
    let rows = 0;
    for (let slot = 0; slot < nodes; slot++) rows += cuts[w + slot].end - cuts[w + slot].start;
    return partRowsOf(rows, this.pool ? this.pool.size + 1 : 1, this.minRows);
  }

  /**
   * Rows of a node in parts of the wave cuts[w..w + nodes), at most, for its last part's thread to merge it
   * in the wave: MERGE_HERE_ROWS, and, while the workers answer at once (this thread's spin for them at
   * SPIN_MAX_MS or near: pool.ts), no more than a thread's share of the wave (a node alone in its wave, the
   * root, is merged by all threads: one thread's copy would leave the others idle). When this thread has had
   * to sleep waiting for them (a loaded machine), a MERGE wave's wake-up costs more than that copy.
   */
  private mergeHereRows(cuts: NodeCut[], w: number, nodes: number): number {
    if (this.pool === null) return 0;
    let slow = false;
    for (let k = 0; k < this.pool.size; k++) slow ||= this.pool.spinMs(k) < SPIN_MAX_MS / 2;
    if (slow) return MERGE_HERE_ROWS;
    let rows = 0;
    for (let slot = 0; slot < nodes; slot++) rows += cuts[w + slot].end - cuts[w + slot].start;
    return Math.min(MERGE_HERE_ROWS, Math.floor(rows / (this.pool.size + 1)));
  }

  /**
   * The rows sent left by each node of the wave (cuts[w..w + nodes), parts in this.parts) into nLeft; a node
   * partitioned in parts gets them put together by MERGE units (unless its last part's thread did, in the
   * wave: mergedInWave): the parts' left rows in order, then their right rows (the same rows as one pass).
   * Plain loops over typed arrays: per-call arrays and closures made V8 deoptimise and recompile
   * partitionAll in every fit.
   */
  private mergeParts(cuts: NodeCut[], w: number, nodes: number, nLeft: Int32Array): void {
    const { units, parts, merges } = this;
    let count = 0;
    let work = 0;
    let u = 0;
    for (let slot = 0; slot < nodes; slot++) {
      const first = u;
      u += parts[slot];
      let left = 0;
      for (let q = first; q < u; q++) left += units[UNIT_WORDS * q + 5];
      nLeft[w + slot] = left;
      if (parts[slot] === 1 || this.mergedInWave[slot] === 1) continue;
      let leftAt = cuts[w + slot].start;
      let rightAt = leftAt + left;
      for (let q = first; q < u; q++) {
        const from = units[UNIT_WORDS * q];
        const to = units[UNIT_WORDS * q + 1];
        const partLeft = units[UNIT_WORDS * q + 5];
        merges.set([from, to, partLeft, leftAt, rightAt], UNIT_WORDS * count++);
        work += to - from;
        leftAt += partLeft;
        rightAt += to - from - partLeft;
      }
    }
    this.pendingMerges = count;
    this.mergeWork = work * MERGE_WORK;
  }

  /** Runs the pending MERGE units (mergeParts) in a wave of their own, if any. */
  private runMerges(): void {
    const count = this.pendingMerges;
    if (count === 0) return;
    this.pendingMerges = 0;
    this.units.set(this.merges.subarray(0, UNIT_WORDS * count));
    this.run([MERGE, count], this.mergeWork);
  }

  /**
   * Subtracts each pair's histograms (into −= minus): those in the arena as units of UNIT_FEATURES features
   * on the threads, the others here. Each cell is the same one subtraction on any thread.
   */
  subtractAll(pairs: NodeSubtract[]): void {
    const { spans } = this;
    const features = spans.length / 4;
    const units = new UnitQueue(this.units, this, [SUBTRACT, 0]);
    for (let p = 0; p < pairs.length; p++) {
      const { into, minus } = pairs[p];
      const a = this.inArena(into);
      const b = this.inArena(minus);
      if (a < 0 || b < 0) {
        subtractHistogram(into, minus, this.stride, spans, histStrideOf(this.space.layout.missing));
        continue;
      }
      for (let f = 0; f < features; f += UNIT_FEATURES) {
        const to = 4 * Math.min(features, f + UNIT_FEATURES);
        units.push([4 * f, to, a, b], spans[to - 1] - spans[4 * f]);
      }
    }
    units.done();
  }

  /**
   * Finds each node's best split (as findBestSplit): a node in the arena with numeric features only (and
   * units enough in the table) is scanned in units of UNIT_FEATURES features on the threads, and the units'
   * bests are taken in feature order, a later one only when its gain is larger: the first boundary of the
   * largest gain, as one scan finds it. The other nodes are scanned here.
   */
  findSplits(scans: NodeScan[], binCounts: Int32Array, categories: Int32Array, rules: SplitRules): void {
    const { missing } = this.space.layout;
    const units = new ScanQueue(this.units, this, this.scanOut);
    for (let s = 0; s < scans.length; s++) {
      const scan = scans[s];
      const at = this.inArena(scan.hist);
      const wide = scan.features.length > UNIT_FEATURES * this.capacity;
      if (at < 0 || wide || anyCategorical(scan.features, categories)) {
        findBestSplit(scan.hist, scan.features, binCounts, categories, scan.node, rules, scan.split, missing);
        continue;
      }
      // A node's units run together (their bests are taken after the run).
      units.room(Math.ceil(scan.features.length / UNIT_FEATURES));
      units.queued.push({
        scan,
        first: this.queueScan(units, scan, at, binCounts, rules),
        units: Math.ceil(scan.features.length / UNIT_FEATURES),
      });
    }
    units.done();
  }

  /**
   * Queues a node's SCAN units, UNIT_FEATURES features each (scanIn: the node; scanFeatures: the features and
   * their value bins); returns the first. Plain loops (no subarrays, callbacks or destructuring): V8's
   * optimising compile of findSplits competed with the fit's threads in a cold fit.
   */
  private queueScan(
    units: ScanQueue,
    scan: NodeScan,
    at: number,
    binCounts: Int32Array,
    rules: SplitRules,
  ): number {
    const { features, node } = scan;
    const parent = leafScore(node.g, node.h, rules.l1, rules.l2);
    const bounds = childHessianBounds(node, rules);
    const { scanFeatures } = this;
    let first = -1;
    for (let q = 0; q < features.length; q += UNIT_FEATURES) {
      const count = Math.min(UNIT_FEATURES, features.length - q);
      let cells = 0;
      for (let k = 0; k < count; k++) cells += 2 * binCounts[features[q + k]];
      const u = units.push([0, count], cells);
      if (first < 0) first = u;
      this.writeScanNode(u, at, node, parent, bounds, rules);
      for (let k = 0; k < count; k++) {
        const f = features[q + k];
        scanFeatures[2 * (UNIT_FEATURES * u + k)] = f;
        scanFeatures[2 * (UNIT_FEATURES * u + k) + 1] = binCounts[f];
      }
    }
    return first;
  }

  /** Scan slot `slot`'s node in scanIn: its histogram's arena index, sums, parent score and bounds, l1, l2. */
  private writeScanNode(
    slot: number,
    at: number,
    node: { g: number; h: number },
    parent: number,
    bounds: ArrayLike<number>,
    rules: SplitRules,
  ): void {
    const { scanIn } = this;
    const i = 8 * slot;
    scanIn[i] = at;
    scanIn[i + 1] = node.g;
    scanIn[i + 2] = node.h;
    scanIn[i + 3] = parent;
    scanIn[i + 4] = bounds[0];
    scanIn[i + 5] = bounds[1];
    scanIn[i + 6] = rules.l1;
    scanIn[i + 7] = rules.l2;
  }

  /** Where hist starts in the arena (an f64 index), or −1 when it is not cut from it. */
  private inArena(hist: Float64Array): number {
    const { arena } = this.histograms;
    return arena !== null && hist.buffer === arena.buffer ? hist.byteOffset / 8 : -1;
  }

  private get capacity(): number {
    return this.units.length / UNIT_WORDS;
  }

  /** Whether the softmax's probabilities and gradients run on the threads (into prob), not in the loss. */
  private softmaxHere(loss: Loss): boolean {
    return this.prob !== null && loss.name === "mlogloss" && loss.outputs === this.outputs;
  }

  /**
   * The loss's per-round preparation (Loss.prepare) for rows 0..n−1: the softmax's probabilities over row
   * ranges on the threads when there are workers (into prob, which gradients then reads), else the loss's own.
   */
  prepare(loss: Loss, n: number): void {
    if (!this.softmaxHere(loss)) {
      loss.prepare(this.scores.raw, n);
      return;
    }
    const pieces = this.minRows === 0 ? MAX_SHARES : Math.ceil(n / ROW_UNIT);
    this.runRanges(
      [{ start: 0, end: n }],
      pieces,
      null,
      [SOFTMAX, 0, this.outputs],
      GRADIENT_WORK * this.outputs,
    );
  }

  /**
   * Gradients and hessians of output k for rows 0..n−1 into the space's gh: over row ranges on the threads
   * for the losses the task knows (GRADIENT_CODES; the softmax's from prepare's probabilities), else here by
   * the loss itself.
   */
  gradients(loss: Loss, k: number, n: number): void {
    const code = GRADIENT_CODES[loss.name];
    const softmax = this.softmaxHere(loss);
    if (!this.pool || code === undefined || (loss.outputs !== 1 && !softmax)) {
      loss.gradients(this.scores.raw, this.scores.y, k, this.space.gh, n);
      return;
    }
    this.runGradients(loss, code, softmax, k, n);
  }

  /**
   * Gradients and hessians of one output for rows 0..n−1 into the space's gh, its pending leaf values
   * (RowScores.nodeValues by the space's marks) added to the scores first, in the same units, when
   * `addMarked`; on the threads (threadsMark's losses). `withRootBuild` (the booster, whose next call is the
   * tree's root build over rows 0..n − 1, and which reads the scores only after the tree): deferred to that
   * build, in the same units as its shares (fusedBuild).
   */
  markedGradients(loss: Loss, n: number, addMarked: boolean, withRootBuild = false): void {
    const code = addMarked ? MARKED_CODES[loss.name] : GRADIENT_CODES[loss.name];
    if (code === undefined || loss.outputs !== 1 || !this.scores.nodeValues)
      throw new Error(`markedGradients: no marked gradient loop for ${loss.name}`);
    this.runDeferred();
    this.curveDue = loss.name === "logloss" && this.curveRows.length > 0 && n === this.space.layout.rows;
    if (withRootBuild && this.pool && n === this.space.layout.rows) {
      this.deferred = code;
      return;
    }
    this.runGradients(loss, code, false, 0, n);
  }

  /**
   * The gradient loop (GRADIENT_LOOPS' index) whose rows the next buildAll's units compute before they build
   * their shares of the root (markedGradients deferred it, then buildAll gets a single node of all rows
   * 0..n − 1, listed in order: a round's tree without a subsample); −1 when there is none, or when the nodes
   * are others (runDeferred first). One wave instead of two a round, and each unit's gradients are still in
   * its core's cache when it builds from them.
   */
  private fusedBuild(nodes: NodeHist[]): number {
    const n = this.space.layout.rows;
    return nodes.length === 1 && nodes[0].start === 0 && nodes[0].end === n ? this.deferred : -1;
  }

  /**
   * The mean log-loss of RowScores.curveRows at the scores the last markedGradients left (its pending leaf
   * values added), as the loss's `value` takes it: the same terms, summed in the same order. Null when that
   * pass wrote no terms (another loss, no curve rows). Taken by value on this thread after each tree, the 5000
   * rows' exps and scattered reads were ~100 ms of a 2-thread customers fit's serial time.
   */
  curveLoss(): number | null {
    if (!this.curveDue) return null;
    this.runDeferred();
    this.curveDue = false;
    let s = 0;
    for (let q = 0; q < this.curveTerms.length; q++) s -= this.curveTerms[q];
    return s / Math.max(1, this.curveTerms.length);
  }

  /** Runs the deferred gradients (markedGradients) on their own, if any. */
  private runDeferred(): void {
    const code = this.deferred;
    if (code < 0) return;
    this.deferred = -1;
    const n = this.space.layout.rows;
    const pieces = this.minRows === 0 ? MAX_SHARES : Math.ceil(n / ROW_UNIT);
    this.runRanges([{ start: 0, end: n }], pieces, null, [GRADIENTS, 0, code], GRADIENT_WORK);
  }

  private runGradients(loss: Loss, code: number, softmax: boolean, k: number, n: number): void {
    const pieces = this.minRows === 0 ? MAX_SHARES : Math.ceil(n / ROW_UNIT);
    const args = softmax ? [GRADIENTS, 0, code, this.outputs, k] : [GRADIENTS, 0, code];
    const scale = softmax ? [loss.hessianScale ?? 1] : null;
    this.runRanges([{ start: 0, end: n }], pieces, scale, args, softmax ? PROB_GRADIENT_WORK : GRADIENT_WORK);
  }

  /**
   * raw[i · outputs + k] += values[j] for the rows i of each leaf j (disjoint row ranges, each ascending, as
   * growTree's stable partitions leave them).
   */
  addLeaves(leaves: LeafRows[], values: ArrayLike<number>, outputs: number, k: number): void {
    if (ceilDiv(this.space.layout.rows, this.rangeRows(leaves.length)) + leaves.length > this.capacity) {
      this.runRanges(leaves, 0, values, [ADD, 0, outputs, k, 0, 0], ADD_WORK);
      return;
    }
    // Units over ranges of row ids (as markAll's), the leaves' table after them: a unit per leaf's rows
    // wrote scores all over raw, the same cache lines from both threads.
    const count = this.rangeUnits(leaves.length);
    let rows = 0;
    for (let j = 0; j < leaves.length; j++) {
      this.units.set([leaves[j].start, leaves[j].end], UNIT_WORDS * (count + j));
      this.values[(UNIT_WORDS / 2) * (count + j) + 3] = values[j];
      rows += leaves[j].end - leaves[j].start;
    }
    this.run([ADD, count, outputs, k, count, leaves.length], rows * ADD_WORK);
  }

  /**
   * Runs the ranges as units of `kind` (args[0]; args[1] is set to the count), each cut into pieces of about
   * ROW_UNIT rows (or into `pieces` when the ranges are one and pieces > 0), in waves of the unit table.
   */
  private runRanges(
    ranges: LeafRows[],
    pieces: number,
    values: ArrayLike<number> | null,
    args: number[],
    rowWork: number,
  ): void {
    const units = new UnitQueue(this.units, this, args);
    ranges.forEach((r, j) => {
      const parts = pieces > 0 ? pieces : this.minRows === 0 ? 2 : Math.ceil((r.end - r.start) / ROW_UNIT);
      const size = Math.max(1, ceilDiv(r.end - r.start, parts));
      for (let from = r.start; from < r.end; from += size) {
        const to = Math.min(r.end, from + size);
        const u = units.push([from, to], (to - from) * rowWork);
        if (values) this.values[(UNIT_WORDS / 2) * u + 3] = values[j];
      }
    });
    units.done();
  }

  private get stride(): number {
    return this.space.layout.stride;
  }

  /** Runs args[1] units of the table: on all threads when `work` (bin updates) is worth a wake-up, else here. */
  run(args: number[], work: number): void {
    Atomics.store(this.next, 0, 0);
    const count = args[1];
    const worthIt = this.minRows === 0 || work >= WAKE_MIN_WORK;
    // Callbacks written inline: a function stored in a named const gets a name set at each call under tsx
    // (keepNames), a few µs a wave.
    // A worker that has not started yet is left out: this thread takes its units.
    if (this.pool && count > 1 && worthIt)
      this.pool.runAll(
        (k) => (k + 1 < count && this.pool?.serving(k) ? args : null),
        () => runUnits(this.data, args),
        true,
      );
    else runUnits(this.data, args);
  }

  /** Stops the workers. */
  close(): void {
    this.pool?.close();
  }
}

/** A share of a node's rows, built into a region of its wave. */
interface BuildShare {
  node: NodeHist;
  share: number;
  from: number;
  to: number;
}

/** Whether the features are in ascending order (LEVEL units scan them by blocks of feature ids). */
function ascending(features: Int32Array): boolean {
  for (let k = 1; k < features.length; k++) if (features[k] <= features[k - 1]) return false;
  return true;
}

/** Whether any of the features is categorical. */
function anyCategorical(features: Int32Array, categories: Int32Array): boolean {
  for (let k = 0; k < features.length; k++) if (categories[features[k]] > 0) return true;
  return false;
}

/** What runs a unit queue's table (NodeThreads.run). */
interface TableRunner {
  run(args: number[], work: number): void;
}

/**
 * Units of one kind (args[0]) queued into the unit table: `push` writes a unit (running the table first when
 * it is full; `room` runs it first unless n more units fit), `done` runs the rest. A class, not closures made
 * per queue: under tsx (keepNames) each named closure gets its name set when made, thousands a fit. It calls
 * methods only (the runner's run, its own afterRun), the same functions in every fit: optimised code that
 * inlined one fit's closure deoptimised on the next fit's ("wrong call target").
 */
class UnitQueue {
  private count = 0;
  private work = 0;
  private readonly capacity: number;

  constructor(
    private readonly table: Int32Array,
    private readonly runner: TableRunner,
    private readonly args: number[],
  ) {
    this.capacity = table.length / UNIT_WORDS;
  }

  push(words: ArrayLike<number>, unitWork: number): number {
    this.room(1);
    this.table.set(words, UNIT_WORDS * this.count);
    this.work += unitWork;
    return this.count++;
  }

  room(n: number): void {
    if (this.count + n > this.capacity) this.done();
  }

  done(): void {
    if (this.count === 0) return;
    this.args[1] = this.count;
    this.runner.run(this.args, this.work);
    this.afterRun();
    this.count = 0;
    this.work = 0;
  }

  /** Reads the results of a run (none here). */
  protected afterRun(): void {}
}

/** SCAN units: after each run, each queued node's best split is taken from its units' bests (scanOut). */
class ScanQueue extends UnitQueue {
  readonly queued: Array<{ scan: NodeScan; first: number; units: number }> = [];

  constructor(
    table: Int32Array,
    runner: TableRunner,
    private readonly scanOut: Float64Array,
  ) {
    super(table, runner, [SCAN, 0]);
  }

  protected override afterRun(): void {
    for (const { scan, first, units } of this.queued) {
      scan.split.gain = 0;
      scan.split.feature = -1;
      for (let u = first; u < first + units; u++)
        if (this.scanOut[8 * u + 1] >= 0 && this.scanOut[8 * u] > scan.split.gain)
          takeScanned(scan.split, this.scanOut, 8 * u);
    }
    this.queued.length = 0;
  }
}
