/**
 * Shared types and per-tree working memory of the random-forest grower (forest-grower.ts).
 */
import type { Criterion } from "./channels.js";
import { CAT_WORDS } from "./forest.js";
import { TINY_NODE } from "./forest-entries.js";

export interface ForestTreeParams {
  criterion: Criterion;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features examined per node. */
  maxFeatures: number;
}

export interface ForestData {
  bins: Uint8Array;
  stride: number;
  /** Column-major bins (feature f of row i at f · n + i) for partitions and small nodes. */
  columns: Uint8Array;
  n: number;
  p: number;
  binCounts: Int32Array;
  categories: Int32Array;
  /** 1 for a numeric feature whose rows are all in bins 0 and 1 (no missing value): see scanTwoBins. */
  twoBins: Uint8Array;
  /** C sums per row, already multiplied by the row's bootstrap weight. */
  values: Float64Array;
  channels: number;
  /**
   * Classification with more than two classes: each row's class and bootstrap weight (its values are that
   * weight in its class's channel), so sums over rows add one number per row instead of C.
   */
  classes: { classOf: Int32Array; rowWeight: Float64Array } | null;
  /**
   * Two classes: each row's class weights (whole bootstrap counts) as one number, w0 + w1 · PACK, so sums over
   * rows add one number per row instead of two; exact while both sums stay below PACK (packedOf). Else null.
   */
  packed: Float64Array | null;
}

/**
 * A packed sum's unit of class 1: whole counts below 2^26 on either side keep every packed sum an integer
 * below 2^53, so adding packed numbers in any order is exact and unpacking gives the two sums to the bit.
 */
export const PACK = 2 ** 26;

/** Class 1's weight of a packed sum. */
export function packedHigh(sum: number): number {
  return Math.floor(sum / PACK);
}

/** Two-class values (each row's weights in channels 0 and 1) packed per row, as ForestData.packed. */
export function packedOf(values: Float64Array): Float64Array {
  const packed = new Float64Array(values.length / 2);
  for (let i = 0; i < packed.length; i++) packed[i] = values[2 * i] + values[2 * i + 1] * PACK;
  return packed;
}

/** A node's rows: rows[start..end) of the scratch's row list (and of every presorted segment). */
export interface NodeRange {
  start: number;
  end: number;
}

export interface Best {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  categorical: boolean;
  bits: Uint32Array;
}

export function emptyBest(): Best {
  return {
    gain: 0,
    feature: -1,
    bin: 0,
    defaultLeft: false,
    categorical: false,
    bits: new Uint32Array(CAT_WORDS),
  };
}

/** Per-tree working memory, reused across trees. */
export class ForestScratch {
  /** The current tree's rows, node by node (in presorted mode: feature 0's segment). */
  rows: Int32Array;
  readonly ownRows: Int32Array;
  readonly other: Int32Array;
  readonly pool: Float64Array[] = [];
  readonly sums: Float64Array;
  readonly entryBin = new Int32Array(256);
  readonly entrySums: Float64Array;
  /** Per-bin sums of a node's rows, all zero between uses (entriesFromRows). */
  readonly binSums: Float64Array;
  /** Packed per-bin sums of a node's rows (two classes), all zero between uses (sumPackedByBin). */
  readonly binPacked = new Float64Array(256);
  /** sumPackedDense's odd rows' sums, all zero between uses. */
  readonly binPackedOdd = new Float64Array(256);
  /** Bitmap of the bins with rows in binSums. */
  readonly present = new Uint32Array(8);
  /**
   * More than two classes: the classes with rows in each bin of binSums, as bits (class c at bit c mod 32), so
   * scanBinsGini visits only those; all zero between uses.
   */
  readonly binClasses = new Int32Array(256);
  /** sumRowsByBin's second bitmap (odd rows), all zero between uses. */
  readonly presentOdd = new Uint32Array(8);
  readonly order = new Int32Array(256);
  readonly key = new Float64Array(256);
  readonly left: Float64Array;
  readonly right: Float64Array;
  readonly missing: Float64Array;
  readonly side = new Uint8Array(256);
  readonly features: Int32Array;
  /** Presorted mode: p segments of n rows, each node's rows in bin order per feature. */
  presorted: Int32Array | null = null;
  presortedMode = false;
  /**
   * Gini nodes split from their rows take the Gini scans of their rows: tiny ones over their sorted rows
   * (scanTinyGini), others from per-bin sums (scanBinsGini, scanPackedGini) and binary features in one pass.
   */
  tinyGini = false;
  /** A tiny node's sorted (bin << 8 | position) keys (sortTinyKeys). */
  readonly tinyKeys = new Int32Array(TINY_NODE);
  /** A tiny node's rows' classes and weights by position, and its Σ sums² (tinyRows, for scanTinyGini). */
  readonly tinyClass = new Int32Array(TINY_NODE);
  readonly tinyWeight = new Float64Array(TINY_NODE);
  tinySquares = 0;
  /** Whether tinyClass, tinyWeight and tinySquares hold the current node's (the grower clears it per node). */
  tinyReady = false;
  /** (bin, offset) keys of a node's rows for sortSegments. */
  readonly sortKeys = new Int32Array(1 << 16);
  readonly rowSide: Uint8Array;
  /** State of the feature-draw generator (xorshift32, never 0). */
  seed = 1;

  constructor(
    readonly n: number,
    readonly p: number,
    readonly channels: number,
    readonly histSize: number,
  ) {
    this.ownRows = new Int32Array(n);
    this.rows = this.ownRows;
    this.other = new Int32Array(n);
    this.rowSide = new Uint8Array(n);
    this.sums = new Float64Array(channels);
    this.entrySums = new Float64Array(256 * channels);
    this.binSums = new Float64Array(256 * channels);
    this.left = new Float64Array(channels);
    this.right = new Float64Array(channels);
    this.missing = new Float64Array(channels);
    this.features = new Int32Array(p);
  }

  take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histSize);
  }

  give(h: Float64Array | null): void {
    if (h) this.pool.push(h);
  }
}
