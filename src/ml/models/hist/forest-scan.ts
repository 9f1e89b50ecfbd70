/**
 * Scans one feature's entries for the best split: numeric boundaries (missing rows tried on both sides)
 * or, for a categorical feature, prefixes of the categories ordered by their mean target (Breiman's
 * ordering; by the share of the node's main class for several classes).
 */
import type { Criterion } from "./channels.js";
import { score, weightOf } from "./channels.js";
import {
  type Best,
  type ForestData,
  type ForestScratch,
  type ForestTreeParams,
  type NodeRange,
  PACK,
  packedHigh,
} from "./forest-scratch.js";

/** Best boundary (numeric) or category set (categorical) of one feature's entries. */
export function scanFeature(
  data: ForestData,
  f: number,
  nE: number,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const numeric = data.categories[f] === 0;
  if (data.channels === 2 && numeric) scanTwo(f, nE, params, parentScore, W, s, best);
  else if (numeric && params.criterion === "gini" && weightOf("gini", s.missing, 0, data.channels) === 0)
    scanGini(f, nE, params.minSamplesLeaf, parentScore, W, s, best);
  else scanChannels(data, f, nE, params, parentScore, W, s, best);
}

/** Score of two sums (a, b): squared error (Σwy, Σw), or two class weights for Gini and entropy. */
function score2(crit: Criterion, a: number, b: number): number {
  if (crit === "squared_error") return b > 0 ? (a * a) / b : 0;
  const w = a + b;
  if (w <= 0) return 0;
  if (crit === "gini") return (a * a + b * b) / w;
  return (a > 0 ? a * Math.log(a / w) : 0) + (b > 0 ? b * Math.log(b / w) : 0);
}

/** The numeric scan with two channels in locals (regression and binary classification). */
function scanTwo(
  f: number,
  nE: number,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const crit = params.criterion;
  if (crit === "squared_error" && s.missing[1] === 0) {
    scanSquared(f, nE, params.minSamplesLeaf, parentScore, W, s, best);
    return;
  }
  if (crit === "gini" && s.missing[0] + s.missing[1] === 0) {
    scanGiniTwo(f, nE, params.minSamplesLeaf, parentScore, W, s, best);
    return;
  }
  const squared = crit === "squared_error";
  const sums = s.entrySums;
  const t0 = s.sums[0];
  const t1 = s.sums[1];
  const m0 = s.missing[0];
  const m1 = s.missing[1];
  const wMissing = squared ? m1 : m0 + m1;
  const both = wMissing > 0;
  const minLeaf = Math.max(params.minSamplesLeaf, 1e-12);
  let l0 = 0;
  let l1 = 0;
  for (let e = 0; e < nE - (both ? 0 : 1); e++) {
    l0 += sums[2 * e];
    l1 += sums[2 * e + 1];
    for (let side = 0; side < (both ? 2 : 1); side++) {
      const a = side ? l0 + m0 : l0;
      const b = side ? l1 + m1 : l1;
      const wl = squared ? b : a + b;
      const wr = W - wl;
      if (wl < minLeaf || wr < minLeaf) continue;
      const gain = score2(crit, a, b) + score2(crit, t0 - a, t1 - b) - parentScore;
      if (gain > best.gain) record(best, gain, f, e, side === 1, false, s);
    }
  }
}

/** Squared error, no missing rows: gain = a²/w + (A − a)²/(W − w) − parent, the common case. */
function scanSquared(
  f: number,
  nE: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const sums = s.entrySums;
  const total = s.sums[0];
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  let a = 0;
  let w = 0;
  let bestGain = best.gain;
  let bestE = -1;
  for (let e = 0; e < nE - 1; e++) {
    a += sums[2 * e];
    w += sums[2 * e + 1];
    const wr = W - w;
    if (w < minLeaf || wr < minLeaf) continue;
    const r = total - a;
    const gain = (a * a) / w + (r * r) / wr - parentScore;
    if (gain > bestGain) {
      bestGain = gain;
      bestE = e;
    }
  }
  if (bestE >= 0) record(best, bestGain, f, bestE, false, false, s);
}

