/**
 * One tree of a random forest, grown the same way on this thread or on a pool worker: the tree's seed
 * (drawn in tree order on the fitting thread) gives its bootstrap sample and feature draws, so a forest is
 * the same for every thread count. Workers load this module (see src/ml/threads/pool.ts): the bins, the
 * column copy and y live in SharedArrayBuffers, and each worker keeps its own scratch between trees.
 */
import { Random } from "../../random.js";
import { registerPoolTask } from "../../threads/pool.js";
import { type BinMapper, binRows, fitBinMapper } from "./binning.js";
import { channelStride } from "./channels.js";
import type { ColumnTable } from "./columns.js";
import { CAT_WORDS, ForestBuilder, type GrownTree, storedCopy, toFloat32 } from "./forest.js";
import { growForestTree } from "./forest-grower.js";
import { type ForestData, ForestScratch, type ForestTreeParams, PACK } from "./forest-scratch.js";

/** What every tree of a fit shares (the typed arrays are shared memory when workers grow trees). */
export interface ForestJob {
  bins: Uint8Array;
  columns: Uint8Array;
  y: Float64Array;
  stride: number;
  n: number;
  p: number;
  binCounts: Int32Array;
  categories: Int32Array;
  /** 1 for a numeric feature whose rows are all in bins 0 and 1 (no missing value). */
  twoBins: Uint8Array;
  /** 0 for regression. */
  nClasses: number;
  bootstrap: boolean;
  treeParams: ForestTreeParams;
}

/** A thread's reusable memory for growing trees of one job. */
export class TreeGrower {
  private readonly data: ForestData;
  private readonly scratch: ForestScratch;
  private readonly regression: boolean;
  private readonly C: number;
  /** Reused for every tree this thread grows (fresh memory costs more: each page is faulted in). */
  private readonly forest: ForestBuilder;
  /** Bootstrap counts per row. */
  private readonly weight: Float64Array;

  constructor(private readonly job: ForestJob) {
    this.regression = job.nClasses === 0;
    this.C = this.regression ? 2 : job.nClasses;
    const { bins, stride, columns, n, p, binCounts, categories, twoBins } = job;
    const values = new Float64Array(n * this.C);
    const classes =
      this.C !== 2 ? storedCopy({ classOf: new Int32Array(n), rowWeight: new Float64Array(n) }) : null;
    const packed = job.nClasses === 2 && n < PACK ? new Float64Array(n) : null;
    this.data = storedCopy({
      bins,
      stride,
      columns,
      n,
      p,
      binCounts,
      categories,
      twoBins,
      values,
      channels: this.C,
      classes,
      packed,
    });
    this.scratch = new ForestScratch(n, p, this.C, stride * channelStride(this.C));
    this.forest = new ForestBuilder(this.regression ? 1 : this.C, true);
    this.weight = new Float64Array(n);
  }

  /**
   * Grows the tree of this seed: its own arrays, or (`inPlace`, for a ForestSink) views of this grower's,
   * valid until its next tree (float64 leaf outputs there, stored as float32 when copied).
   */
  grow(seed: number, inPlace = false): GrownTree & { gains: Float64Array } {
    const { job, C } = this;
    const rng = new Random(seed);
    const nRows = bagRows(job, C, rng, this.weight, this.scratch.ownRows, this.data);
    const forest = this.forest;
    forest.clear();
    const gains = new Float64Array(job.p);
    growForestTree(
      this.data,
      nRows,
      job.treeParams,
      forest,
      this.scratch,
      rng,
      this.regression ? meanLeaf : classShares,
      gains,
    );
    if (inPlace) {
      const { nodes, nValues, nCat, feature, bin, flags, child, catSlot, values, catBits } = forest;
      return { nodes, nValues, nCat, feature, bin, flags, child, catSlot, values, catBits, gains };
    }
    return {
      nodes: forest.nodes,
      nValues: forest.nValues,
      nCat: forest.nCat,
      feature: forest.feature.slice(0, forest.nodes),
      bin: forest.bin.slice(0, forest.nodes),
      flags: forest.flags.slice(0, forest.nodes),
      child: forest.child.slice(0, forest.nodes),
      // Only categorical splits use slots; float32 outputs, as the forest stores them.
      catSlot: forest.nCat > 0 ? forest.catSlot.slice(0, forest.nodes) : new Int32Array(0),
      values: toFloat32(forest.values, forest.nValues),
      catBits: forest.catBits.slice(0, forest.nCat * CAT_WORDS),
      gains,
    };
  }
}

/**
 * A regression leaf's output: the weighted mean of y (sums are Σ w·y, Σ w). Module functions, not closures
 * per grower: a new callee in every fit deoptimised growForestTree ("wrong call target").
 */
function meanLeaf(sums: Float64Array, out: Float64Array): void {
  out[0] = sums[1] > 0 ? sums[0] / sums[1] : 0;
}

/** A classification leaf's outputs: each class's share of the weight (one output per class). */
function classShares(sums: Float64Array, out: Float64Array): void {
  const C = out.length;
  let w = 0;
  for (let c = 0; c < C; c++) w += sums[c];
  for (let c = 0; c < C; c++) out[c] = w > 0 ? sums[c] / w : 0;
}

