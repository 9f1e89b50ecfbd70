/**
 * The per-feature "entries" a split is scanned over: the bins present in a node, in bin order, with their
 * channel sums (missing rows kept apart). From a dense histogram for large nodes, from the node's rows for
 * small ones, and by one pass over the presorted segment in presorted mode.
 */
import { MISSING_BIN } from "./binning.js";
import { channelStride } from "./channels.js";
import { type ForestData, type ForestScratch, type NodeRange, PACK, packedHigh } from "./forest-scratch.js";

/** The non-empty bins of feature f from a dense histogram; returns their number (missing kept apart). */
export function entriesFromHistogram(
  data: ForestData,
  hist: Float64Array,
  f: number,
  s: ForestScratch,
): number {
  const C = data.channels;
  const base = f * channelStride(C);
  const nBins = data.binCounts[f];
  let nE = 0;
  for (let b = 0; b < nBins; b++) {
    const at = base + b * C;
    let any = false;
    for (let c = 0; c < C; c++) any ||= hist[at + c] !== 0;
    if (!any) continue;
    s.entryBin[nE] = b;
    for (let c = 0; c < C; c++) s.entrySums[nE * C + c] = hist[at + c];
    nE++;
  }
  const m = base + MISSING_BIN * C;
  for (let c = 0; c < C; c++) s.missing[c] = hist[m + c];
  return nE;
}

/**
 * Whether every row of the node has the same bin of feature f (missing counting as a bin): then no split of
 * f exists. Stops at the first row that differs, so a feature that varies costs a few reads; one that is
 * constant (most one-hot columns in deep nodes) costs one read per row instead of a pass that sums them.
 */
export function constantInRows(data: ForestData, rows: Int32Array, t: NodeRange, f: number): boolean {
  const { columns } = data;
  const col = f * data.n;
  const first = columns[col + rows[t.start]];
  for (let k = t.start + 1; k < t.end; k++) if (columns[col + rows[k]] !== first) return false;
  return true;
}

/** The bins of feature f present in the node's rows, with their sums, in bin order. */
export function entriesFromRows(data: ForestData, t: NodeRange, f: number, s: ForestScratch): number {
  const C = data.channels;
  if (t.end - t.start <= TINY_NODE) {
    const n = sortTinyKeys(data.columns, f * data.n, s.rows, t, s.tinyKeys);
    return C === 2 ? entriesOfTinyNode(data, t, n, s) : classEntriesOfTinyNode(data, t, n, s);
  }
  sumRowsByBin(data, t, f, s);
  return collectPresent(s, C);
}

/**
 * Dense sums per bin of feature f over the node's rows into s.binSums (missing rows in bin 255) and a bitmap
 * of the bins present (s.present), which lists them in order without a sort; with more than two channels
 * (classes), each bin's classes too (s.binClasses). Whoever reads them clears them.
 */
export function sumRowsByBin(data: ForestData, t: NodeRange, f: number, s: ForestScratch): void {
  const C = data.channels;
  const col = f * data.n;
  const { columns, values } = data;
  const { rows, binSums, present, presentOdd } = s;
  if (C === 2) {
    // Two bitmaps, for even and odd rows, merged at the end: each row's bitmap update (a load and a store,
    // often of the same word) then waits for the one two rows before, not the one before.
    let k = t.start;
    for (; k + 1 < t.end; k += 2) {
      const i = rows[k];
      const b = columns[col + i];
      binSums[2 * b] += values[2 * i];
      binSums[2 * b + 1] += values[2 * i + 1];
      present[b >>> 5] |= 1 << (b & 31);
      const j = rows[k + 1];
      const c = columns[col + j];
      binSums[2 * c] += values[2 * j];
      binSums[2 * c + 1] += values[2 * j + 1];
      presentOdd[c >>> 5] |= 1 << (c & 31);
    }
    if (k < t.end) {
      const i = rows[k];
      const b = columns[col + i];
      binSums[2 * b] += values[2 * i];
      binSums[2 * b + 1] += values[2 * i + 1];
      present[b >>> 5] |= 1 << (b & 31);
    }
    mergeOddBits(present, presentOdd);
    return;
  }
  // More than two channels are classes: one addition per row, its weight into its class's channel.
  const { classOf, rowWeight } = data.classes as NonNullable<ForestData["classes"]>;
  const { binClasses } = s;
  for (let k = t.start; k < t.end; k++) {
    const i = rows[k];
    const b = columns[col + i];
    const c = classOf[i];
    binSums[b * C + c] += rowWeight[i];
    present[b >>> 5] |= 1 << (b & 31);
    binClasses[b] |= 1 << c;
  }
}

