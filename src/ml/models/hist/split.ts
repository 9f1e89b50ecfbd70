/**
 * Best split of a node from its histogram. Gain as XGBoost and LightGBM compute it (without the factor ½):
 * score(G, H) = T(G)² / (H + λ), T the L1 soft threshold; gain = score(L) + score(R) − score(parent).
 * Numeric features try every bin boundary with the missing rows sent left and right (the learned default
 * direction); with no missing rows in the node the default is the larger child (as scikit-learn).
 * Categorical features (LightGBM's method): one category against the rest when there are few, else the
 * categories sorted by G / (H + catSmooth) and every prefix of that order tried as the left set.
 */
import { MISSING_BIN } from "./binning.js";
import { CAT_WORDS } from "./forest.js";
import { histStrideOf } from "./histogram.js";

export interface SplitRules {
  l1: number;
  l2: number;
  /** Minimum hessian sum per child. */
  minChildWeight: number;
  /** Minimum rows per child (estimated from hessians, as LightGBM does). */
  minSamplesLeaf: number;
  maxCatToOnehot: number;
  catSmooth: number;
  /** Extra L2 for categorical splits. */
  catL2: number;
}

export interface Split {
  gain: number;
  feature: number;
  bin: number;
  defaultLeft: boolean;
  categorical: boolean;
  catBits: Uint32Array;
  gL: number;
  hL: number;
  gR: number;
  hR: number;
}

export function emptySplit(): Split {
  return {
    gain: 0,
    feature: -1,
    bin: 0,
    defaultLeft: false,
    categorical: false,
    catBits: new Uint32Array(CAT_WORDS),
    gL: 0,
    hL: 0,
    gR: 0,
    hR: 0,
  };
}

export function softThreshold(g: number, l1: number): number {
  return g > l1 ? g - l1 : g < -l1 ? g + l1 : 0;
}

export function leafScore(g: number, h: number, l1: number, l2: number): number {
  const t = softThreshold(g, l1);
  return (t * t) / (h + l2);
}

/** Newton leaf weight −T(G) / (H + λ). */
export function leafWeight(g: number, h: number, l1: number, l2: number): number {
  return -softThreshold(g, l1) / (h + l2);
}

export interface NodeStats {
  g: number;
  h: number;
  count: number;
}

/**
 * Scans the features in `features` and writes the best split into `best` (gain 0 and feature −1 when no
 * split satisfies the rules).
 * @param binCounts - value bins per feature; categorical features have categories[f] > 0
 * @param missing - the missing bin (missingBin): features are histStrideOf(missing) cells apart
 */
export function findBestSplit(
  hist: Float64Array,
  features: Int32Array,
  binCounts: Int32Array,
  categories: Int32Array,
  node: NodeStats,
  rules: SplitRules,
  best: Split,
  missing = MISSING_BIN,
): void {
  best.gain = 0;
  best.feature = -1;
  const parent = leafScore(node.g, node.h, rules.l1, rules.l2);
  const perHess = node.h > 0 ? node.count / node.h : 0;
  const bounds = childHessianBounds(node, rules);
  for (let q = 0; q < features.length; q++) {
    const f = features[q];
    const base = f * histStrideOf(missing);
    if (categories[f] > 0) categoricalSplit(hist, f, base, binCounts[f], node, perHess, rules, best);
    else numericSplit(hist, f, base, base + 2 * missing, binCounts[f], node, parent, bounds, rules, best);
  }
}

/**
 * The scan of one numeric feature, as source: this thread compiles it and the GBDT's worker threads run the
 * same source (models/hist/threads.ts), so every thread finds the same split with one copy of the code.
 * Feature f's cells start at hist[base], its missing bin's at hist[missingAt]. `out` holds the best so far:
 * [gain, feature, bin, default left (0/1), gL, hL, gR, hR]; a boundary whose gain is larger replaces it.
 *
 * The gain of every boundary is computed and tested first, the rules after: a new best is rare, so that
 * branch is predictable, where testing for empty bins first mispredicts on the scattered bins of a small
 * node (2× slower). The splits taken are the same. A bin with (numerically) no rows moves no row across the
 * boundary: the same split as the bin before. minH and maxH are the hessian bounds of a child.
 */
