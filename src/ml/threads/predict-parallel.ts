/**
 * Prediction of many rows with tree ensembles on several threads: the rows are cut into chunks, each chunk
 * into one contiguous range per thread, and every thread walks its rows down all the trees into its part of
 * a shared output. A row's outputs are added tree after tree whichever thread walks it, so the result is
 * bit-identical to the single-thread walk. The forest's arrays go to the workers in shared memory (a copy
 * cached per forest); the workers are a leased Crew (./pool.ts). Random forests use it by default above the
 * crossover; the boosters' walk is cheaper than the hand-over (see PARALLEL_MIN_VISITS).
 */
import { type BinMapper, binRows } from "../models/hist/binning.js";
import { type ColumnTable, forEachRowBlock, matrixTable, readColumn } from "../models/hist/columns.js";
import type { ForestArrays } from "../models/hist/forest.js";
import { accumulateBinned, accumulateRaw, accumulateRawLeveled } from "../models/hist/traverse.js";
import { resolveThreads } from "./cores.js";
import { leaseCrew, registerPoolTask } from "./pool.js";

/**
 * How rows walk the trees: raw values through per-node thresholds ("raw"), the same with the boosters'
 * level-by-level kernel ("leveled"), or binned first ("binned": large random forests, smaller nodes).
 */
export type TreeWalk = "raw" | "leveled" | "binned";

/** What a prediction did: the threads that walked the rows (1 = this thread alone). */
export interface PredictStats {
  threads: number;
  rows: number;
}

/**
 * The crossover, in row × tree visits, from which the walk is shared between threads; measured with
 * bench/ml/predict-crossover.ts (2 cores, load average 8–12, so no free core for a speed-up: the process's
 * CPU time shows what the hand-over adds). A deep 100-tree forest: a visit costs 70–150 ns; two threads
 * add 5–7 ms of CPU per call plus ~10% (copying rows to shared memory), so from 2^20 visits (~120 ms on one
 * thread) two free cores finish in about 55% of the time. The boosters' leveled kernel walks a visit in
 * 1–4 ns, less than copying the row over: two threads took twice the CPU at every size, so their
 * prediction stays on this thread unless threads are asked for.
 */
export const PARALLEL_MIN_VISITS: Record<TreeWalk, number> = {
  raw: 1 << 20,
  binned: 1 << 20,
  leveled: Number.POSITIVE_INFINITY,
};
/** A thread's range of a chunk is at least this many rows (fewer cost more to hand over than to walk). */
const MIN_ROWS_PER_THREAD = 1024;
/** Values in one chunk of the input copied to shared memory (16 MB), so wide tables copy in pieces. */
const CHUNK_VALUES = 1 << 21;

interface WalkJob {
  forest: ForestArrays;
  /** Names the forest across calls, so a worker keeps its compiled form (see walkTask). */
  forestId: number;
  mapper: BinMapper;
  walk: TreeWalk;
  /** Output columns per row: trees write column t % stride (boosters' classes), nOut outputs each. */
  stride: number;
  cols: number;
  /** A chunk of rows, row-major, and its outputs (shared memory when workers walk). */
  x: Float64Array;
  out: Float64Array;
}

/** Adds the trees' outputs of rows [from, to) of job.x into job.out (rows at their chunk position). */
function walkRows(job: WalkJob, from: number, to: number): void {
  const { forest, mapper, walk, stride, cols } = job;
  const n = to - from;
  if (n <= 0) return;
  const x = job.x.subarray(from * cols, to * cols);
  if (walk === "raw") accumulateRaw(forest, mapper, x, n, cols, job.out, from, stride);
  else if (walk === "leveled") accumulateRawLeveled(forest, mapper, x, n, cols, job.out, from, stride);
  else {
    const bins = binRows(mapper, matrixTable({ data: x, rows: n, cols }), 0, n);
    accumulateBinned(forest, mapper, bins, n, cols, job.out, from, stride);
  }
}

/** Threads for a walk of rows × trees: 1 below the crossover, else the job's cores (or `threads`). */
export function predictThreads(rows: number, trees: number, walk: TreeWalk, threads?: number): number {
  if (rows * trees < PARALLEL_MIN_VISITS[walk]) return 1;
  return Math.max(1, Math.min(resolveThreads(threads), Math.floor(rows / MIN_ROWS_PER_THREAD)));
}

/**
 * Adds every tree's outputs for the table's rows into out (row i's stride · nOut outputs at
 * out[i · stride · nOut]), on `threads` threads (0 or absent: predictThreads decides).
 */