/**
 * sumRowsByBin for two classes from their packed weights (data.packed): one sum per bin into s.binPacked, with
 * the bins present in s.present. Whoever reads them clears them (scanPackedGini, collectPacked).
 */
export function sumPackedByBin(data: ForestData, t: NodeRange, f: number, s: ForestScratch): void {
  const nBins = data.binCounts[f];
  const dense = t.end - t.start >= DENSE_ROWS_PER_BIN * nBins;
  const k = dense ? sumPackedDense(data, t, f, s) : sumPackedPairs(data, t, f, s);
  if (k < t.end) {
    const b = data.columns[f * data.n + s.rows[k]];
    s.binPacked[b] += (data.packed as Float64Array)[s.rows[k]];
    s.present[b >>> 5] |= 1 << (b & 31);
  }
  if (dense) markPackedBins(s, nBins);
  else mergeOddBits(s.present, s.presentOdd);
}

/**
 * sumPackedByBin's rows in pairs; returns where the pairs end. The loop is alone in its function because V8
 * compiles a long first call's loop on the stack (OSR) before the code after it has run: that code, with no
 * type feedback, then deopts at the end of every later call (thousands per cold fit).
 */
function sumPackedPairs(data: ForestData, t: NodeRange, f: number, s: ForestScratch): number {
  const col = f * data.n;
  const columns = data.columns;
  const packed = data.packed as Float64Array;
  const { rows, binPacked, present, presentOdd } = s;
  // Two bitmaps, as in sumRowsByBin: each row's update waits for the one two rows before.
  let k = t.start;
  for (; k + 1 < t.end; k += 2) {
    const b = columns[col + rows[k]];
    binPacked[b] += packed[rows[k]];
    present[b >>> 5] |= 1 << (b & 31);
    const c = columns[col + rows[k + 1]];
    binPacked[c] += packed[rows[k + 1]];
    presentOdd[c >>> 5] |= 1 << (c & 31);
  }
  return k;
}

/**
 * A node with this many rows per bin of a feature or more sums its packed weights without marking bins as it
 * goes (sumPackedDense): finding the non-empty ones afterwards reads each bin once, less than a bitmap
 * update per row.
 */
const DENSE_ROWS_PER_BIN = 2;

/**
 * sumPackedPairs without the bitmaps: even rows into s.binPacked, odd ones into s.binPackedOdd (so each row's
 * add waits for no other row's), merged by markPackedBins; returns where the pairs end. Alone in its function
 * for the same reason.
 */
function sumPackedDense(data: ForestData, t: NodeRange, f: number, s: ForestScratch): number {
  const col = f * data.n;
  const columns = data.columns;
  const packed = data.packed as Float64Array;
  const { rows, binPacked, binPackedOdd } = s;
  let k = t.start;
  for (; k + 1 < t.end; k += 2) {
    const i = rows[k];
    const j = rows[k + 1];
    binPacked[columns[col + i]] += packed[i];
    binPackedOdd[columns[col + j]] += packed[j];
  }
  return k;
}

/**
 * Merges sumPackedDense's odd rows into s.binPacked (bins below nBins, and the missing bin) and marks the bins
 * with rows in s.present. Every row in a node weighs at least 1, so a bin has rows exactly when its sum is
 * not 0; the sums are whole numbers below 2^53 (PACK), so the merge gives sumPackedPairs' sums, to the bit.
 */