/** Two classes, Gini, no missing rows: scanTwo's gains (the same operations) with its branches taken. */
function scanGiniTwo(
  f: number,
  nE: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const sums = s.entrySums;
  const t0 = s.sums[0];
  const t1 = s.sums[1];
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  let a = 0;
  let b = 0;
  let bestGain = best.gain;
  let bestE = -1;
  for (let e = 0; e < nE - 1; e++) {
    a += sums[2 * e];
    b += sums[2 * e + 1];
    const gain = giniGainTwo(a, b, t0, t1, W, minLeaf, parentScore);
    if (gain > bestGain) {
      bestGain = gain;
      bestE = e;
    }
  }
  if (bestE >= 0) record(best, bestGain, f, bestE, false, false, s);
}

/**
 * Gini gain of sending class weights (a, b) of (t0, t1) left, as score2 computes it; −Infinity when a side
 * weighs less than minLeaf.
 */
function giniGainTwo(
  a: number,
  b: number,
  t0: number,
  t1: number,
  W: number,
  minLeaf: number,
  parentScore: number,
): number {
  const wl = a + b;
  const wr = W - wl;
  if (wl < minLeaf || wr < minLeaf) return Number.NEGATIVE_INFINITY;
  const ra = t0 - a;
  const rb = t1 - b;
  return (a * a + b * b) / wl + (ra * ra + rb * rb) / (ra + rb) - parentScore;
}

/**
 * Gini over several classes, numeric, no missing rows: the sums of squared class weights on either side
 * are updated per class that an entry changes (one or two in small nodes) instead of recomputed.
 */
function scanGini(
  f: number,
  nE: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const C = s.channels;
  const { left, sums, entrySums } = s;
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  left.fill(0);
  let squaresLeft = 0;
  let squaresRight = 0;
  for (let c = 0; c < C; c++) squaresRight += sums[c] * sums[c];
  let wl = 0;
  let bestGain = best.gain;
  let bestE = -1;
  for (let e = 0; e < nE - 1; e++) {
    for (let c = 0; c < C; c++) {
      const d = entrySums[e * C + c];
      if (d === 0) continue;
      const l = left[c];
      squaresLeft += d * (2 * l + d);
      squaresRight += d * (d - 2 * (sums[c] - l));
      left[c] = l + d;
      wl += d;
    }
    const wr = W - wl;
    if (wl < minLeaf || wr < minLeaf) continue;
    const gain = squaresLeft / wl + squaresRight / wr - parentScore;
    if (gain > bestGain) {
      bestGain = gain;
      bestE = e;
    }
  }
  if (bestE >= 0) record(best, bestGain, f, bestE, false, false, s);
}

/** Best boundary (numeric) or category set (categorical) of one feature's entries. */
function scanChannels(
  data: ForestData,
  f: number,
  nE: number,
  params: ForestTreeParams,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const C = data.channels;
  const crit = params.criterion;
  const categorical = data.categories[f] > 0;
  if (categorical) orderCategories(crit, nE, s);
  const left = s.left;
  left.fill(0);
  const wMissing = weightOf(crit, s.missing, 0, C);
  const minLeaf = params.minSamplesLeaf;
  const rightOf = s.right;
  const tryBoth = wMissing > 0 && !categorical;
  for (let e = 0; e < nE - (tryBoth ? 0 : 1); e++) {
    const at = (categorical ? s.order[e] : e) * C;
    for (let c = 0; c < C; c++) left[c] += s.entrySums[at + c];
    for (let withMissing = 0; withMissing < (tryBoth ? 2 : 1); withMissing++) {
      if (withMissing) for (let c = 0; c < C; c++) left[c] += s.missing[c];
      const wl = weightOf(crit, left, 0, C);
      const wr = W - wl;
      if (wl >= minLeaf && wr >= minLeaf && wl > 0 && wr > 0) {
        for (let c = 0; c < C; c++) rightOf[c] = s.sums[c] - left[c];
        const gain = score(crit, left, 0, C, wl) + score(crit, rightOf, 0, C, wr) - parentScore;
        if (gain > best.gain) record(best, gain, f, e, withMissing === 1, categorical, s);
      }
      if (withMissing) for (let c = 0; c < C; c++) left[c] -= s.missing[c];
    }
  }
}

