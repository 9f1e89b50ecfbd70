/**
 * Random forest (Breiman, "Random Forests", Machine Learning 45, 2001) on binned columns: trees on
 * bootstrap samples (per-row counts, like scikit-learn's sample weights), features sampled at every node,
 * histogram splits (scikit-learn sorts exact thresholds; 255 quantile bins score the same and cost far
 * less). Probabilities and values are averaged over trees. Defaults: 100 trees, sqrt(p) features per node
 * for classification, all for regression (scikit-learn 1.2). Reads raw values (NaN = missing, categories
 * as codes). Models saved before binning (exact CART trees on the one-hot design) still load and predict.
 */
import type { Matrix } from "../matrix.js";
import { resolveThreads } from "../threads/cores.js";
import { type CrewTask, leaseCrew, warmCrew } from "../threads/pool.js";
import { accumulateTrees, type PredictStats } from "../threads/predict-parallel.js";
import { Classifier, type FitContext, pastDeadline, Regressor } from "./base.js";
import type { TreeParams } from "./decision-tree.js";
import {
  BIN_SAMPLE_ROWS,
  type BinMapper,
  binCount,
  binRows,
  fitBinMapper,
  MISSING_BIN,
} from "./hist/binning.js";
import type { Criterion } from "./hist/channels.js";
import { type ColumnTable, matrixTable, readColumn } from "./hist/columns.js";
import { type ForestArrays, ForestSink, type GrownTree, storedCopy } from "./hist/forest.js";
import { EXACT_TREE_TASK, ExactGrower, type ExactJob } from "./hist/forest-exact.js";
import type { ForestTreeParams } from "./hist/forest-scratch.js";
import {
  type BinShare,
  binPart,
  FOREST_BIN_TASK,
  FOREST_TASK,
  type ForestJob,
  growScheduled,
  STOP,
  TreeGrower,
  type TreeSchedule,
} from "./hist/forest-task.js";
import { rowStride } from "./hist/histogram.js";
import { shared } from "./hist/threads.js";
import { accumulateTree, impurityImportance, type TreeArrays } from "./tree/arrays.js";
import { featuresPerSplit } from "./tree/fit-input.js";
import { sortedValuesOf } from "./tree/orders.js";
import { presortColumns } from "./tree/presort.js";

export interface ForestParams extends TreeParams {
  nEstimators: number;
  maxFeatures: "auto" | "sqrt" | "log2" | "all";
  bootstrap: boolean;
  /** Threads growing trees, this one included; 0 or absent: the job's cores. The trees do not depend on it. */
  threads?: number;
  /** Fits with less expected work grow on one thread (default PARALLEL_MIN_WORK; tests and benches set it). */
  parallelMinWork?: number;
}

/** A forest of binned trees. */
export interface BinnedForestFitted {
  mapper: BinMapper;
  forest: ForestArrays;
  nFeatures: number;
  /** Mean over trees of each tree's normalised impurity decrease per feature. */
  importance: Float64Array;
}

/** The format before binning: exact CART trees over the one-hot design matrix. */
export interface LegacyForestFitted {
  trees: TreeArrays[];
  nFeatures: number;
}

export type ForestFitted = BinnedForestFitted | LegacyForestFitted;

const isLegacy = (f: ForestFitted): f is LegacyForestFitted => "trees" in f;

function checkTable(table: ColumnTable, y: Float64Array, name: string): void {
  if (table.nRows !== y.length) {
    throw new RangeError(`${name}: X has ${table.nRows} rows but y has ${y.length} values.`);
  }
  if (table.nRows === 0) throw new RangeError(`${name}: cannot fit on zero rows.`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]))
      throw new RangeError(`${name}: the target has a missing or infinite value (row ${i}).`);
  }
}