export function accumulateTrees(
  table: ColumnTable,
  forest: ForestArrays,
  mapper: BinMapper,
  walk: TreeWalk,
  stride: number,
  out: Float64Array,
  threads?: number,
): PredictStats {
  const rows = table.nRows;
  const used = threads && threads >= 1 ? Math.min(threads, rows) : predictThreads(rows, forest.nTrees, walk);
  const cols = table.columns.length;
  if (used <= 1) {
    forEachRowBlock(table, (x, from, m) =>
      walkRows(
        {
          forest,
          forestId: 0,
          mapper,
          walk,
          stride,
          cols,
          x,
          out: out.subarray(from * stride * forest.nOut),
        },
        0,
        m,
      ),
    );
    return { threads: 1, rows };
  }
  const { copy, id } = sharedForest(forest);
  walkShared(table, { forest: copy, forestId: id, mapper, walk, stride, cols }, out, used);
  return { threads: used, rows };
}

/** The parallel walk: chunk by chunk, the input copied to shared memory and each thread given a range. */
function walkShared(
  table: ColumnTable,
  base: Omit<WalkJob, "x" | "out">,
  out: Float64Array,
  threads: number,
): void {
  const { cols } = base;
  const width = base.stride * base.forest.nOut;
  const chunk = Math.max(threads * MIN_ROWS_PER_THREAD, Math.floor(CHUNK_VALUES / Math.max(1, cols)));
  const rowsPerChunk = Math.min(table.nRows, chunk);
  const job: WalkJob = {
    ...base,
    x: sharedFloat64(rowsPerChunk * cols),
    out: sharedFloat64(rowsPerChunk * width),
  };
  const crew = leaseCrew(threads - 1, PREDICT_TASK, () => ({ job }));
  try {
    for (let start = 0; start < table.nRows; start += rowsPerChunk) {
      const m = Math.min(rowsPerChunk, table.nRows - start);
      copyRows(table, start, m, job.x);
      job.out.set(out.subarray(start * width, (start + m) * width));
      const share = Math.ceil(m / threads);
      crew.runAll(
        (k) => ((k + 1) * share < m ? [(k + 1) * share, Math.min(m, (k + 2) * share)] : null),
        () => walkRows(job, 0, Math.min(m, share)),
      );
      out.set(job.out.subarray(0, m * width), start * width);
    }
  } finally {
    crew.close();
  }
}

/** Rows [start, start + m) of the table, row-major, into x. */
function copyRows(table: ColumnTable, start: number, m: number, x: Float64Array): void {
  const cols = table.columns.length;
  const column = new Float64Array(m);
  for (let j = 0; j < cols; j++) {
    readColumn(table.columns[j], m, column, start);
    for (let i = 0; i < m; i++) x[i * cols + j] = column[i];
  }
}

const sharedForests = new WeakMap<ForestArrays, { copy: ForestArrays; id: number }>();
let forestIds = 0;

/** The forest with its typed arrays in shared memory (made once per forest), and its id. */
function sharedForest(f: ForestArrays): { copy: ForestArrays; id: number } {
  let s = sharedForests.get(f);
  if (!s) {
    const copy = Object.fromEntries(
      Object.entries(f).map(([key, v]) => [key, ArrayBuffer.isView(v) ? toShared(v as Float64Array) : v]),
    ) as unknown as ForestArrays;
    s = { copy, id: ++forestIds };
    sharedForests.set(f, s);
  }
  return s;
}

function toShared<T extends Float64Array | Float32Array | Int32Array | Uint8Array | Uint32Array>(a: T): T {
  const Kind = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Kind(new SharedArrayBuffer(Math.max(8, a.byteLength)));
  copy.set(a);
  return copy;
}

function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(8, n * 8)));
}

/**
 * A worker's last forest: every call sends the forest anew (new objects over the same shared memory), and
 * the walks cache their compiled form per object, so the first object seen for an id is kept and reused.
 */
let lastForest: { id: number; forest: ForestArrays } | null = null;

/** The pool task: rows [args[0], args[1]) of the current chunk. */
function walkTask(data: { job: WalkJob }, args: Int32Array): void {
  const job = data.job;
  if (lastForest?.id === job.forestId) job.forest = lastForest.forest;
  else lastForest = { id: job.forestId, forest: job.forest };
  walkRows(job, args[0], args[1]);
}

export const PREDICT_TASK = { module: import.meta.url, name: "predict-rows" };
registerPoolTask(PREDICT_TASK.name, walkTask as never);
