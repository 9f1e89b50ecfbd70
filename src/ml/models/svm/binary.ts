/** One two-class C-SVM or one ε-SVR problem on a subset of rows, solved by SMO with cached kernel rows. */
import { solveSmo } from "../../kernels/smo.js";
import type { Matrix } from "../../matrix.js";
import { type KernelSpec, kernelRow, RowCache } from "./kernel.js";

export interface Solved {
  /** Coefficient y_i·α_i (SVC) or α_i − α*_i (SVR) per subset row. */
  coef: Float64Array;
  rho: number;
}

/** Kernel rows among the subset rows, computed on demand. */
function subsetKernel(X: Matrix, norms: Float64Array, rows: Int32Array, spec: KernelSpec) {
  const cache = new RowCache(rows.length);
  return (i: number) =>
    cache.get(i, () => {
      const out = new Float64Array(rows.length);
      kernelRow(spec, X, rows[i], norms[rows[i]], X, norms, out, rows);
      return out;
    });
}

function kernelDiag(spec: KernelSpec, norms: Float64Array, rows: Int32Array): Float64Array {
  return Float64Array.from(rows, (r) => (spec.kind === "rbf" ? 1 : norms[r]));
}

/** C-SVC on `rows` with labels ±1. */
export function solveSvc(
  X: Matrix,
  norms: Float64Array,
  rows: Int32Array,
  labels: Int8Array,
  spec: KernelSpec,
  C: number,
  tol: number,
  maxIter: number,
): Solved {
  const l = rows.length;
  const kernel = subsetKernel(X, norms, rows, spec);
  const cache = new RowCache(l);
  const result = solveSmo(
    {
      l,
      y: labels,
      p: new Float64Array(l).fill(-1),
      C: new Float64Array(l).fill(C),
      diag: kernelDiag(spec, norms, rows),
      row: (i) =>
        cache.get(i, () => {
          const k = kernel(i);
          const q = new Float64Array(l);
          for (let t = 0; t < l; t++) q[t] = labels[i] * labels[t] * k[t];
          return q;
        }),
    },
    tol,
    maxIter,
  );
  return { coef: Float64Array.from(result.alpha, (a, i) => a * labels[i]), rho: result.rho };
}

/** ε-SVR on `rows` (2l variables: α with y = +1 and α* with y = −1). */
export function solveSvr(
  X: Matrix,
  norms: Float64Array,
  rows: Int32Array,
  target: Float64Array,
  spec: KernelSpec,
  C: number,
  epsilon: number,
  tol: number,
  maxIter: number,
): Solved {
  const l = rows.length;
  const kernel = subsetKernel(X, norms, rows, spec);
  const y = new Int8Array(2 * l);
  const p = new Float64Array(2 * l);
  for (let i = 0; i < l; i++) {
    y[i] = 1;
    y[i + l] = -1;
    p[i] = epsilon - target[i];
    p[i + l] = epsilon + target[i];
  }
  const diag = kernelDiag(spec, norms, rows);
  const result = solveSmo(
    {
      l: 2 * l,
      y,
      p,
      C: new Float64Array(2 * l).fill(C),
      diag: Float64Array.from({ length: 2 * l }, (_, i) => diag[i % l]),
      row: (i) => {
        const k = kernel(i % l);
        const q = new Float64Array(2 * l);
        for (let t = 0; t < 2 * l; t++) q[t] = y[i] * y[t] * k[t % l];
        return q;
      },
    },
    tol,
    maxIter,
  );
  const coef = new Float64Array(l);
  for (let i = 0; i < l; i++) coef[i] = result.alpha[i] - result.alpha[i + l];
  return { coef, rho: result.rho };
}
