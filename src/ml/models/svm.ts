/**
 * Support vector machines as scikit-learn's SVC / SVR (LIBSVM): C-SVC one-vs-one for several classes with
 * majority vote, probabilities by Platt scaling fitted on 5-fold internal cross-validation decision values
 * and pairwise coupling; ε-SVR for regression. RBF (γ = "scale" by default) or linear kernel.
 */
import { type Matrix, takeRows } from "../matrix.js";
import type { Random } from "../random.js";
import { Classifier, checkFitInput, type FitContext, Regressor } from "./base.js";
import { type Solved, solveSvc, solveSvr } from "./svm/binary.js";
import { type KernelSpec, kernelRow, resolveGamma, squaredNorms } from "./svm/kernel.js";
import { couplePairwise, fitSigmoid, sigmoidProbability } from "./svm/platt.js";

export interface SvmParams {
  C: number;
  kernel: "rbf" | "linear";
  gamma: "scale" | "auto" | number;
  epsilon: number;
  probability: boolean;
  tol: number;
  maxIter: number;
}

export interface SvmFitted {
  kernel: KernelSpec;
  /** Support vectors, row-major nSV × p. */
  sv: Float64Array;
  nSV: number;
  /** One row of nSV coefficients per decision function (pairs in order (0,1), (0,2)…, or one for SVR). */
  coef: Float64Array;
  rho: Float64Array;
  /** Platt parameters per pair (empty without probabilities). */
  probA: Float64Array;
  probB: Float64Array;
}

const MIN_PROB = 1e-7;
const PLATT_FOLDS = 5;

/** Keeps only rows with a non-zero coefficient in some decision function. */
function compact(
  X: Matrix,
  solved: Array<{ rows: Int32Array; s: Solved }>,
  kernel: KernelSpec,
  platt: Array<{ A: number; B: number }>,
): SvmFitted {
  const used = new Int32Array(X.rows).fill(-1);
  let nSV = 0;
  for (const { rows, s } of solved)
    rows.forEach((r, i) => {
      if (s.coef[i] !== 0 && used[r] < 0) used[r] = nSV++;
    });
  const svRows = new Int32Array(nSV);
  used.forEach((slot, r) => {
    if (slot >= 0) svRows[slot] = r;
  });
  const coef = new Float64Array(solved.length * nSV);
  solved.forEach(({ rows, s }, d) => {
    rows.forEach((r, i) => {
      if (s.coef[i] !== 0) coef[d * nSV + used[r]] += s.coef[i];
    });
  });
  return {
    kernel,
    sv: takeRows(X, svRows).data,
    nSV,
    coef,
    rho: Float64Array.from(solved, ({ s }) => s.rho),
    probA: Float64Array.from(platt, (q) => q.A),
    probB: Float64Array.from(platt, (q) => q.B),
  };
}

/** Decision values (rows × functions) of a fitted SVM on X. */
function decisions(f: SvmFitted, X: Matrix): Float64Array {
  const nFun = f.rho.length;
  const out = new Float64Array(X.rows * nFun);
  const SV: Matrix = { data: f.sv, rows: f.nSV, cols: X.cols };
  const svNorms = squaredNorms(SV);
  const xNorms = squaredNorms(X);
  const k = new Float64Array(f.nSV);
  for (let i = 0; i < X.rows; i++) {
    kernelRow(f.kernel, X, i, xNorms[i], SV, svNorms, k);
    for (let d = 0; d < nFun; d++) {
      let s = -f.rho[d];
      const base = d * f.nSV;
      for (let t = 0; t < f.nSV; t++) s += f.coef[base + t] * k[t];
      out[i * nFun + d] = s;
    }
  }
  return out;
}

function pairsOf(k: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) out.push([a, b]);
  return out;
}