function markPackedBins(s: ForestScratch, nBins: number): void {
  const { binPacked, binPackedOdd, present } = s;
  for (let b = 0; b < nBins; b++) {
    const sum = binPacked[b] + binPackedOdd[b];
    binPacked[b] = sum;
    binPackedOdd[b] = 0;
    present[b >>> 5] |= +(sum !== 0) << (b & 31);
  }
  const missing = binPacked[MISSING_BIN] + binPackedOdd[MISSING_BIN];
  binPacked[MISSING_BIN] = missing;
  binPackedOdd[MISSING_BIN] = 0;
  present[MISSING_BIN >>> 5] |= +(missing !== 0) << (MISSING_BIN & 31);
}

/** collectPresent for sumPackedByBin's sums: each bin's two class weights unpacked into the entries. */
export function collectPacked(s: ForestScratch): number {
  const { binPacked, present, entrySums, missing, entryBin } = s;
  let nE = 0;
  for (let w = 0; w < present.length; w++) {
    let bits = present[w];
    present[w] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const b = (w << 5) | (31 - Math.clz32(low));
      const sum = binPacked[b];
      binPacked[b] = 0;
      const high = packedHigh(sum);
      const into = b === MISSING_BIN ? missing : entrySums;
      const at = b === MISSING_BIN ? 0 : 2 * nE;
      into[at] = sum - high * PACK;
      into[at + 1] = high;
      if (b !== MISSING_BIN) entryBin[nE++] = b;
    }
  }
  return nE;
}

/** The odd rows' bitmap into the even rows' (sumRowsByBin, sumPackedByBin), cleared for the next use. */
function mergeOddBits(present: Uint32Array, presentOdd: Uint32Array): void {
  for (let w = 0; w < 8; w++) {
    present[w] |= presentOdd[w];
    presentOdd[w] = 0;
  }
}

/** Whether sumRowsByBin saw missing rows (bin 255, the last bit of the bitmap). */
export function missingPresent(s: ForestScratch): boolean {
  return ((s.present[MISSING_BIN >>> 5] >>> (MISSING_BIN & 31)) & 1) === 1;
}

/** Moves the sums of the bins marked present into the entries (the missing bin's into s.missing). */
export function collectPresent(s: ForestScratch, C: number): number {
  const { binSums, present, entrySums, missing } = s;
  for (let c = 0; c < C; c++) missing[c] = 0;
  let nE = 0;
  for (let w = 0; w < present.length; w++) {
    let bits = present[w];
    present[w] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const b = (w << 5) | (31 - Math.clz32(low));
      const into = b === MISSING_BIN ? missing : entrySums;
      const at = b === MISSING_BIN ? 0 : nE * C;
      for (let c = 0; c < C; c++) {
        into[at + c] = binSums[b * C + c];
        binSums[b * C + c] = 0;
      }
      s.binClasses[b] = 0;
      if (b !== MISSING_BIN) s.entryBin[nE++] = b;
    }
  }
  return nE;
}

/** Nodes with at most this many rows sort their (bin, row) pairs directly (at most 32: BinaryOnes.gatherTiny). */
export const TINY_NODE = 32;

/** Two channels, few rows: the sorted keys' equal bins merged (missing rows, sorted last, apart). */
function entriesOfTinyNode(data: ForestData, t: NodeRange, n: number, s: ForestScratch): number {
  const { values } = data;
  const { rows, tinyKeys, entryBin, entrySums } = s;
  let m0 = 0;
  let m1 = 0;
  let nE = 0;
  let prev = -1;
  for (let q = 0; q < n; q++) {
    const b = tinyKeys[q] >>> 8;
    const i = rows[t.start + (tinyKeys[q] & 255)];
    if (b === MISSING_BIN) {
      m0 += values[2 * i];
      m1 += values[2 * i + 1];
    } else if (b !== prev) {
      entryBin[nE] = b;
      entrySums[2 * nE] = values[2 * i];
      entrySums[2 * nE + 1] = values[2 * i + 1];
      nE++;
      prev = b;
    } else {
      entrySums[2 * nE - 2] += values[2 * i];
      entrySums[2 * nE - 1] += values[2 * i + 1];
    }
  }
  s.missing[0] = m0;
  s.missing[1] = m1;
  return nE;
}