export const NUMERIC_SCAN_SOURCE = `(hist, f, base, missingAt, nBins, G, H, parent, minH, maxH, l1, l2, out) => {
  const soft = (g) => (g > l1 ? g - l1 : g < -l1 ? g + l1 : 0);
  const gm = hist[missingAt];
  const hm = hist[missingAt + 1];
  const hasMissing = hm > 0;
  const empty = 1e-12 * H;
  let gl = 0;
  let hl = 0;
  // Only the bins from the first holding anything to the last non-empty one are scanned: the cells before
  // are zero (gl and hl stay as they are) and the bins after are empty, never taken (a deep node's rows
  // fill a narrow range of the bins of the features it was split on).
  let from = 0;
  if (empty > 0)
    while (from < nBins - 1 && hist[base + 2 * from] === 0 && hist[base + 2 * from + 1] === 0) from++;
  let to = nBins - 1;
  while (to > from && hist[base + 2 * to - 1] < empty && hist[base + 2 * to - 1] > -empty) to--;
  for (let b = from; b < to; b++) {
    const hb = hist[base + 2 * b + 1];
    gl += hist[base + 2 * b];
    hl += hb;
    // Missing rows right.
    const gr = G - gl;
    const hr = H - hl;
    const tl = l1 === 0 ? gl : soft(gl);
    const tr = l1 === 0 ? gr : soft(gr);
    const gain = (tl * tl) / (hl + l2) + (tr * tr) / (hr + l2) - parent;
    if (gain > out[0] && hl >= minH && hl <= maxH && !(hb < empty && hb > -empty)) {
      out[0] = gain; out[1] = f; out[2] = b; out[3] = hasMissing ? 0 : +(hl >= hr);
      out[4] = gl; out[5] = hl; out[6] = gr; out[7] = hr;
    }
    if (!hasMissing) continue;
    // Missing rows left.
    const gl2 = gl + gm;
    const hl2 = hl + hm;
    const gr2 = G - gl2;
    const hr2 = H - hl2;
    const tl2 = l1 === 0 ? gl2 : soft(gl2);
    const tr2 = l1 === 0 ? gr2 : soft(gr2);
    const gain2 = (tl2 * tl2) / (hl2 + l2) + (tr2 * tr2) / (hr2 + l2) - parent;
    if (gain2 > out[0] && hl2 >= minH && hl2 <= maxH && !(hb < empty && hb > -empty)) {
      out[0] = gain2; out[1] = f; out[2] = b; out[3] = 1;
      out[4] = gl2; out[5] = hl2; out[6] = gr2; out[7] = hr2;
    }
  }
}`;

type NumericScan = (
  hist: Float64Array,
  f: number,
  base: number,
  missingAt: number,
  nBins: number,
  G: number,
  H: number,
  parent: number,
  minH: number,
  maxH: number,
  l1: number,
  l2: number,
  out: Float64Array,
) => void;

/** The scan on this thread (compiled from the constant source above; no input of any user reaches it). */
const numericScan = new Function(`return ${NUMERIC_SCAN_SOURCE}`)() as NumericScan;
const scanned = new Float64Array(8);

/** Hessian bounds of a child that satisfy both the weight and the (estimated) row-count minimums. */
export function childHessianBounds(node: NodeStats, rules: SplitRules): [number, number] {
  const perHess = node.h > 0 ? node.count / node.h : 0;
  const minH = Math.max(rules.minChildWeight, perHess > 0 ? rules.minSamplesLeaf / perHess : 0);
  return [minH, node.h - minH];
}