/** Categories in order of their mean target (regression, binary) or share of the node's main class. */
function orderCategories(crit: Criterion, nE: number, s: ForestScratch): void {
  const C = s.channels;
  let main = 0;
  for (let c = 1; c < C; c++) if (s.sums[c] > s.sums[main]) main = c;
  const keys = s.key;
  for (let e = 0; e < nE; e++) {
    const w = weightOf(crit, s.entrySums, e * C, C);
    keys[e] =
      crit === "squared_error" ? s.entrySums[e * C] / w : s.entrySums[e * C + (C === 2 ? 1 : main)] / w;
    s.order[e] = e;
  }
  const sorted = Array.from(s.order.subarray(0, nE)).sort((a, b) => keys[a] - keys[b] || a - b);
  for (let e = 0; e < nE; e++) s.order[e] = sorted[e];
}

/**
 * scanGini straight from a tiny node's sorted keys (sortTinyKeys, no missing rows): one update per row
 * instead of an entry of C class sums per bin. The class weights are whole bootstrap counts, so the sums of
 * squares, and so every gain, are exactly scanGini's. The rows' classes and weights come from tinyRows.
 */
export function scanTinyGini(
  f: number,
  n: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const C = s.channels;
  const { left, sums, tinyKeys, tinyClass, tinyWeight } = s;
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  for (let c = 0; c < C; c++) left[c] = 0;
  let squaresRight = s.tinySquares;
  let squaresLeft = 0;
  let wl = 0;
  let bestGain = best.gain;
  let bestKey = -1;
  for (let q = 0; q < n - 1; q++) {
    const key = tinyKeys[q];
    const c = tinyClass[key & 255];
    const d = tinyWeight[key & 255];
    const l = left[c];
    squaresLeft += d * (2 * l + d);
    squaresRight += d * (d - 2 * (sums[c] - l));
    left[c] = l + d;
    wl += d;
    // Only the last row of a bin ends a boundary.
    if (tinyKeys[q + 1] >>> 8 === key >>> 8) continue;
    const wr = W - wl;
    if (wl < minLeaf || wr < minLeaf) continue;
    const gain = squaresLeft / wl + squaresRight / wr - parentScore;
    if (gain > bestGain) {
      bestGain = gain;
      bestKey = key;
    }
  }
  if (bestKey >= 0) recordNumeric(best, bestGain, f, bestKey >>> 8);
}

/**
 * Copies the class and weight of a tiny node's rows rows[start..start + n) into s.tinyClass and s.tinyWeight (by
 * position, as tinyKeys hold them), and Σ sums² into s.tinySquares, for scanTinyGini: once per node, not
 * two lookups per row and feature scanned.
 */
export function tinyRows(data: ForestData, start: number, n: number, s: ForestScratch): void {
  const { classOf, rowWeight } = data.classes as NonNullable<ForestData["classes"]>;
  const { rows, tinyClass, tinyWeight, sums } = s;
  for (let k = 0; k < n; k++) {
    const i = rows[start + k];
    tinyClass[k] = classOf[i];
    tinyWeight[k] = rowWeight[i];
  }
  s.tinySquares = sumOfSquares(sums, s.channels);
}

/** Σ sums[c]² over C classes (scanTinyGini's starting right side). */
export function sumOfSquares(sums: Float64Array, C: number): number {
  let squares = 0;
  for (let c = 0; c < C; c++) squares += sums[c] * sums[c];
  return squares;
}

/**
 * Gini over the bins sumPackedByBin marked (two classes, no missing rows), read straight from its packed
 * per-bin sums and cleared as they go: the gains of scanGiniTwo over the same bins (the same class weights,
 * exact), without copying them into entries. The last bin is tried too, harmlessly: its right side weighs
 * nothing, below any minimum leaf.
 */
export function scanPackedGini(
  f: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const { binPacked, present, sums } = s;
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  const t0 = sums[0];
  const t1 = sums[1];
  let sum = 0;
  let bestGain = best.gain;
  let bestBin = -1;
  for (let w = 0; w < present.length; w++) {
    let bits = present[w];
    present[w] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const bin = (w << 5) | (31 - Math.clz32(low));
      sum += binPacked[bin];
      binPacked[bin] = 0;
      const b = packedHigh(sum);
      const gain = giniGainTwo(sum - b * PACK, b, t0, t1, W, minLeaf, parentScore);
      if (gain > bestGain) {
        bestGain = gain;
        bestBin = bin;
      }
    }
  }
  if (bestBin >= 0) recordNumeric(best, bestGain, f, bestBin);
}