/**
 * A fit's trees grow on several threads when their expected work (forestWork) reaches this; below, on this
 * thread alone. About 90 ms of trees at one thread (0.17 µs a unit, 2026-12-07): a crew costs 1–4 ms of CPU
 * a fit (waking the worker, its scratch, spinning at the end) and more while the machine is busy, and on a
 * loaded 2-core VM (load 4–7) a forced second thread cost +50% CPU at 500 × 10 (200k units) against +10%
 * at 2000 × 10 (800k units). The old rule (2000 rows) left 800 × 500 (1.8M units, 0.3 s) on one thread.
 */
export const PARALLEL_MIN_WORK = 2 ** 19;
/**
 * Exact trees (hist/forest-exact.ts) cost about 2.5× a binned tree's per unit of forestWork (2000 × 2:
 * 1.75 ms a tree, 0.7 ms predicted at the binned rate); counted twice.
 */
const EXACT_WORK_WEIGHT = 2;
/**
 * Up to this many features, all numeric with no missing values, the trees split on exact values (see
 * hist/forest-exact.ts): shared bin edges make trees on so few features too alike. Measured on issue 12's
 * weak-2 shape (2 features): R² −0.134 exact vs −0.283 binned (scikit-learn −0.136), and no slower.
 */
export const EXACT_MAX_FEATURES = 4;

type Tree = GrownTree & { gains: Float64Array };

/** How the trees of one fit are grown: on this thread, and as a pool task with the same seeds. */
interface Growth {
  mapper: BinMapper;
  /** Grows a tree on this thread: its own arrays, or views of the grower's until its next tree (`inPlace`). */
  here: (seed: number, inPlace: boolean) => Tree;
  task: CrewTask;
  data: unknown;
}

function fitForest(
  table: ColumnTable,
  y: Float64Array,
  nClasses: number,
  params: ForestParams,
  ctx: FitContext,
): { fitted: BinnedForestFitted; threads: number } {
  const n = table.nRows;
  const p = table.columns.length;
  const exact = exactTable(table);
  const threads = forestThreads({ n, p, nClasses, exact }, params);
  const growth =
    (exact && exactGrowth(table, y, nClasses, params, threads > 1)) ||
    binnedGrowth(table, y, nClasses, params, ctx, threads);
  const importance = new Float64Array(p);
  const forest = growTrees(
    growth,
    params.nEstimators,
    threads,
    ctx,
    nClasses === 0 ? 1 : nClasses,
    importance,
  );
  for (let f = 0; f < p; f++) importance[f] /= forest.nTrees;
  return { fitted: { mapper: growth.mapper, forest, nFeatures: p, importance }, threads };
}

/** Adds the tree's normalised impurity decrease per feature into importance. */
function addImportance(tree: Tree, importance: Float64Array): void {
  const total = tree.gains.reduce((s, v) => s + v, 0);
  if (total > 0) for (let f = 0; f < importance.length; f++) importance[f] += tree.gains[f] / total;
}

/**
 * A fit's expected single-thread cost in units of about 0.17 µs (2026-12-07): per tree, every row times the
 * features examined at each split plus one (the bagging, partitions and leaves), as measured on one thread
 * at 200–2000 × 10, 500 × 100 and 800 × 500 (0.17–0.21 µs a unit; small trees have ~0.1 ms more).
 */
export function forestWork(size: FitSize, params: ForestParams): number {
  const perTree = size.n * (treeSettings(params, size.p, size.nClasses).maxFeatures + 1);
  return params.nEstimators * perTree * (size.exact ? EXACT_WORK_WEIGHT : 1);
}

/** What the thread rule reads of a fit: rows, features, classes (0: regression), exact trees or binned. */
export interface FitSize {
  n: number;
  p: number;
  nClasses: number;
  exact: boolean;
}

/** The threads a fit grows its trees on: one below its work's crossover, else the threads asked for. */
export function forestThreads(size: FitSize, params: ForestParams): number {
  const minWork = params.parallelMinWork ?? PARALLEL_MIN_WORK;
  if (forestWork(size, params) < minWork) return 1;
  return Math.max(1, Math.min(resolveThreads(params.threads), params.nEstimators));
}

