/**
 * k nearest neighbours by brute force (exact), as scikit-learn's KNeighborsClassifier/Regressor with the
 * brute algorithm: Euclidean (via ‖a‖² + ‖b‖² − 2a·b, exact enough for ranking) or Manhattan distance,
 * uniform or inverse-distance weights; ties in votes go to the lowest class index. Distances come from the
 * WebAssembly SIMD kernel in ../kernels/knn-distance.ts; the top-k bookkeeping stays here.
 */

import {
  QUERY_BLOCK,
  type SearchSpace,
  searchSpace,
  TILE,
  writeQueryRecords,
} from "../kernels/knn-distance.js";
import type { Matrix } from "../matrix.js";
import { Classifier, checkFitInput, type FitContext, Regressor } from "./base.js";

export interface KnnParams {
  nNeighbors: number;
  weights: "uniform" | "distance";
  metric: "euclidean" | "manhattan";
}

export interface KnnFitted {
  X: Float64Array;
  y: Float64Array;
  rows: number;
  cols: number;
}

/** Keeps the training rows by reference, as scikit-learn does (the design matrix is not changed later). */
function store(X: Matrix, y: Float64Array): KnnFitted {
  return { X: X.data.subarray(0, X.rows * X.cols), y: y.slice(), rows: X.rows, cols: X.cols };
}

/** Training tiles scanned per pass over a query block (~512 KB at p = 20: stays in L2). */
const CHUNK_BYTES = 1 << 19;

/** The running k best of each query slot: squared distances ascending (Infinity while unfilled), their rows. */
interface TopK {
  dist: Float64Array;
  idx: Int32Array;
  k: number;
}

/**
 * Calls visit(row, neighbourIndices, distances) with the k nearest training rows of each query row,
 * nearest first; on equal distance the lower training index comes first.
 */
function forEachNeighbourhood(
  f: KnnFitted,
  Q: Matrix,
  params: KnnParams,
  visit: (row: number, idx: Int32Array, dist: Float64Array) => void,
): void {
  const k = Math.min(params.nNeighbors, f.rows);
  const euclid = params.metric === "euclidean";
  const space = searchSpace(f);
  const top: TopK = { dist: new Float64Array(QUERY_BLOCK * k), idx: new Int32Array(QUERY_BLOCK * k), k };
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  for (let first = 0; first < Q.rows; first += QUERY_BLOCK) {
    const count = Math.min(QUERY_BLOCK, Q.rows - first);
    const tiles = Math.ceil(count / TILE);
    writeQueryRecords(space, Q, first, count);
    top.dist.fill(Number.POSITIVE_INFINITY);
    searchBlock(space, tiles, euclid, top);
    for (let s = 0; s < count; s++) {
      for (let r = 0; r < k; r++) {
        const d = top.dist[s * k + r];
        dist[r] = euclid ? Math.sqrt(d) : d;
        idx[r] = top.idx[s * k + r];
      }
      visit(first + s, idx, dist);
    }
  }
}

/** Scans the training tiles in L2-sized chunks against every query tile of the block. */
function searchBlock(space: SearchSpace, tiles: number, euclid: boolean, top: TopK): void {
  const tileBytes = TILE * space.cols * 8;
  const chunkTiles = Math.max(1, Math.floor(CHUNK_BYTES / tileBytes));
  for (let from = 0; from < space.trainTiles; from += chunkTiles) {
    const to = Math.min(space.trainTiles, from + chunkTiles);
    for (let q = 0; q < tiles; q++) scanTiles(space, q, from, to, euclid, top);
  }
}

/**
 * Runs the kernel over training tiles [from, to) for query tile q. The kernel stops at the first tile where
 * some distance beats its query's current k-th best; those are offered here in row order, then it resumes.
 */
function scanTiles(space: SearchSpace, q: number, from: number, to: number, euclid: boolean, top: TopK) {
  const { cols: p, rows: m, f64 } = space;
  const tileBytes = TILE * p * 8;
  const record = space.recordsAt + q * space.recordBytes;
  const scan = euclid ? space.kernels.euclidean : space.kernels.manhattan;
  let tile = from;
  while (tile < to) {
    const at = scan(
      record,
      tile * tileBytes,
      to * tileBytes,
      space.normsAt + tile * TILE * 8,
      p,
      space.outAt,
    );
    if (at >= to * tileBytes) break;
    tile = at / tileBytes;
    for (let i = 0; i < TILE; i++) {
      const s = q * TILE + i;
      for (let r = 0; r < TILE && tile * TILE + r < m; r++) {
        const d = f64[space.outAt / 8 + i * TILE + r];
        if (d < worst(top, s)) offer(top, s, tile * TILE + r, euclid ? Math.max(0, d) : d);
      }
      f64[record / 8 + TILE + i] = worst(top, s);
    }
    tile++;
  }
}

function worst(top: TopK, s: number): number {
  return top.dist[s * top.k + top.k - 1];
}

/**
 * Inserts training row t at distance d into slot s's sorted list, dropping the worst; an equal distance
 * stays behind the rows already there (lower indices, as rows arrive in order).
 */
function offer(top: TopK, s: number, t: number, d: number): void {
  const { dist, idx, k } = top;
  const base = s * k;
  if (!(d < dist[base + k - 1])) return;
  let r = k - 1;
  while (r > 0 && dist[base + r - 1] > d) {
    dist[base + r] = dist[base + r - 1];
    idx[base + r] = idx[base + r - 1];
    r--;
  }
  dist[base + r] = d;
  idx[base + r] = t;
}

function neighbourWeight(params: KnnParams, d: number): number {
  return params.weights === "uniform" ? 1 : d === 0 ? 1e12 : 1 / d;
}

export class KNeighborsClassifier extends Classifier<KnnParams, KnnFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "KNeighborsClassifier");
    this.fitted = store(X, y);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.state();
    const k = this.nClasses;
    const out = new Float64Array(X.rows * k);
    forEachNeighbourhood(f, X, this.params, (i, idx, dist) => {
      let total = 0;
      for (let r = 0; r < idx.length; r++) {
        const w = neighbourWeight(this.params, dist[r]);
        out[i * k + f.y[idx[r]]] += w;
        total += w;
      }
      for (let c = 0; c < k; c++) out[i * k + c] /= total;
    });
    return out;
  }
}

export class KNeighborsRegressor extends Regressor<KnnParams, KnnFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "KNeighborsRegressor");
    this.fitted = store(X, y);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    const out = new Float64Array(X.rows);
    forEachNeighbourhood(f, X, this.params, (i, idx, dist) => {
      let total = 0;
      let s = 0;
      for (let r = 0; r < idx.length; r++) {
        const w = neighbourWeight(this.params, dist[r]);
        s += w * f.y[idx[r]];
        total += w;
      }
      out[i] = s / total;
    });
    return out;
  }
}
