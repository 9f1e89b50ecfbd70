/**
 * k nearest neighbours by brute force (exact), as scikit-learn's KNeighborsClassifier/Regressor with the
 * brute algorithm: Euclidean (via ‖a‖² + ‖b‖² − 2a·b, exact enough for ranking) or Manhattan distance,
 * uniform or inverse-distance weights; ties in votes go to the lowest class index.
 */
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

/**
 * Calls visit(row, neighbourIndices, distances) with the k nearest training rows of each query row,
 * nearest first.
 */
function forEachNeighbourhood(
  f: KnnFitted,
  Q: Matrix,
  params: KnnParams,
  visit: (row: number, idx: Int32Array, dist: Float64Array) => void,
): void {
  const k = Math.min(params.nNeighbors, f.rows);
  const { rows: m, cols: p } = f;
  const norms = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += f.X[t * p + j] ** 2;
    norms[t] = s;
  }
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  const euclid = params.metric === "euclidean";
  for (let i = 0; i < Q.rows; i++) {
    const qb = i * p;
    let qn = 0;
    for (let j = 0; j < p; j++) qn += Q.data[qb + j] ** 2;
    let filled = 0;
    for (let t = 0; t < m; t++) {
      const tb = t * p;
      let d = 0;
      if (euclid) {
        let dot = 0;
        for (let j = 0; j < p; j++) dot += Q.data[qb + j] * f.X[tb + j];
        d = Math.max(0, qn + norms[t] - 2 * dot);
      } else {
        for (let j = 0; j < p; j++) d += Math.abs(Q.data[qb + j] - f.X[tb + j]);
      }
      if (filled < k) {
        insert(idx, dist, filled++, t, d);
      } else if (d < dist[k - 1]) {
        insert(idx, dist, k - 1, t, d);
      }
    }
    if (euclid) for (let r = 0; r < k; r++) dist[r] = Math.sqrt(dist[r]);
    visit(i, idx, dist);
  }
}

/** Insertion into the sorted prefix [0, at]: position `at` is free (or the current worst, dropped). */
function insert(idx: Int32Array, dist: Float64Array, at: number, t: number, d: number): void {
  let r = at;
  while (r > 0 && dist[r - 1] > d) {
    dist[r] = dist[r - 1];
    idx[r] = idx[r - 1];
    r--;
  }
  dist[r] = d;
  idx[r] = t;
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
