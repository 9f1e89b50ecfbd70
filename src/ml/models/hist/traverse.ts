/**
 * Prediction on raw values (no binning): each split node gets the real threshold of its bin
 * (x ≤ thresholds[bin] ⟺ bin(x) ≤ bin, so the result is the same as on bins), and nodes are packed two
 * 32-bit words each (feature and flags; child) so a step reads two arrays instead of four. The compiled
 * form is built once per fitted forest and cached.
 */

import { NODE_BYTES, treeKernel, type Walk } from "../../kernels/predict-trees.js";
import { type BinArray, type BinMapper, MISSING_BIN, missingBin } from "./binning.js";
import { CAT_WORDS, FLAG_CATEGORICAL, FLAG_DEFAULT_LEFT, type ForestArrays } from "./forest.js";

interface Compiled {
  /** Per node: (feature << 8 | flags) for a split, −1 for a leaf; then the child (or the leaf's value offset). */
  meta: Int32Array;
  threshold: Float64Array;
  /** Categories per feature (0 = numeric). */
  categories: Int32Array;
}

const cache = new WeakMap<ForestArrays, Compiled>();

function compile(f: ForestArrays, m: BinMapper): Compiled {
  let c = cache.get(f);
  if (c) return c;
  const n = f.feature.length;
  const meta = new Int32Array(2 * n);
  const threshold = new Float64Array(n);
  for (let node = 0; node < n; node++) {
    const feat = f.feature[node];
    meta[2 * node + 1] = f.child[node];
    if (feat < 0) {
      meta[2 * node] = -1;
      continue;
    }
    meta[2 * node] = (feat << 8) | f.flags[node];
    if (f.threshold) threshold[node] = f.threshold[node];
    else if (!(f.flags[node] & FLAG_CATEGORICAL)) {
      const k = m.offsets[feat] + f.bin[node];
      threshold[node] = k < m.offsets[feat + 1] ? m.thresholds[k] : Number.POSITIVE_INFINITY;
    }
  }
  c = { meta, threshold, categories: m.categories };
  cache.set(f, c);
  return c;
}

/** A code outside 0..k−1 (or not an integer) is missing, as in binning. */
function categoricalRight(
  f: ForestArrays,
  c: Compiled,
  node: number,
  feat: number,
  v: number,
  w: number,
): number {
  if (!(v >= 0 && v < c.categories[feat] && v < MISSING_BIN && Number.isInteger(v)))
    return (w & FLAG_DEFAULT_LEFT) ^ 1;
  return ((f.catBits[f.catSlot[node] * CAT_WORDS + (v >>> 5)] >>> (v & 31)) & 1) ^ 1;
}

/** Rows walked down one tree together: their steps are independent, so the CPU overlaps their loads. */
const BLOCK = 64;

/**
 * Adds the leaf outputs of every tree for n rows of a row-major value matrix x (row i at x[i · cols]) into
 * out; tree t writes output column t % stride, rows at out[(outOffset + i) · stride · nOut].
 */
export function accumulateRaw(
  f: ForestArrays,
  m: BinMapper,
  x: Float64Array,
  n: number,
  cols: number,
  out: Float64Array,
  outOffset: number,
  stride: number,
): void {
  const c = compile(f, m);
  const { meta } = c;
  const { roots, nOut } = f;
  const width = stride * nOut;
  const node = new Int32Array(BLOCK);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const bn = Math.min(BLOCK, n - r0);
    for (let t = 0; t < roots.length; t++) {
      walkToLeaves(f, c, x, r0, bn, cols, roots[t], node);
      addLeaves(f, meta, node, bn, out, (outOffset + r0) * width + (t % stride) * nOut, width);
    }
  }
}

/** Adds the values of the bn leaves in node to out, row j's nOut outputs at first + j · width. */
function addLeaves(
  f: ForestArrays,
  meta: Int32Array,
  node: Int32Array,
  bn: number,
  out: Float64Array,
  first: number,
  width: number,
): void {
  const { values, nOut } = f;
  for (let j = 0; j < bn; j++) {
    const leaf = meta[2 * node[j] + 1];
    const at = first + j * width;
    for (let k = 0; k < nOut; k++) out[at + k] += values[leaf + k];
  }
}

