/**
 * Sequential minimal optimisation for  min ½αᵀQα + pᵀα  s.t.  yᵀα = Δ, 0 ≤ α ≤ C,  with the second-order
 * working-set selection of Fan, Chen & Lin, "Working Set Selection Using Second Order Information for
 * Training SVM", JMLR 6 (2005) — the solver of LIBSVM (Chang & Lin 2011), without shrinking.
 */

export interface SmoProblem {
  /** Number of variables. */
  l: number;
  /** ±1 per variable. */
  y: Int8Array;
  /** Linear term. */
  p: Float64Array;
  /** Upper bound per variable. */
  C: Float64Array;
  /** Row i of Q (Q_ij = y_i y_j K_ij); may be cached, must not be modified by the caller. */
  row(i: number): Float64Array;
  /** Q_ii */
  diag: Float64Array;
}

export interface SmoResult {
  alpha: Float64Array;
  /** The offset: decision(x) = Σ y_i α_i K(x_i, x) − rho. */
  rho: number;
  iterations: number;
}

const TAU = 1e-12;

export function solveSmo(prob: SmoProblem, eps: number, maxIter: number): SmoResult {
  const { l, y, p, C, diag } = prob;
  const alpha = new Float64Array(l);
  const G = p.slice();
  let iter = 0;
  for (; iter < maxIter; iter++) {
    // Select i: the maximal violating index in I_up.
    let gmax = Number.NEGATIVE_INFINITY;
    let i = -1;
    for (let t = 0; t < l; t++) {
      if (y[t] === 1 ? alpha[t] < C[t] : alpha[t] > 0) {
        const v = -y[t] * G[t];
        if (v >= gmax) {
          gmax = v;
          i = t;
        }
      }
    }
    if (i < 0) break;
    const Qi = prob.row(i);
    // Select j in I_low by the largest second-order decrease.
    let gmax2 = Number.NEGATIVE_INFINITY;
    let j = -1;
    let bestObj = Number.POSITIVE_INFINITY;
    for (let t = 0; t < l; t++) {
      if (!(y[t] === 1 ? alpha[t] > 0 : alpha[t] < C[t])) continue;
      const yg = y[t] * G[t];
      if (yg >= gmax2) gmax2 = yg;
      const b = gmax + yg;
      if (b > 0) {
        // K_ii + K_tt − 2K_it, written with Q_it = y_i y_t K_it as LIBSVM does.
        let a = diag[i] + diag[t] - 2 * y[i] * y[t] * Qi[t];
        if (a <= 0) a = TAU;
        const obj = -(b * b) / a;
        if (obj <= bestObj) {
          bestObj = obj;
          j = t;
        }
      }
    }
    if (gmax + gmax2 < eps || j < 0) break;
    const oldI = alpha[i];
    const oldJ = alpha[j];
    updatePair(alpha, G, y, C, Qi, diag, i, j);
    const Qj = prob.row(j);
    const dI = alpha[i] - oldI;
    const dJ = alpha[j] - oldJ;
    for (let t = 0; t < l; t++) G[t] += Qi[t] * dI + Qj[t] * dJ;
  }
  return { alpha, rho: computeRho(alpha, G, y, C), iterations: iter };
}

/** LIBSVM's analytic two-variable update with clipping to the box. */
function updatePair(
  alpha: Float64Array,
  G: Float64Array,
  y: Int8Array,
  C: Float64Array,
  Qi: Float64Array,
  diag: Float64Array,
  i: number,
  j: number,
): void {
  const Ci = C[i];
  const Cj = C[j];
  if (y[i] !== y[j]) {
    let quad = diag[i] + diag[j] + 2 * Qi[j];
    if (quad <= 0) quad = TAU;
    const delta = (-G[i] - G[j]) / quad;
    const diff = alpha[i] - alpha[j];
    alpha[i] += delta;
    alpha[j] += delta;
    if (diff > 0) {
      if (alpha[j] < 0) {
        alpha[j] = 0;
        alpha[i] = diff;
      }
    } else if (alpha[i] < 0) {
      alpha[i] = 0;
      alpha[j] = -diff;
    }
    if (diff > Ci - Cj) {
      if (alpha[i] > Ci) {
        alpha[i] = Ci;
        alpha[j] = Ci - diff;
      }
    } else if (alpha[j] > Cj) {
      alpha[j] = Cj;
      alpha[i] = Cj + diff;
    }
  } else {
    let quad = diag[i] + diag[j] - 2 * Qi[j];
    if (quad <= 0) quad = TAU;
    const delta = (G[i] - G[j]) / quad;
    const sum = alpha[i] + alpha[j];
    alpha[i] -= delta;
    alpha[j] += delta;
    if (sum > Ci) {
      if (alpha[i] > Ci) {
        alpha[i] = Ci;
        alpha[j] = sum - Ci;
      }
    } else if (alpha[j] < 0) {
      alpha[j] = 0;
      alpha[i] = sum;
    }
    if (sum > Cj) {
      if (alpha[j] > Cj) {
        alpha[j] = Cj;
        alpha[i] = sum - Cj;
      }
    } else if (alpha[i] < 0) {
      alpha[i] = 0;
      alpha[j] = sum;
    }
  }
}

function computeRho(alpha: Float64Array, G: Float64Array, y: Int8Array, C: Float64Array): number {
  let ub = Number.POSITIVE_INFINITY;
  let lb = Number.NEGATIVE_INFINITY;
  let nFree = 0;
  let sumFree = 0;
  for (let t = 0; t < alpha.length; t++) {
    const yg = y[t] * G[t];
    if (alpha[t] >= C[t]) {
      if (y[t] === -1) ub = Math.min(ub, yg);
      else lb = Math.max(lb, yg);
    } else if (alpha[t] <= 0) {
      if (y[t] === 1) ub = Math.min(ub, yg);
      else lb = Math.max(lb, yg);
    } else {
      nFree++;
      sumFree += yg;
    }
  }
  return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
}
