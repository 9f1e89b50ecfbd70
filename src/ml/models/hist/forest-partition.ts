/**
 * Stable partitions of a node's rows by a split: of the row list, or in presorted mode of every feature's
 * segment (so each child's segments stay in bin order).
 */
import { MISSING_BIN } from "./binning.js";
import type { Best, ForestData, ForestScratch } from "./forest-scratch.js";

/** 1 for every bin the split sends left (missing included when the default is left). */
function sideOfBins(s: ForestScratch, best: Best): Uint8Array {
  const side = s.side;
  for (let b = 0; b < MISSING_BIN; b++) {
    side[b] = best.categorical ? (best.bits[b >>> 5] >>> (b & 31)) & 1 : +(b <= best.bin);
  }
  side[MISSING_BIN] = +best.defaultLeft;
  return side;
}

/** Stable partition of the node's rows by the split; returns the number sent left. */
export function partition(
  data: ForestData,
  s: ForestScratch,
  start: number,
  end: number,
  best: Best,
): number {
  // A numeric split compares bins directly; the side table costs 255 steps to make.
  const nRight = best.categorical
    ? splitBySide(data, s, start, end, best.feature, sideOfBins(s, best))
    : splitByBin(data, s, start, end, best);
  const write = end - nRight;
  const { rows, other } = s;
  for (let k = 0; k < nRight; k++) rows[write + k] = other[k];
  return write - start;
}

// The two loops below are each alone in a function, each with one kind of split: V8 compiles a long first
// call's loop on the stack (OSR) with the type feedback it has so far, and such code deopts, call after call
// (row after row when a categorical split reaches a numeric split's loop), on what had not run yet.

/**
 * Numeric split: the rows sent left stay in s.rows from start on, the others go to s.other (missing rows'
 * bin compares as 255, right, or −1, left); returns the number sent right.
 */
function splitByBin(data: ForestData, s: ForestScratch, start: number, end: number, best: Best): number {
  const bin = best.bin;
  const missing = best.defaultLeft ? -1 : MISSING_BIN;
  const col = best.feature * data.n;
  const { rows, other } = s;
  let write = start;
  let nRight = 0;
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const b = data.columns[col + i];
    const l = +((b === MISSING_BIN ? missing : b) <= bin);
    rows[write] = i;
    other[nRight] = i;
    write += l;
    nRight += 1 - l;
  }
  return nRight;
}

/** splitByBin for a categorical split: each bin's side from the table `side`. */
function splitBySide(
  data: ForestData,
  s: ForestScratch,
  start: number,
  end: number,
  feature: number,
  side: Uint8Array,
): number {
  const col = feature * data.n;
  const { rows, other } = s;
  let write = start;
  let nRight = 0;
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const l = side[data.columns[col + i]];
    rows[write] = i;
    other[nRight] = i;
    write += l;
    nRight += 1 - l;
  }
  return nRight;
}

/**
 * Presorted mode: sorts feature 0's segment of the tree's rows by bin (counting sort, stable). The other
 * segments wait until a node is small enough to scan them (sortSegments); until then the row list
 * (s.ownRows) is partitioned alongside, so it keeps each node's rows in their original order.
 */
export function presort(data: ForestData, s: ForestScratch, nRows: number): void {
  const n = data.n;
  const seg = s.presorted as Int32Array;
  const rows = s.ownRows;
  const count = new Int32Array(257);
  for (let f = 0; f < 1; f++) {
    const col = f * n;
    count.fill(0);
    for (let k = 0; k < nRows; k++) count[data.columns[col + rows[k]] + 1]++;
    for (let b = 1; b < 257; b++) count[b] += count[b - 1];
    for (let k = 0; k < nRows; k++) {
      const i = rows[k];
      seg[col + count[data.columns[col + i]]++] = i;
    }
  }
  s.rows = seg.subarray(0, n);
}

/**
 * Presorted mode: features 1 … p − 1's segments of the node's rows, each in (bin, original order) as a
 * presort of the whole tree, kept stable by every partition since, would have left them.
 */
export function sortSegments(data: ForestData, s: ForestScratch, start: number, end: number): void {
  const n = data.n;
  const seg = s.presorted as Int32Array;
  const rows = s.ownRows;
  const m = end - start;
  const keys = s.sortKeys.subarray(0, m);
  for (let f = 1; f < data.p; f++) {
    const col = f * n;
    for (let k = 0; k < m; k++) keys[k] = (data.columns[col + rows[start + k]] << 16) | k;
    keys.sort();
    const at = col + start;
    for (let k = 0; k < m; k++) seg[at + k] = rows[start + (keys[k] & 0xffff)];
  }
}

/**
 * Presorted mode: the split's side for every row of the node, then a stable partition of every segment
 * (`sorted`) or of feature 0's segment and the row list (a node whose other segments are not built yet).
 */
export function partitionPresorted(
  data: ForestData,
  s: ForestScratch,
  start: number,
  end: number,
  best: Best,
  sorted: boolean,
): number {
  const n = data.n;
  const seg = s.presorted as Int32Array;
  const col = best.feature * n;
  let nLeft = 0;
  if (best.categorical || end - start > 255) {
    const side = sideOfBins(s, best);
    for (let k = start; k < end; k++) {
      const i = seg[k];
      const l = side[data.columns[col + i]];
      s.rowSide[i] = l;
      nLeft += l;
    }
  } else {
    // Missing (bin 255) compares as 255 (right) or −1 (left) against the split bin.
    const bin = best.bin;
    const missing = best.defaultLeft ? -1 : MISSING_BIN;
    for (let k = start; k < end; k++) {
      const i = seg[k];
      const b = data.columns[col + i];
      const l = +((b === MISSING_BIN ? missing : b) <= bin);
      s.rowSide[i] = l;
      nLeft += l;
    }
  }
  for (let f = 0; f < (sorted ? data.p : 1); f++) stablePartition(seg, f * n + start, f * n + end, s);
  if (!sorted) stablePartition(s.ownRows, start, end, s);
  return nLeft;
}

/** Left rows (s.rowSide) first, each side in its order. */
function stablePartition(list: Int32Array, from: number, to: number, s: ForestScratch): void {
  const other = s.other;
  const side = s.rowSide;
  let write = from;
  let nRight = 0;
  for (let k = from; k < to; k++) {
    const i = list[k];
    const l = side[i];
    list[write] = i;
    other[nRight] = i;
    write += l;
    nRight += 1 - l;
  }
  for (let k = 0; k < nRight; k++) list[write + k] = other[k];
}