/** Walks rows r0 … r0 + bn − 1 down the tree under root; node[j] ends at row r0 + j's leaf. */
function walkToLeaves(
  f: ForestArrays,
  c: Compiled,
  x: Float64Array,
  r0: number,
  bn: number,
  cols: number,
  root: number,
  node: Int32Array,
): void {
  const { meta, threshold } = c;
  node.fill(root, 0, bn);
  // One level per sweep until every row of the block has reached a leaf.
  for (let moving = true; moving; ) {
    moving = false;
    for (let j = 0; j < bn; j++) {
      const nd = node[j];
      const w = meta[2 * nd];
      if (w < 0) continue;
      moving = true;
      const v = x[(r0 + j) * cols + (w >>> 8)];
      let right: number;
      if (w & FLAG_CATEGORICAL) right = categoricalRight(f, c, nd, w >>> 8, v, w);
      else if (Number.isNaN(v)) right = (w & FLAG_DEFAULT_LEFT) ^ 1;
      else right = +(v > threshold[nd]);
      node[j] = meta[2 * nd + 1] + right;
    }
  }
}

/** Rows per tree pass on bins: a deep tree stays in cache while thousands of rows walk it. */
const BINNED_BLOCK = 4096;

/**
 * As accumulateRaw, on binned rows (row-major, `cols` bins per row; binRows with the same mapper). A node
 * then costs 9 bytes instead of 16, which matters once a forest outgrows the caches (deep random-forest trees).
 */
export function accumulateBinned(
  f: ForestArrays,
  m: BinMapper,
  bins: BinArray,
  n: number,
  cols: number,
  out: Float64Array,
  outOffset: number,
  stride: number,
): void {
  const { meta } = compile(f, m);
  const { roots, nOut, bin } = f;
  const missing = missingBin(m);
  const width = stride * nOut;
  const node = new Int32Array(BINNED_BLOCK);
  for (let r0 = 0; r0 < n; r0 += BINNED_BLOCK) {
    const bn = Math.min(BINNED_BLOCK, n - r0);
    for (let t = 0; t < roots.length; t++) {
      node.fill(roots[t], 0, bn);
      for (let moving = true; moving; ) {
        moving = false;
        for (let j = 0; j < bn; j++) {
          const nd = node[j];
          const w = meta[2 * nd];
          if (w < 0) continue;
          moving = true;
          const b = bins[(r0 + j) * cols + (w >>> 8)];
          let right: number;
          if (w & FLAG_CATEGORICAL) {
            right =
              b === missing
                ? (w & FLAG_DEFAULT_LEFT) ^ 1
                : ((f.catBits[f.catSlot[nd] * CAT_WORDS + (b >>> 5)] >>> (b & 31)) & 1) ^ 1;
          } else right = +(b > bin[nd]) ^ (+(b === missing) & w);
          node[j] = meta[2 * nd + 1] + right;
        }
      }
      addLeaves(f, meta, node, bn, out, (outOffset + r0) * width + (t % stride) * nOut, width);
    }
  }
}

/**
 * Boosted trees are shallow, so a row block can take every tree's full depth in branch-free steps (see
 * kernels/predict-trees.ts). The forest is laid out in the kernel's memory once; trees with a categorical
 * split keep the JS walk.
 */
interface Leveled {
  walk: Walk;
  f64: Float64Array;
  i32: Int32Array;
  cols: number;
  width: number;
  /** Per tree: its depth, or −1 when it has a categorical split. */
  depth: Int32Array;
  valuesAt: number;
  nodeBufAt: number;
  xAt: number;
  outAt: number;
}

const leveledCache = new WeakMap<ForestArrays, Leveled>();