/**
 * Gini over several classes and the bins sumRowsByBin marked (no missing rows), read straight from its
 * per-bin sums and cleared as they go: the gains of scanGini over the same bins, without copying them into
 * entries (two classes take scanPackedGini).
 * The last bin is tried too, harmlessly: its right side weighs nothing, below any minimum leaf.
 */
export function scanBinsGini(
  f: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const C = s.channels;
  const { binSums, present, binClasses, left, sums } = s;
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  let squaresLeft = 0;
  let squaresRight = 0;
  for (let c = 0; c < C; c++) {
    left[c] = 0;
    squaresRight += sums[c] * sums[c];
  }
  let wl = 0;
  let bestGain = best.gain;
  let bestBin = -1;
  for (let w = 0; w < present.length; w++) {
    let bits = present[w];
    present[w] = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const b = (w << 5) | (31 - Math.clz32(low));
      // The bin's classes in increasing order (binClasses), the same updates as a loop over every class
      // skipping the empty ones, which more than 32 classes (bits shared) still take.
      let classes = binClasses[b];
      binClasses[b] = 0;
      if (C > 32) classes = -1;
      for (let c = 0; classes !== 0 && c < C; c++) {
        if (C <= 32) {
          const low = classes & -classes;
          classes ^= low;
          c = 31 - Math.clz32(low);
        }
        const d = binSums[b * C + c];
        if (d === 0) continue;
        binSums[b * C + c] = 0;
        const l = left[c];
        squaresLeft += d * (2 * l + d);
        squaresRight += d * (d - 2 * (sums[c] - l));
        left[c] = l + d;
        wl += d;
      }
      const wr = W - wl;
      if (wl < minLeaf || wr < minLeaf) continue;
      const gain = squaresLeft / wl + squaresRight / wr - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestBin = b;
      }
    }
  }
  if (bestBin >= 0) recordNumeric(best, bestGain, f, bestBin);
}

/**
 * Gini on a numeric feature of two bins (0 and 1, no missing value: one-hot and other binary columns) from
 * the node's rows in one pass: the class weights of its rows in bin 1, bin 0's being the node's less those.
 * Returns false when every row is in one bin (no split). Bootstrap weights are whole counts, so those sums
 * and every sum of squares are exact: the gain is the one scanBinsGini and scanTinyGini find, to the bit.
 */
export function scanTwoBins(
  data: ForestData,
  t: NodeRange,
  f: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): boolean {
  const C = s.channels;
  const { columns } = data;
  const { rows } = s;
  const col = f * data.n;
  const m = t.end - t.start;
  let ones = 0;
  if (C === 2) {
    // The last row of an odd count here: see packedOnes.
    const last = rows[t.end - 1];
    const odd = (m & 1) === 1 ? columns[col + last] * (data.packed as Float64Array)[last] : 0;
    const sum = packedOnes(data, t, f, s) + odd;
    // Every row weighs at least 1: no ones weigh nothing, all ones weigh the node's packed sum.
    if (sum === 0 || sum === s.sums[0] + s.sums[1] * PACK) return false;
    const right = s.right;
    right[1] = packedHigh(sum);
    right[0] = sum - right[1] * PACK;
  } else {
    const { classOf, rowWeight } = data.classes as NonNullable<ForestData["classes"]>;
    const right = s.right;
    for (let c = 0; c < C; c++) right[c] = 0;
    for (let k = t.start; k < t.end; k++) {
      const i = rows[k];
      if (columns[col + i] === 0) continue;
      ones++;
      right[classOf[i]] += rowWeight[i];
    }
    if (ones === 0 || ones === m) return false;
  }
  giniOfOnes(s.right, 0, C, f, minSamplesLeaf, parentScore, W, s, best);
  return true;
}

/**
 * The packed class weights of the node's rows whose feature f is 1, but for the last row of an odd count
 * (which the caller adds). The loop is alone in its function, and nothing follows it, as in sumPackedPairs:
 * OSR code for it would deopt, call after call, on code after it. Rows are taken in pairs, so each pair's
 * add waits for the previous pair's, not each row's; packed weights are whole numbers below 2^53 (PACK),
 * so the sum is the same in any order, to the bit.
 */