/**
 * Draws the bootstrap sample as counts, lists the rows drawn (ascending) in rows, and writes each row's
 * weighted channel values (and class and weight when data.classes); returns the number of rows drawn.
 * data.values must hold only this job's values (its classes' channels): they are overwritten, not cleared.
 */
function bagRows(
  job: ForestJob,
  C: number,
  rng: Random,
  weight: Float64Array,
  rows: Int32Array,
  data: ForestData,
): number {
  const { values, classes, packed } = data;
  const { y, bootstrap } = job;
  const regression = job.nClasses === 0;
  const n = y.length;
  weight.fill(bootstrap ? 0 : 1);
  if (bootstrap) rng.addBootstrapCounts(weight);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    // Every row's values are written (0 out of the bag), not cleared first: a class row's only non-zero
    // channel is its class's, so no other is ever written. The fill was n × C doubles a tree (672 KB at
    // cover-54's 12k rows × 7 classes).
    if (regression) {
      values[2 * i] = w === 0 ? 0 : w * y[i];
      values[2 * i + 1] = w;
    } else values[i * C + y[i]] = w;
    if (w === 0) continue;
    rows[m++] = i;
    if (packed) packed[i] = y[i] === 0 ? w : w * PACK;
    if (classes) {
      classes.classOf[i] = y[i];
      classes.rowWeight[i] = w;
    }
  }
  return m;
}

/** Which trees are left to grow (shared memory when workers grow trees). */
export interface TreeSchedule {
  /** Each tree's seed (as int32), drawn in tree order. */
  seeds: Int32Array;
  /** [0]: the next tree to take; [STOP]: 1 when every thread should stop after its current tree. */
  next: Int32Array;
}

export const STOP = 1;

/** Takes and grows trees until none is left or the schedule stops; `done` gets each with its index. */
export function growScheduled<T>(
  schedule: TreeSchedule,
  grow: (seed: number, t: number) => T,
  done: (t: number, tree: T) => void,
): void {
  const { seeds, next } = schedule;
  while (!Atomics.load(next, STOP)) {
    const t = Atomics.add(next, 0, 1);
    if (t >= seeds.length) return;
    done(t, grow(seeds[t] >>> 0, t));
  }
}

/** The pool task: grows trees of the schedule, each sent back as [index, tree]. */
function growTask(
  data: { job: ForestJob; schedule: TreeSchedule; grower?: TreeGrower },
  _args: Int32Array,
  beat: () => void,
  send: (value: unknown) => void,
): void {
  data.grower ??= new TreeGrower(data.job);
  const grower = data.grower;
  growScheduled(
    data.schedule,
    (seed) => grower.grow(seed),
    (t, tree) => {
      send([t, tree]);
      beat();
    },
  );
}

export const FOREST_TASK = { module: import.meta.url, name: "forest-tree" };
registerPoolTask(FOREST_TASK.name, growTask as never);

/**
 * Fits the bin mapper of a table's columns [from, from + part's columns) (all its rows: no sample, so no
 * draws) and writes their bins into the fit's row-major bins and column copy (n × stride each).
 */
export function binPart(
  part: ColumnTable,
  from: number,
  stride: number,
  bins: Uint8Array,
  columns: Uint8Array,
): BinMapper {
  const n = part.nRows;
  const mapper = fitBinMapper(part, 255, new Random(0));
  binRows(mapper, part, 0, n, bins.subarray(from), stride);
  const to = from + part.columns.length;
  for (let f = from; f < to; f++) copyColumn(bins, n, stride, f, columns);
  return mapper;
}

/** columns[f · n + i] = bins[i · stride + f] for every row i. */
function copyColumn(bins: Uint8Array, n: number, stride: number, f: number, columns: Uint8Array): void {
  for (let i = 0; i < n; i++) columns[f * n + i] = bins[i * stride + f];
}

/** A worker's share of the binning: its columns' values, column-major (k-th at k · n), in shared memory. */
export interface BinShare {
  values: Float64Array;
  categories: Int32Array;
  from: number;
  n: number;
  stride: number;
  bins: Uint8Array;
  columns: Uint8Array;
}

/** The pool task: bins a share's columns, sending back their mapper. */
function binTask(
  data: { share: BinShare },
  _args: Int32Array,
  beat: () => void,
  send: (value: unknown) => void,
): void {
  const { values, categories, from, n, stride, bins, columns } = data.share;
  const part: ColumnTable = {
    nRows: n,
    columns: Array.from(categories, (c, k) => ({
      values,
      offset: k * n,
      stride: 1,
      rows: null,
      categories: c,
    })),
  };
  send(binPart(part, from, stride, bins, columns));
  beat();
}

/** Bins columns on a worker (the same workers as FOREST_TASK: the same module). */
export const FOREST_BIN_TASK = { module: import.meta.url, name: "forest-bin" };
registerPoolTask(FOREST_BIN_TASK.name, binTask as never);