/** Scans numeric feature f (cells from hist[base], missing bin at hist[missingAt]) into `best`. */
function numericSplit(
  hist: Float64Array,
  f: number,
  base: number,
  missingAt: number,
  nBins: number,
  node: NodeStats,
  parent: number,
  bounds: [number, number],
  r: SplitRules,
  best: Split,
): void {
  scanned[0] = best.gain;
  scanned[1] = -1;
  numericScan(
    hist,
    f,
    base,
    missingAt,
    nBins,
    node.g,
    node.h,
    parent,
    bounds[0],
    bounds[1],
    r.l1,
    r.l2,
    scanned,
  );
  if (scanned[1] >= 0) takeScanned(best, scanned);
}

/** A numeric split from a scan's `out` ([gain, feature, bin, default left, gL, hL, gR, hR]) into `best`. */
export function takeScanned(best: Split, out: Float64Array, at = 0): void {
  setNumeric(
    best,
    out[at],
    out[at + 1],
    out[at + 2],
    out[at + 3] === 1,
    out[at + 4],
    out[at + 5],
    out[at + 6],
    out[at + 7],
  );
}

function setNumeric(
  best: Split,
  gain: number,
  f: number,
  b: number,
  defaultLeft: boolean,
  gL: number,
  hL: number,
  gR: number,
  hR: number,
): void {
  best.gain = gain;
  best.feature = f;
  best.bin = b;
  best.defaultLeft = defaultLeft;
  best.categorical = false;
  best.gL = gL;
  best.hL = hL;
  best.gR = gR;
  best.hR = hR;
}

const order = new Int32Array(256);
const ratio = new Float64Array(256);

function categoricalSplit(
  hist: Float64Array,
  f: number,
  base: number,
  nCats: number,
  node: NodeStats,
  perHess: number,
  r: SplitRules,
  best: Split,
): void {
  const l2 = r.l2 + r.catL2;
  const parent = leafScore(node.g, node.h, r.l1, l2);
  let used = 0;
  for (let c = 0; c < nCats; c++) {
    const h = hist[base + 2 * c + 1];
    if (h <= 0) continue;
    order[used] = c;
    ratio[c] = hist[base + 2 * c] / (h + r.catSmooth);
    used++;
  }
  if (used < 2) return;
  const ok = (hl: number, hr: number) =>
    hl >= r.minChildWeight &&
    hr >= r.minChildWeight &&
    hl * perHess >= r.minSamplesLeaf &&
    hr * perHess >= r.minSamplesLeaf;
  // Missing rows go right with the categories not in the left set.
  const consider = (gl: number, hl: number, prefix: number, oneHot: boolean) => {
    const gr = node.g - gl;
    const hr = node.h - hl;
    if (!ok(hl, hr)) return;
    const gain = leafScore(gl, hl, r.l1, l2) + leafScore(gr, hr, r.l1, l2) - parent;
    if (gain <= best.gain) return;
    best.gain = gain;
    best.feature = f;
    best.bin = 0;
    best.defaultLeft = false;
    best.categorical = true;
    best.catBits.fill(0);
    if (oneHot) setBit(best.catBits, prefix);
    else for (let k = 0; k < prefix; k++) setBit(best.catBits, order[k]);
    best.gL = gl;
    best.hL = hl;
    best.gR = gr;
    best.hR = hr;
  };
  if (used <= r.maxCatToOnehot) {
    for (let k = 0; k < used; k++) {
      const c = order[k];
      consider(hist[base + 2 * c], hist[base + 2 * c + 1], c, true);
    }
    return;
  }
  const sorted = Array.from(order.subarray(0, used)).sort((a, b) => ratio[a] - ratio[b] || a - b);
  for (let k = 0; k < used; k++) order[k] = sorted[k];
  let gl = 0;
  let hl = 0;
  for (let k = 0; k < used - 1; k++) {
    gl += hist[base + 2 * order[k]];
    hl += hist[base + 2 * order[k] + 1];
    consider(gl, hl, k + 1, false);
  }
}

function setBit(bits: Uint32Array, c: number): void {
  bits[c >>> 5] |= 1 << (c & 31);
}

export function copySplit(from: Split, to: Split): void {
  Object.assign(to, { ...from, catBits: to.catBits });
  to.catBits.set(from.catBits);
}