export class SVC extends Classifier<SvmParams, SvmFitted> {
  fit(X: Matrix, y: Float64Array, ctx: FitContext): this {
    checkFitInput(X, y, "SVC");
    const kernel: KernelSpec = { kind: this.params.kernel, gamma: resolveGamma(this.params.gamma, X) };
    const norms = squaredNorms(X);
    const pairs = pairsOf(this.nClasses);
    const solved = pairs.map(([a, b], d) => {
      const rows = Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === a || y[i] === b));
      const labels = Int8Array.from(rows, (r) => (y[r] === a ? 1 : -1));
      const s = solveSvc(X, norms, rows, labels, kernel, this.params.C, this.params.tol, this.params.maxIter);
      ctx.onProgress?.(
        (d + 1) / pairs.length / (this.params.probability ? 2 : 1),
        `SVM pair ${d + 1} of ${pairs.length}`,
      );
      return { rows, labels, s };
    });
    const platt = this.params.probability
      ? solved.map(({ rows, labels }, d) => {
          const q = this.plattForPair(X, norms, rows, labels, kernel, ctx.rng);
          ctx.onProgress?.(0.5 + (d + 1) / pairs.length / 2, "Calibrating probabilities");
          return q;
        })
      : [];
    this.fitted = compact(X, solved, kernel, platt);
    return this;
  }

  /** LIBSVM's svm_binary_svc_probability: decision values from 5-fold CV, then the sigmoid fit. */
  private plattForPair(
    X: Matrix,
    norms: Float64Array,
    rows: Int32Array,
    labels: Int8Array,
    kernel: KernelSpec,
    rng: Random,
  ) {
    const l = rows.length;
    const perm = rng.permutation(l);
    const dec = new Float64Array(l);
    for (let fold = 0; fold < PLATT_FOLDS; fold++) {
      const begin = Math.floor((fold * l) / PLATT_FOLDS);
      const end = Math.floor(((fold + 1) * l) / PLATT_FOLDS);
      const trainIdx = [...perm.subarray(0, begin), ...perm.subarray(end)];
      const trainLabels = Int8Array.from(trainIdx, (i) => labels[i]);
      const pos = trainLabels.filter((v) => v > 0).length;
      if (pos === 0 || pos === trainLabels.length) {
        for (let t = begin; t < end; t++) dec[perm[t]] = pos === 0 ? -1 : 1;
        continue;
      }
      const trainRows = Int32Array.from(trainIdx, (i) => rows[i]);
      const s = solveSvc(
        X,
        norms,
        trainRows,
        trainLabels,
        kernel,
        this.params.C,
        this.params.tol,
        this.params.maxIter,
      );
      const model = compact(X, [{ rows: trainRows, s }], kernel, []);
      const test = takeRows(
        X,
        Int32Array.from(perm.subarray(begin, end), (i) => rows[i]),
      );
      const d = decisions(model, test);
      for (let t = begin; t < end; t++) dec[perm[t]] = d[t - begin];
    }
    return fitSigmoid(dec, labels);
  }

  /** One-vs-one majority vote on decision values (scikit-learn's SVC.predict), not argmax of probabilities. */
  override predict(X: Matrix): Float64Array {
    const f = this.state();
    const d = decisions(f, X);
    const pairs = pairsOf(this.nClasses);
    const out = new Float64Array(X.rows);
    const votes = new Int32Array(this.nClasses);
    for (let i = 0; i < X.rows; i++) {
      votes.fill(0);
      pairs.forEach(([a, b], q) => {
        votes[d[i * pairs.length + q] > 0 ? a : b]++;
      });
      let best = 0;
      for (let c = 1; c < this.nClasses; c++) if (votes[c] > votes[best]) best = c;
      out[i] = best;
    }
    return out;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.state();
    const k = this.nClasses;
    const pairs = pairsOf(k);
    const d = decisions(f, X);
    const out = new Float64Array(X.rows * k);
    if (f.probA.length === 0) {
      // Without Platt scaling: a one-hot of the voted class, so metrics that need probabilities still work.
      this.predict(X).forEach((c, i) => {
        out[i * k + c] = 1;
      });
      return out;
    }
    const r = new Float64Array(k * k);
    for (let i = 0; i < X.rows; i++) {
      pairs.forEach(([a, b], q) => {
        const pr = Math.min(
          Math.max(sigmoidProbability(d[i * pairs.length + q], f.probA[q], f.probB[q]), MIN_PROB),
          1 - MIN_PROB,
        );
        r[a * k + b] = pr;
        r[b * k + a] = 1 - pr;
      });
      if (k === 2) {
        out[i * 2] = r[1];
        out[i * 2 + 1] = r[2];
      } else couplePairwise(r, k, out, i * k);
    }
    return out;
  }
}

export class SVR extends Regressor<SvmParams, SvmFitted> {
  fit(X: Matrix, y: Float64Array, _ctx: FitContext): this {
    checkFitInput(X, y, "SVR");
    const kernel: KernelSpec = { kind: this.params.kernel, gamma: resolveGamma(this.params.gamma, X) };
    const rows = Int32Array.from({ length: X.rows }, (_, i) => i);
    const s = solveSvr(
      X,
      squaredNorms(X),
      rows,
      y,
      kernel,
      this.params.C,
      this.params.epsilon,
      this.params.tol,
      this.params.maxIter,
    );
    this.fitted = compact(X, [{ rows, s }], kernel, []);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    if (f.nSV === 0) return new Float64Array(X.rows).fill(-f.rho[0]);
    return decisions(f, X);
  }
}