function packedOnes(data: ForestData, t: NodeRange, f: number, s: ForestScratch): number {
  const { columns } = data;
  const packed = data.packed as Float64Array;
  const { rows } = s;
  const col = f * data.n;
  let sum = 0;
  // Branch-free: binary columns other than one-hot ones are often half ones.
  for (let k = t.start; k + 1 < t.end; k += 2) {
    const i = rows[k];
    const j = rows[k + 1];
    sum += columns[col + i] * packed[i] + columns[col + j] * packed[j];
  }
  return sum;
}

/**
 * scanTwoBins from a node's ones table (BinaryOnes): the class weights of feature f's ones at ones[at..];
 * false when they weigh nothing or all of the node's weight W (every row in one bin: no split). The weights
 * are whole bootstrap counts, so those sums are exact and the test is the row count's.
 */
export function scanOnes(
  ones: Float64Array,
  at: number,
  f: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): boolean {
  const C = s.channels;
  let w = 0;
  for (let c = 0; c < C; c++) w += ones[at + c];
  if (w === 0 || w === W) return false;
  giniOfOnes(ones, at, C, f, minSamplesLeaf, parentScore, W, s, best);
  return true;
}

/**
 * scanOnes for a tiny node gathered without a table (BinaryOnes.gatherTiny, feature f not constant there):
 * the class weights of the positions whose bit is set in `mask` (the feature's ones), from s.tinyClass and
 * s.tinyWeight. Whole counts, so the same weights as the table's and the same gain, to the bit.
 */
export function scanTinyOnes(
  mask: number,
  f: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const C = s.channels;
  const { right, tinyClass, tinyWeight } = s;
  for (let c = 0; c < C; c++) right[c] = 0;
  for (let bits = mask; bits !== 0; ) {
    const low = bits & -bits;
    bits ^= low;
    const k = 31 - Math.clz32(low);
    right[tinyClass[k]] += tinyWeight[k];
  }
  giniOfOnes(right, 0, C, f, minSamplesLeaf, parentScore, W, s, best);
}

/**
 * The Gini gain of splitting a binary feature's zeros (left) from its ones (right), whose class weights are
 * right[at..at + C), into best when it is better.
 */
function giniOfOnes(
  right: Float64Array,
  at: number,
  C: number,
  f: number,
  minSamplesLeaf: number,
  parentScore: number,
  W: number,
  s: ForestScratch,
  best: Best,
): void {
  const sums = s.sums;
  const minLeaf = Math.max(minSamplesLeaf, 1e-12);
  let gain: number;
  if (C === 2) {
    const a = right[at];
    const b = right[at + 1];
    gain = giniGainTwo(sums[0] - a, sums[1] - b, sums[0], sums[1], W, minLeaf, parentScore);
  } else {
    let squaresLeft = 0;
    let squaresRight = 0;
    let wl = 0;
    for (let c = 0; c < C; c++) {
      const r = right[at + c];
      const l = sums[c] - r;
      squaresLeft += l * l;
      squaresRight += r * r;
      wl += l;
    }
    const wr = W - wl;
    if (wl < minLeaf || wr < minLeaf) return;
    gain = squaresLeft / wl + squaresRight / wr - parentScore;
  }
  if (gain > best.gain) recordNumeric(best, gain, f, 0);
}

/**
 * The Gini gain of splitting a node of weight W into two pure children, W − parentScore: no scan here
 * computes a larger gain, to the bit (each side's Σ sums² / weight is at most its weight, equal when the side
 * is pure, with whole-count sums exact, and each rounding after is monotonic). A split that reaches it is
 * final: a later one must exceed it.
 */
export function pureSplitGain(W: number, parentScore: number): number {
  return W - parentScore;
}

function recordNumeric(best: Best, gain: number, f: number, bin: number): void {
  best.gain = gain;
  best.feature = f;
  best.categorical = false;
  best.defaultLeft = false;
  best.bin = bin;
}

function record(
  best: Best,
  gain: number,
  f: number,
  e: number,
  missingLeft: boolean,
  categorical: boolean,
  s: ForestScratch,
): void {
  best.gain = gain;
  best.feature = f;
  best.categorical = categorical;
  best.defaultLeft = missingLeft;
  if (!categorical) {
    // Bins ≤ this one go left; the empty bins up to the next present one go right.
    best.bin = s.entryBin[e];
    return;
  }
  best.bin = 0;
  best.bits.fill(0);
  for (let k = 0; k <= e; k++) {
    const b = s.entryBin[s.order[k]];
    best.bits[b >>> 5] |= 1 << (b & 31);
  }
}