/** More than two classes, few rows: as entriesOfTinyNode, each row adding its weight to its class. */
function classEntriesOfTinyNode(data: ForestData, t: NodeRange, n: number, s: ForestScratch): number {
  const C = data.channels;
  const { classOf, rowWeight } = data.classes as NonNullable<ForestData["classes"]>;
  const { rows, tinyKeys, entryBin, entrySums, missing } = s;
  for (let c = 0; c < C; c++) missing[c] = 0;
  let nE = 0;
  let prev = -1;
  for (let q = 0; q < n; q++) {
    const b = tinyKeys[q] >>> 8;
    const i = rows[t.start + (tinyKeys[q] & 255)];
    if (b === MISSING_BIN) {
      missing[classOf[i]] += rowWeight[i];
      continue;
    }
    if (b !== prev) {
      entryBin[nE] = b;
      // A loop, not fill: a builtin call costs more than clearing a few classes.
      for (let c = nE * C; c < nE * C + C; c++) entrySums[c] = 0;
      nE++;
      prev = b;
    }
    entrySums[(nE - 1) * C + classOf[i]] += rowWeight[i];
  }
  return nE;
}

/**
 * The node's (bin << 8 | position) keys in order into keys (missing rows, bin 255, last); their number.
 * Insertion sort: at most TINY_NODE keys, often nearly in order.
 */
export function sortTinyKeys(
  columns: Uint8Array,
  col: number,
  rows: Int32Array,
  t: NodeRange,
  keys: Int32Array,
): number {
  const n = t.end - t.start;
  for (let k = 0; k < n; k++) {
    const key = (columns[col + rows[t.start + k]] << 8) | k;
    let j = k;
    while (j > 0 && keys[j - 1] > key) {
      keys[j] = keys[j - 1];
      j--;
    }
    keys[j] = key;
  }
  return n;
}

/** Presorted mode: feature f's segment is already in bin order, so one pass merges equal bins. */
export function entriesFromPresorted(data: ForestData, t: NodeRange, f: number, s: ForestScratch): number {
  const C = data.channels;
  const seg = s.presorted as Int32Array;
  const base = f * data.n;
  const { columns, values } = data;
  let nE = 0;
  let prev = -1;
  if (C === 2) return presortedTwo(data, t, f, s);
  s.missing.fill(0);
  for (let k = base + t.start; k < base + t.end; k++) {
    const i = seg[k];
    const b = columns[base + i];
    if (b === MISSING_BIN) {
      for (let c = 0; c < C; c++) s.missing[c] += values[i * C + c];
      continue;
    }
    if (b !== prev) {
      s.entryBin[nE] = b;
      for (let c = 0; c < C; c++) s.entrySums[nE * C + c] = values[i * C + c];
      nE++;
      prev = b;
    } else for (let c = 0; c < C; c++) s.entrySums[(nE - 1) * C + c] += values[i * C + c];
  }
  return nE;
}

/** entriesFromPresorted with two channels in locals. */
function presortedTwo(data: ForestData, t: NodeRange, f: number, s: ForestScratch): number {
  const seg = s.presorted as Int32Array;
  const base = f * data.n;
  const { columns, values } = data;
  const { entryBin, entrySums } = s;
  let nE = 0;
  let prev = -1;
  let m0 = 0;
  let m1 = 0;
  let a = 0;
  let b = 0;
  for (let k = base + t.start; k < base + t.end; k++) {
    const i = seg[k];
    const bin = columns[base + i];
    const v0 = values[2 * i];
    const v1 = values[2 * i + 1];
    if (bin === MISSING_BIN) {
      m0 += v0;
      m1 += v1;
    } else if (bin !== prev) {
      if (nE > 0) {
        entrySums[2 * nE - 2] = a;
        entrySums[2 * nE - 1] = b;
      }
      entryBin[nE++] = bin;
      prev = bin;
      a = v0;
      b = v1;
    } else {
      a += v0;
      b += v1;
    }
  }
  if (nE > 0) {
    entrySums[2 * nE - 2] = a;
    entrySums[2 * nE - 1] = b;
  }
  s.missing[0] = m0;
  s.missing[1] = m1;
  return nE;
}
