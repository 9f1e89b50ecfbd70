/** Kernels for the SVM: RBF exp(−γ‖a − b‖²) and linear a·b, over rows of row-major matrices. */
import type { Matrix } from "../../matrix.js";

export interface KernelSpec {
  kind: "rbf" | "linear";
  gamma: number;
}

/** γ for "scale" (1 / (p · Var X), scikit-learn's default) and "auto" (1 / p). */
export function resolveGamma(setting: "scale" | "auto" | number, X: Matrix): number {
  if (typeof setting === "number") return setting;
  const p = X.cols;
  if (setting === "auto") return 1 / p;
  const n = X.data.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += X.data[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (X.data[i] - mean) ** 2;
  v /= n;
  return v > 0 ? 1 / (p * v) : 1;
}

export function squaredNorms(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    for (let j = 0; j < X.cols; j++) s += X.data[i * X.cols + j] ** 2;
    out[i] = s;
  }
  return out;
}

/**
 * Writes K(a_row, b_r) for every row r of B into out.
 * @param aNorm - ‖a_row‖², bNorms - ‖b_r‖² (RBF only)
 */
export function kernelRow(
  spec: KernelSpec,
  A: Matrix,
  aRow: number,
  aNorm: number,
  B: Matrix,
  bNorms: Float64Array,
  out: Float64Array,
  rows?: Int32Array,
): void {
  const p = A.cols;
  const ab = aRow * p;
  const m = rows ? rows.length : B.rows;
  for (let r = 0; r < m; r++) {
    const row = rows ? rows[r] : r;
    const bb = row * p;
    let dot = 0;
    for (let j = 0; j < p; j++) dot += A.data[ab + j] * B.data[bb + j];
    out[r] =
      spec.kind === "linear" ? dot : Math.exp(-spec.gamma * Math.max(0, aNorm + bNorms[row] - 2 * dot));
  }
}

/** An LRU cache of kernel rows within a memory budget. */
export class RowCache {
  private readonly rows = new Map<number, Float64Array>();
  private readonly capacity: number;

  constructor(rowLength: number, budgetBytes = 256 * 1024 * 1024) {
    this.capacity = Math.max(2, Math.floor(budgetBytes / (8 * Math.max(1, rowLength))));
  }

  get(i: number, compute: () => Float64Array): Float64Array {
    const hit = this.rows.get(i);
    if (hit) {
      this.rows.delete(i);
      this.rows.set(i, hit);
      return hit;
    }
    const row = compute();
    if (this.rows.size >= this.capacity) {
      const oldest = this.rows.keys().next().value as number;
      this.rows.delete(oldest);
    }
    this.rows.set(i, row);
    return row;
  }
}
