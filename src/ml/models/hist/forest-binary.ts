/**
 * Sparse binary features (one-hot groups) of a Gini forest, all at once: each row's binary features that
 * are 1 as bits, with its class and bootstrap count in one record, so one pass over a node's rows gives the
 * class weights of the ones of every binary feature (a "ones table"), instead of one pass over the node's
 * rows per binary feature examined. A binary feature whose ones weigh nothing or everything is constant in
 * the node, so finding one (most one-hot columns in deep nodes) costs no pass at all.
 */
import type { ForestData, NodeRange } from "./forest-scratch.js";

/**
 * One node's ones table: the class weights of each slot's ones, the slots with ones as bits, and the node's
 * class sums. Counts are whole, so a child's table is exactly its parent's minus its sibling's (subtract).
 */
export interface OnesTable {
  readonly ones: Float64Array;
  readonly any: Int32Array;
  readonly sums: Float64Array;
}

export class BinaryOnes {
  /** Binary feature f's bit (index in rowBits), or −1. */
  readonly slot: Int32Array;
  /** 32-bit words of bits per row. */
  readonly words: number;
  /**
   * Row i's record at i · (words + 1): its binary features that are 1 as bits, then its class and
   * bootstrap count as count · 256 + class (see weigh: one record, one cache line, per row).
   */
  readonly records: Int32Array;
  /** The current node's table (its ones, any and sums). */
  private table: OnesTable;
  /** The node's class weights of the ones of binary slot s at [s · C, (s + 1) · C) (table.ones). */
  ones: Float64Array;
  /** The slots with ones in the node (the table's non-zero rows, cleared by clear()) (table.any). */
  any: Int32Array;
  /** Cleared tables, for reuse. */
  private readonly free: OnesTable[] = [];
  /** Whether the table holds the current node (built or given by use() since the last clear() or detach()). */
  built = false;
  /**
   * Whether the current node is tiny and took gatherTiny instead of a table: slot s's positions with a 1 as
   * the bits of tinyMask[s] (position k at bit k: TINY_NODE ≤ 32), the slots with any 1 in tinyAny, and every
   * position's bit in tinyFull.
   */
  tinyNode = false;
  readonly tinyMask: Int32Array;
  readonly tinyAny: Int32Array;
  tinyFull = 0;

  constructor(
    readonly data: ForestData,
    slot: Int32Array,
    count: number,
  ) {
    this.slot = slot;
    this.words = (count + 31) >>> 5;
    const R = this.words + 1;
    this.records = new Int32Array(data.n * R);
    const { columns, n, p } = data;
    for (let f = 0; f < p; f++) {
      const s = slot[f];
      if (s < 0) continue;
      const col = f * n;
      const word = s >>> 5;
      const bit = 1 << (s & 31);
      for (let i = 0; i < n; i++) if (columns[col + i] !== 0) this.records[i * R + word] |= bit;
    }
    this.count = count;
    this.tinyMask = new Int32Array(count);
    this.tinyAny = new Int32Array(this.words);
    this.table = this.take();
    this.ones = this.table.ones;
    this.any = this.table.any;
  }

  private readonly count: number;

  /** A cleared table (all zero). */
  take(): OnesTable {
    const C = this.data.channels;
    return (
      this.free.pop() ?? {
        ones: new Float64Array(this.count * C),
        any: new Int32Array(this.words),
        sums: new Float64Array(C),
      }
    );
  }

  /** Makes table the current node's. */
  use(table: OnesTable): void {
    this.table = table;
    this.ones = table.ones;
    this.any = table.any;
    this.built = true;
  }

  /** Hands the current node's table over (to a child, uncleared): no table is built after. */
  detach(): OnesTable {
    this.built = false;
    return this.table;
  }

  /** The current node's class sums (buildSumming's). */
  get sums(): Float64Array {
    return this.table.sums;
  }