/** Rows per block: their values stay in cache while every tree passes. */
const LEVEL_BLOCK = 256;

function leveled(f: ForestArrays, m: BinMapper, cols: number, width: number): Leveled {
  const cached = leveledCache.get(f);
  if (cached && cached.cols === cols && cached.width === width) return cached;
  const { threshold } = compile(f, m);
  const n = f.feature.length;
  const valuesAt = n * NODE_BYTES;
  const nodeBufAt = valuesAt + n * 8;
  const xAt = nodeBufAt + LEVEL_BLOCK * 4;
  const outAt = xAt + LEVEL_BLOCK * cols * 8;
  const { walk, f64, i32 } = treeKernel(outAt + LEVEL_BLOCK * width * 8);
  for (let node = 0; node < n; node++) {
    const leaf = f.feature[node] < 0;
    f64[node * 2] = leaf ? Number.POSITIVE_INFINITY : threshold[node];
    i32[node * 4 + 2] = leaf ? 0 : f.feature[node] * 8;
    const missingRight = leaf ? 0 : (f.flags[node] & FLAG_DEFAULT_LEFT) ^ 1;
    i32[node * 4 + 3] = (leaf ? node : f.child[node]) * NODE_BYTES + missingRight;
    if (leaf) f64[valuesAt / 8 + node] = f.values[f.child[node]];
  }
  const depth = Int32Array.from(f.roots, (root) => treeDepth(f, root));
  const l = { walk, f64, i32, cols, width, depth, valuesAt, nodeBufAt, xAt, outAt };
  leveledCache.set(f, l);
  return l;
}

/** Depth of the tree under root (0 for a lone leaf), or −1 if any of its splits is categorical. */
function treeDepth(f: ForestArrays, root: number): number {
  if (f.feature[root] < 0) return 0;
  if (f.flags[root] & FLAG_CATEGORICAL) return -1;
  const left = treeDepth(f, f.child[root]);
  const right = treeDepth(f, f.child[root] + 1);
  return left < 0 || right < 0 ? -1 : 1 + Math.max(left, right);
}

/** As accumulateRaw (same leaves, added in the same tree order), for boosted forests (one output a leaf). */
export function accumulateRawLeveled(
  f: ForestArrays,
  m: BinMapper,
  x: Float64Array,
  n: number,
  cols: number,
  out: Float64Array,
  outOffset: number,
  stride: number,
): void {
  if (f.nOut !== 1 || n === 0) {
    accumulateRaw(f, m, x, n, cols, out, outOffset, stride);
    return;
  }
  const k = leveled(f, m, cols, stride);
  const c = compile(f, m);
  const { roots, values } = f;
  const node = new Int32Array(LEVEL_BLOCK);
  const outCells = k.f64.subarray(k.outAt / 8, k.outAt / 8 + LEVEL_BLOCK * stride);
  for (let r0 = 0; r0 < n; r0 += LEVEL_BLOCK) {
    const bn = Math.min(LEVEL_BLOCK, n - r0);
    const outRows = out.subarray((outOffset + r0) * stride, (outOffset + r0 + bn) * stride);
    k.f64.set(x.subarray(r0 * cols, (r0 + bn) * cols), k.xAt / 8);
    outCells.set(outRows);
    for (let t = 0; t < roots.length; t++) {
      const col = t % stride;
      if (k.depth[t] >= 0) {
        const nodeEnd = k.nodeBufAt + 4 * bn;
        k.walk(
          roots[t] * NODE_BYTES,
          k.depth[t],
          k.xAt,
          cols * 8,
          k.outAt + col * 8,
          stride * 8,
          k.nodeBufAt,
          nodeEnd,
          k.valuesAt,
        );
        continue;
      }
      walkToLeaves(f, c, x, r0, bn, cols, roots[t], node);
      for (let j = 0; j < bn; j++) outCells[j * stride + col] += values[c.meta[2 * node[j] + 1]];
    }
    outRows.set(outCells.subarray(0, bn * stride));
  }
}
