/**
 * Limited-memory BFGS for smooth convex objectives, with a backtracking Armijo line search. Stops when the
 * largest gradient component is at most `gtol` or the relative decrease of f falls below `ftol` (the same
 * tests as scipy's L-BFGS-B, which scikit-learn's lbfgs solver uses). Reference: Nocedal & Wright,
 * "Numerical Optimization", 2nd ed., Algorithm 7.4 (two-loop recursion).
 */

/** Writes the gradient at w into grad and returns f(w). */
export type Objective = (w: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  gtol: number;
  ftol?: number;
  memory?: number;
}

export function minimizeLbfgs(
  f: Objective,
  w0: Float64Array,
  opts: LbfgsOptions,
): { w: Float64Array; iterations: number } {
  const n = w0.length;
  const m = opts.memory ?? 10;
  const ftol = opts.ftol ?? 2.220446049250313e-9;
  const w = w0.slice();
  const g = new Float64Array(n);
  const wNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let head = 0;
  let fx = f(w, g);
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    if (maxAbs(g) <= opts.gtol) break;
    twoLoop(g, d, S, Y, rho, alpha, stored, head, m);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature pairs went stale): restart from steepest descent.
      for (let i = 0; i < n; i++) d[i] = -g[i];
      stored = 0;
      slope = dot(g, d);
    }
    let step = stored === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    let fNew = 0;
    for (let tries = 0; ; tries++) {
      for (let i = 0; i < n; i++) wNew[i] = w[i] + step * d[i];
      fNew = f(wNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope || tries >= 40) break;
      step *= 0.5;
    }
    const s = S[head];
    const y = Y[head];
    for (let i = 0; i < n; i++) {
      s[i] = wNew[i] - w[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      stored = Math.min(stored + 1, m);
    }
    const decrease = (fx - fNew) / Math.max(Math.abs(fx), Math.abs(fNew), 1);
    w.set(wNew);
    g.set(gNew);
    fx = fNew;
    if (decrease <= ftol) {
      iter++;
      break;
    }
  }
  return { w, iterations: iter };
}

function twoLoop(
  g: Float64Array,
  d: Float64Array,
  S: Float64Array[],
  Y: Float64Array[],
  rho: Float64Array,
  alpha: Float64Array,
  stored: number,
  head: number,
  m: number,
): void {
  const n = g.length;
  for (let i = 0; i < n; i++) d[i] = -g[i];
  for (let k = 1; k <= stored; k++) {
    const j = (head - k + m) % m;
    alpha[j] = rho[j] * dot(S[j], d);
    axpy(-alpha[j], Y[j], d);
  }
  if (stored > 0) {
    const j = (head - 1 + m) % m;
    const gamma = dot(S[j], Y[j]) / dot(Y[j], Y[j]);
    for (let i = 0; i < n; i++) d[i] *= gamma;
  }
  for (let k = stored; k >= 1; k--) {
    const j = (head - k + m) % m;
    const beta = rho[j] * dot(Y[j], d);
    axpy(alpha[j] - beta, S[j], d);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