  /**
   * parent minus child, in place: parent's ones, any and sums become those of its rows outside child's
   * (child's rows are some of parent's). Exact, as counts are whole.
   */
  subtract(parent: OnesTable, child: OnesTable): void {
    const C = this.data.channels;
    const { ones, any, sums } = parent;
    const less = child.ones;
    for (let w = 0; w < this.words; w++) {
      let bits = any[w];
      let kept = 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const at = ((w << 5) | (31 - Math.clz32(low))) * C;
        let left = 0;
        for (let c = at; c < at + C; c++) {
          const v = ones[c] - less[c];
          ones[c] = v;
          left += v;
        }
        if (left !== 0) kept |= low;
      }
      any[w] = kept;
    }
    for (let c = 0; c < C; c++) sums[c] -= child.sums[c];
  }

  /**
   * Writes the tree's class and bootstrap count of its rows rows[0..nRows) into their records (from
   * data.classes, or for two classes from data.values: classification puts a row's count in its class's
   * channel, and counts are whole).
   */
  weigh(rows: Int32Array, nRows: number): void {
    const { words, records } = this;
    const { values, channels: C, classes } = this.data;
    const R = words + 1;
    // More than two classes: each row's class and count as bagRows wrote them (a search of the row's
    // channels for its non-zero one mispredicted at almost every row).
    if (classes) {
      const { classOf, rowWeight } = classes;
      for (let k = 0; k < nRows; k++) {
        const i = rows[k];
        records[i * R + words] = rowWeight[i] * 256 + classOf[i];
      }
      return;
    }
    for (let k = 0; k < nRows; k++) {
      const i = rows[k];
      let c = 0;
      while (values[i * C + c] === 0) c++;
      records[i * R + words] = values[i * C + c] * 256 + c;
    }
  }

  /**
   * The class weights of rows[start..end) into sums (nodeSums' sums, exact: whole counts) from their records,
   * one cache line per row where classOf and rowWeight take two.
   */
  sumClasses(rows: Int32Array, start: number, end: number, sums: Float64Array): void {
    const { words, records } = this;
    const R = words + 1;
    for (let c = 0; c < this.data.channels; c++) sums[c] = 0;
    for (let k = start; k < end; k++) {
      const record = records[rows[k] * R + words];
      sums[record & 255] += record >>> 8;
    }
  }

  /**
   * sumRowsByBin for classes: the class weights per bin of feature f over rows[t.start..t.end) into binSums,
   * with the bins present in the bitmap and each bin's classes in binClasses (ForestScratch's); each row's
   * class and count from one record, not two arrays.
   */
  sumByBin(
    rows: Int32Array,
    t: NodeRange,
    f: number,
    binSums: Float64Array,
    present: Uint32Array,
    binClasses: Int32Array,
  ): void {
    const { words, records } = this;
    const { columns, n, channels: C } = this.data;
    const col = f * n;
    const R = words + 1;
    for (let k = t.start; k < t.end; k++) {
      const i = rows[k];
      const b = columns[col + i];
      const record = records[i * R + words];
      const c = record & 255;
      binSums[b * C + c] += record >>> 8;
      present[b >>> 5] |= 1 << (b & 31);
      binClasses[b] |= 1 << c;
    }
  }

  /** The ones table of rows[t.start..t.end). */
  build(rows: Int32Array, t: NodeRange): void {
    this.buildSumming(rows, t.start, t.end);
  }

  /**
   * build() and, in the same pass over the records, sumClasses() into the table's sums: a node that will
   * look for a split reads each row's record once.
   */
  buildSumming(rows: Int32Array, start: number, end: number): void {
    if (!this.built) this.use(this.take());
    // Set before the loop, not after: code after a long first loop has no type feedback when V8 compiles
    // that loop on the stack (OSR), and would deopt on every later call.
    this.built = true;
    const { words, records, ones, any } = this;
    const sums = this.table.sums;
    const C = this.data.channels;
    const R = words + 1;
    for (let c = 0; c < C; c++) sums[c] = 0;
    for (let k = start; k < end; k++) {
      const at = rows[k] * R;
      const record = records[at + words];
      const c = record & 255;
      const count = record >>> 8;
      sums[c] += count;
      for (let w = 0; w < words; w++) {
        let bits = records[at + w];
        any[w] |= bits;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          ones[((w << 5) | (31 - Math.clz32(low))) * C + c] += count;
        }
      }
    }
  }

  /**
   * A tiny node's (at most TINY_NODE rows) instead of a table: each row's class and count by position into
   * tiny.tinyClass and tiny.tinyWeight, their class sums into tiny.sums, and each slot's positions with a 1
   * into tinyMask. A table costs a pass adding each row's ones and another clearing them; a tiny node examines
   * few binary features, each then a walk over its ones' positions (scanTinyOnes). Masks by slot, not each
   * row's words by position: a scan visits the few ones (one-hot columns) instead of testing every position.
   */
  gatherTiny(rows: Int32Array, start: number, end: number, tiny: TinyRows): void {
    const { words, records, tinyMask, tinyAny } = this;
    const { tinyClass, tinyWeight, sums } = tiny;
    const R = words + 1;
    for (let c = 0; c < this.data.channels; c++) sums[c] = 0;
    this.clearTinyMasks();
    const n = end - start;
    for (let k = 0; k < n; k++) {
      const at = rows[start + k] * R;
      const record = records[at + words];
      const c = record & 255;
      const count = record >>> 8;
      tinyClass[k] = c;
      tinyWeight[k] = count;
      sums[c] += count;
      for (let w = 0; w < words; w++) {
        let bits = records[at + w];
        tinyAny[w] |= bits;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          tinyMask[(w << 5) | (31 - Math.clz32(low))] |= 1 << k;
        }
      }
    }
    this.tinyFull = (-1 >>> (32 - n)) | 0;
    this.tinyNode = true;
  }

  /** Zeroes the masks the last gatherTiny set (those of the slots in tinyAny). */
  private clearTinyMasks(): void {
    const { tinyMask, tinyAny } = this;
    for (let w = 0; w < this.words; w++) {
      let bits = tinyAny[w];
      tinyAny[w] = 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        tinyMask[(w << 5) | (31 - Math.clz32(low))] = 0;
      }
    }
  }

  /** Whether slot s's feature is the same in every row of the gathered tiny node (gatherTiny). */
  tinyConstant(s: number): boolean {
    const mask = this.tinyMask[s];
    return mask === 0 || mask === this.tinyFull;
  }

  /** Whether some row of the built node has slot s's feature 1. */
  hasOnes(s: number): boolean {
    return ((this.any[s >>> 5] >>> (s & 31)) & 1) === 1;
  }

  /** Zeroes the current table's rows that build() wrote, for reuse. */
  clear(): void {
    if (!this.built) return;
    this.release(this.table);
    this.built = false;
  }

  /** Zeroes table for reuse. */
  release(table: OnesTable): void {
    const { words } = this;
    const { ones, any } = table;
    const C = this.data.channels;
    for (let w = 0; w < words; w++) {
      let bits = any[w];
      any[w] = 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const at = ((w << 5) | (31 - Math.clz32(low))) * C;
        for (let c = 0; c < C; c++) ones[at + c] = 0;
      }
    }
    this.free.push(table);
  }
}