/**
 * The forest of the trees, in tree order (each tree's importance added, in that order). Every thread takes
 * the next tree not yet taken (a shared counter), so none waits for another while trees are left; each
 * tree's seed is drawn in tree order first, so the forest is the same for any thread count. Past the
 * deadline every thread stops after its current tree, and the trees up to the first one not grown are kept.
 * This thread appends the trees to the forest in order as they come (ForestSink): its own straight from its
 * grower when every tree before is in, the workers' (sent, polled between this thread's trees) and its
 * others once those before them are.
 */
function growTrees(
  growth: Growth,
  nTrees: number,
  threads: number,
  ctx: FitContext,
  nOut: number,
  importance: Float64Array,
): ForestArrays {
  const schedule: TreeSchedule = {
    seeds: allocate(Int32Array, nTrees, threads > 1),
    next: allocate(Int32Array, 2, threads > 1),
  };
  for (let t = 0; t < nTrees; t++) schedule.seeds[t] = ctx.rng.nextUint32() | 0;
  const sink = new ForestSink(nTrees, nOut);
  /** Trees grown but not yet in the sink (one waits there for those before it). */
  const waiting: (Tree | undefined)[] = Array.from({ length: nTrees }, () => undefined);
  let added = 0;
  const flush = () => {
    for (let tree = waiting[added]; tree !== undefined; tree = waiting[added]) {
      waiting[added++] = undefined;
      sink.add(tree);
      addImportance(tree, importance);
    }
  };
  const crew =
    threads > 1
      ? leaseCrew(threads - 1, growth.task, () => ({ ...(growth.data as object), schedule }))
      : null;
  const receive = () => {
    for (let k = 0; k < threads - 1; k++)
      for (let m = crew?.receive(k); m !== undefined; m = crew?.receive(k)) {
        const [t, tree] = m as [number, Tree];
        waiting[t] = tree;
      }
    flush();
  };
  const growHere = () =>
    growScheduled(
      schedule,
      (seed, t) => {
        receive();
        return growth.here(seed, t === added);
      },
      (t, tree) => {
        waiting[t] = tree;
        flush();
        const started = Math.min(nTrees, Atomics.load(schedule.next, 0));
        ctx.onProgress?.(started / nTrees, `Tree ${started} of ${nTrees}`);
        if (pastDeadline(ctx)) Atomics.store(schedule.next, STOP, 1);
      },
    );
  if (!crew) growHere();
  else
    try {
      crew.runAll(() => [], growHere);
      receive();
    } finally {
      crew.close();
    }
  return sink.finish();
}

/**
 * Starts the pool workers a fit of about this size will grow binned trees on (when it has the work for them:
 * forestThreads), so that a training job's first fit does not wait for them: a worker loads and compiles its
 * module in 0.05–0.3 s, while the job splits rows and fits its preprocessing. A small fit starts none.
 */
export function warmForestWorkers(params: ForestParams, size: FitSize): void {
  const threads = forestThreads(size, params);
  if (threads > 1) warmCrew(threads - 1, FOREST_TASK);
}

/** Each tree's growth settings (both growers). */
function treeSettings(params: ForestParams, p: number, nClasses: number): ForestTreeParams {
  const regression = nClasses === 0;
  return {
    criterion: (regression ? "squared_error" : params.criterion) as Criterion,
    maxDepth: params.maxDepth ?? Number.POSITIVE_INFINITY,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: featuresPerSplit(params.maxFeatures, p, regression ? "regression" : "classification"),
  };
}

/** Typed arrays in shared memory when workers read them. */
function allocate<T extends Uint8Array | Int32Array | Float64Array>(
  Kind: { new (n: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  n: number,
  forWorkers: boolean,
): T {
  return forWorkers ? shared(Kind, n) : new Kind(n);
}

function binnedGrowth(
  table: ColumnTable,
  y: Float64Array,
  nClasses: number,
  params: ForestParams,
  ctx: FitContext,
  threads: number,
): Growth {
  const n = table.nRows;
  const p = table.columns.length;
  const stride = rowStride(p);
  const { mapper, bins, columns } = binTable(table, ctx, threads);
  const sharedY = allocate(Float64Array, n, threads > 1);
  sharedY.set(y);
  const binCounts = Int32Array.from({ length: p }, (_, f) => binCount(mapper, f));
  const job: ForestJob = storedCopy({
    bins,
    columns,
    y: sharedY,
    stride,
    n,
    p,
    binCounts,
    categories: mapper.categories,
    twoBins: Uint8Array.from({ length: p }, (_, f) =>
      mapper.categories[f] === 0 && binCounts[f] === 2 && !hasMissing(columns, f, n) ? 1 : 0,
    ),
    nClasses,
    bootstrap: params.bootstrap,
    treeParams: treeSettings(params, p, nClasses),
  });
  const grower = new TreeGrower(job);
  return { mapper, here: (seed, inPlace) => grower.grow(seed, inPlace), task: FOREST_TASK, data: { job } };
}

/** Whether the table may take exact trees: at most EXACT_MAX_FEATURES columns, none categorical. */
function exactTable(table: ColumnTable): boolean {
  return table.columns.length <= EXACT_MAX_FEATURES && table.columns.every((c) => c.categories === 0);
}

/** Exact trees for an exactTable with no missing value (else null). */
function exactGrowth(
  table: ColumnTable,
  y: Float64Array,
  nClasses: number,
  params: ForestParams,
  forWorkers: boolean,
): Growth | null {
  const n = table.nRows;
  const p = table.columns.length;
  const Xc = allocate(Float64Array, n * p, forWorkers);
  for (let f = 0; f < p; f++) {
    const column = readColumn(table.columns[f], n, Xc.subarray(f * n, (f + 1) * n));
    for (let i = 0; i < n; i++) if (Number.isNaN(column[i])) return null;
  }
  const sorted = allocate(Int32Array, n * p, forWorkers);
  sorted.set(presortColumns(Xc, n, p));
  const sortedValues = allocate(Float64Array, n * p, forWorkers);
  sortedValuesOf({ Xc, n, p, sorted, y, nClasses, weight: null }, sortedValues);
  const sharedY = allocate(Float64Array, n, forWorkers);
  sharedY.set(y);
  const job: ExactJob = storedCopy({
    Xc,
    sorted,
    sortedValues,
    y: sharedY,
    n,
    p,
    nClasses,
    bootstrap: params.bootstrap,
    options: treeSettings(params, p, nClasses),
  });
  // No bins: prediction reads each node's threshold; the mapper only says that no feature is categorical.
  const mapper: BinMapper = {
    thresholds: new Float64Array(0),
    offsets: new Int32Array(p + 1),
    categories: new Int32Array(p),
  };
  const grower = new ExactGrower(job);
  return {
    mapper,
    here: (seed, inPlace) => grower.grow(seed, inPlace),
    task: EXACT_TREE_TASK,
    data: { job },
  };
}

/**
 * Binning on several threads from this many values (rows × features) of a table of at most BIN_SAMPLE_ROWS
 * rows (the mapper then sorts every row, so each column's thresholds need no draw). Sorting 800 values of
 * each of 500 columns and binning them took 45–60 ms of a 0.3 s forest (2026-12-07); a worker's share is
 * copied to shared memory first (n × its columns reads, a few ms).
 */
const PARALLEL_BIN_MIN_VALUES = 2 ** 16;
/**
 * ...and up to this many: the workers' shares are float64 copies (at 2 threads half the table, 4 MB here),
 * which a large fit's peak memory should not carry (wide-500 at 16k × 500 would copy 32 MB).
 */
const PARALLEL_BIN_MAX_VALUES = 2 ** 20;

/** A table's mapper, its row-major bins (n × rowStride) and their column-major copy. */
interface Binned {
  mapper: BinMapper;
  bins: Uint8Array;
  columns: Uint8Array;
}

/** The table binned, in shared memory when workers read it (on the crew when it is worth it). */
function binTable(table: ColumnTable, ctx: FitContext, threads: number): Binned {
  const n = table.nRows;
  const p = table.columns.length;
  const values = n * p;
  if (
    threads > 1 &&
    n <= BIN_SAMPLE_ROWS &&
    values >= PARALLEL_BIN_MIN_VALUES &&
    values <= PARALLEL_BIN_MAX_VALUES
  )
    return binOnThreads(table, threads);
  const stride = rowStride(p);
  const mapper = fitBinMapper(table, 255, ctx.rng);
  const bins = binRows(mapper, table, 0, n, allocate(Uint8Array, n * stride, threads > 1), stride);
  return { mapper, bins, columns: transpose(bins, n, stride, allocate(Uint8Array, n * stride, threads > 1)) };
}

/**
 * Fits the mapper and bins the table with the crew: thread k takes columns [k·p/T, (k+1)·p/T). Each
 * column's thresholds are fitBinMapper's on the whole table (they depend on that column alone), so the
 * joined mapper is the same.
 */
function binOnThreads(table: ColumnTable, threads: number): Binned {
  const n = table.nRows;
  const p = table.columns.length;
  const stride = rowStride(p);
  const bins = shared(Uint8Array, n * stride);
  const columns = shared(Uint8Array, n * stride);
  const cut = (k: number) => Math.round((k * p) / threads);
  const shares = Array.from({ length: threads - 1 }, (_, k) =>
    binShare(table, cut(k + 1), cut(k + 2), stride, bins, columns),
  );
  const parts: BinMapper[] = [];
  const crew = leaseCrew(threads - 1, FOREST_BIN_TASK, (k) => ({ share: shares[k] }));
  try {
    const here = { nRows: n, columns: table.columns.slice(0, cut(1)) };
    crew.runAll(
      () => [],
      () => parts.push(binPart(here, 0, stride, bins, columns)),
    );
    for (let k = 0; k < threads - 1; k++) parts.push(crew.receive(k) as BinMapper);
  } finally {
    crew.close();
  }
  return { mapper: joinMappers(parts), bins, columns };
}

/** Columns [from, to) of the table, column-major in shared memory, for a worker to bin. */
function binShare(
  table: ColumnTable,
  from: number,
  to: number,
  stride: number,
  bins: Uint8Array,
  columns: Uint8Array,
): BinShare {
  const n = table.nRows;
  const values = shared(Float64Array, n * (to - from));
  for (let f = from; f < to; f++)
    readColumn(table.columns[f], n, values.subarray((f - from) * n, (f - from + 1) * n));
  const categories = Int32Array.from(table.columns.slice(from, to), (c) => c.categories);
  return { values, categories, from, n, stride, bins, columns };
}

/** The mapper of all columns from the mappers of consecutive column ranges, in order. */
function joinMappers(parts: BinMapper[]): BinMapper {
  const p = parts.reduce((s, m) => s + m.categories.length, 0);
  const thresholds = new Float64Array(parts.reduce((s, m) => s + m.thresholds.length, 0));
  const offsets = new Int32Array(p + 1);
  const categories = new Int32Array(p);
  let f = 0;
  let t = 0;
  for (const m of parts) {
    thresholds.set(m.thresholds, t);
    categories.set(m.categories, f);
    for (let k = 1; k <= m.categories.length; k++) offsets[f + k] = t + m.offsets[k];
    f += m.categories.length;
    t += m.thresholds.length;
  }
  return { thresholds, offsets, categories };
}

function hasMissing(columns: Uint8Array, f: number, n: number): boolean {
  for (let i = f * n; i < (f + 1) * n; i++) if (columns[i] === MISSING_BIN) return true;
  return false;
}

function transpose(bins: Uint8Array, n: number, stride: number, out: Uint8Array): Uint8Array {
  for (let i = 0; i < n; i++) for (let f = 0; f < stride; f++) out[f * n + i] = bins[i * stride + f];
  return out;
}

/** Forests with more nodes than this predict on bins: smaller nodes, fewer cache misses. */
const BINNED_PREDICTION_NODES = 200_000;

/** The mean of the trees' outputs (n × width), walked on several threads for large tables. */
function average(
  f: BinnedForestFitted,
  table: ColumnTable,
  width: number,
): { out: Float64Array; stats: PredictStats } {
  if (table.columns.length !== f.nFeatures) {
    throw new RangeError(`The model was fitted on ${f.nFeatures} features; got ${table.columns.length}.`);
  }
  const out = new Float64Array(table.nRows * width);
  // Exact trees have no bins to walk on.
  const binned = f.forest.feature.length >= BINNED_PREDICTION_NODES && !f.forest.threshold;
  const stats = accumulateTrees(table, f.forest, f.mapper, binned ? "binned" : "raw", 1, out);
  const scale = 1 / Math.max(1, f.forest.nTrees);
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return { out, stats };
}

function averageLegacy(f: LegacyForestFitted, X: Matrix, width: number): Float64Array {
  const out = new Float64Array(X.rows * width);
  const scale = 1 / f.trees.length;
  for (const t of f.trees) accumulateTree(t, X.data, X.rows, X.cols, out, scale);
  return out;
}

function importanceOf(f: ForestFitted): Float64Array {
  if (!isLegacy(f)) return f.importance;
  return impurityImportance(f.trees, f.nFeatures);
}

export class RandomForestClassifier extends Classifier<ForestParams, ForestFitted> {
  /** How the last prediction ran (threads); not part of the saved model. */
  predictStats: PredictStats | null = null;
  /** The threads the last fit grew its trees on; not part of the saved model. */
  fitThreads = 0;

  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    return this.fitTable(matrixTable(X), y, ctx);
  }

  fitTable(table: ColumnTable, y: Float64Array, ctx: FitContext): this {
    checkTable(table, y, "RandomForestClassifier");
    const { fitted, threads } = fitForest(table, y, this.nClasses, this.params, ctx);
    this.fitted = fitted;
    this.fitThreads = threads;
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.state();
    return isLegacy(f) ? averageLegacy(f, X, this.nClasses) : this.predictProbaTable(matrixTable(X));
  }

  predictProbaTable(table: ColumnTable): Float64Array {
    const { out, stats } = average(this.state() as BinnedForestFitted, table, this.nClasses);
    this.predictStats = stats;
    return out;
  }

  predictTable(table: ColumnTable): Float64Array {
    const proba = this.predictProbaTable(table);
    const k = this.nClasses;
    return Float64Array.from({ length: table.nRows }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
      return best;
    });
  }

  columnImportance(): Float64Array {
    return importanceOf(this.state());
  }
}

export class RandomForestRegressor extends Regressor<ForestParams, ForestFitted> {
  /** How the last prediction ran (threads); not part of the saved model. */
  predictStats: PredictStats | null = null;
  /** The threads the last fit grew its trees on; not part of the saved model. */
  fitThreads = 0;

  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    return this.fitTable(matrixTable(X), y, ctx);
  }

  fitTable(table: ColumnTable, y: Float64Array, ctx: FitContext): this {
    checkTable(table, y, "RandomForestRegressor");
    const { fitted, threads } = fitForest(table, y, 0, this.params, ctx);
    this.fitted = fitted;
    this.fitThreads = threads;
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    return isLegacy(f) ? averageLegacy(f, X, 1) : this.predictTable(matrixTable(X));
  }

  predictTable(table: ColumnTable): Float64Array {
    const { out, stats } = average(this.state() as BinnedForestFitted, table, 1);
    this.predictStats = stats;
    return out;
  }

  columnImportance(): Float64Array {
    return importanceOf(this.state());
  }
}