/** Where gatherTiny writes a tiny node's rows' classes, counts and class sums (a ForestScratch). */
export interface TinyRows {
  readonly tinyClass: Int32Array;
  readonly tinyWeight: Float64Array;
  readonly sums: Float64Array;
}

/**
 * Building the table costs a pass over the node's rows reading `words` words and adding each of its ones;
 * scanning a binary feature by itself costs a pass reading one byte per row. The table pays when more
 * binary features than that are examined per node: at least maxFeatures · (binary share of the features).
 */
const cache = new WeakMap<ForestData, BinaryOnes | null>();

/** The ones table of data's binary features, or null when they are too few or too dense to pay. */
export function binaryOnesOf(data: ForestData, maxFeatures: number): BinaryOnes | null {
  let table = cache.get(data);
  if (table === undefined) {
    table = makeTable(data, maxFeatures);
    cache.set(data, table);
  }
  return table;
}

function makeTable(data: ForestData, maxFeatures: number): BinaryOnes | null {
  const { p, n, columns, twoBins } = data;
  const slot = new Int32Array(p).fill(-1);
  let count = 0;
  let setBits = 0;
  for (let f = 0; f < p; f++) {
    if (twoBins[f] !== 1) continue;
    slot[f] = count++;
    for (let i = 0; i < n; i++) setBits += columns[f * n + i];
  }
  // Classes beyond 256 or counts beyond 2^23 do not fit a record's count · 256 + class.
  if (count === 0 || data.channels > 256 || n >= 1 << 23) return null;
  const words = (count + 31) >>> 5;
  const perRow = words + (1.5 * setBits) / n;
  const examinedPerNode = (maxFeatures * count) / p;
  return perRow < examinedPerNode ? new BinaryOnes(data, slot, count) : null;
}
