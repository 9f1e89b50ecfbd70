/**
 * The estimator contract (STYLE R19): the constructor only stores parsed params, `fit` validates and
 * replaces any earlier fit and returns `this`, learned state lives in `fitted`, `predict` before `fit`
 * throws NotFittedError, and `fromJSON` rebuilds a model from `{ params, fitted }` without running code.
 */
import { NotFittedError } from "../errors.js";
import type { Matrix } from "../matrix.js";
import type { Random } from "../random.js";
import { checkMatrix } from "../validation.js";

/** What fit may use besides X and y. */
export interface FitContext {
  rng: Random;
  /** Called with a fraction in [0, 1] as fitting advances (trees built, epochs run). */
  onProgress?: (fraction: number, message: string) => void;
  /**
   * performance.now() after which iterative models stop adding rounds, trees or epochs (keeping at least
   * one), so auto mode can hold a time budget. Absent: no deadline.
   */
  deadline?: number;
}

/** True when the fit's deadline has passed. */
export function pastDeadline(ctx: FitContext): boolean {
  return ctx.deadline !== undefined && performance.now() > ctx.deadline;
}

export abstract class Estimator<P extends object, F> {
  protected fitted: F | null = null;

  constructor(readonly params: P) {}

  /** Fits on a row-major design matrix; y is a value (regression) or a class index (classification). */
  abstract fit(X: Matrix, y: Float64Array, ctx: FitContext): this;

  getParams(): P {
    return { ...this.params };
  }

  /** The learned state (typed arrays and numbers only). */
  getFitted(): F {
    return this.state();
  }

  /** Restores a learned state produced by getFitted. */
  load(fitted: F): this {
    this.fitted = fitted;
    return this;
  }

  protected state(): F {
    if (this.fitted === null) {
      throw new NotFittedError(`This ${this.constructor.name} is not fitted yet. Call fit before predict.`);
    }
    return this.fitted;
  }
}

export abstract class Regressor<P extends object, F> extends Estimator<P, F> {
  abstract predict(X: Matrix): Float64Array;
}

export abstract class Classifier<P extends object, F> extends Estimator<P, F> {
  /** Number of classes; set before fit. Class indices in y run from 0 to nClasses − 1. */
  nClasses = 2;

  /** n × nClasses row-major probabilities. */
  abstract predictProba(X: Matrix): Float64Array;

  /** Most probable class per row (models with their own decision rule override this). */
  predict(X: Matrix): Float64Array {
    return argmaxRows(this.predictProba(X), X.rows, this.nClasses);
  }
}

export function argmaxRows(p: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Fails early on an empty fit, mismatched lengths (naming both counts) or non-finite input. */
export function checkFitInput(X: Matrix, y: Float64Array, name: string): void {
  checkFitShape(X, y, name);
  checkMatrix(X);
}

/** checkFitInput without the pass over X for non-finite values, for models that find them on the way. */
export function checkFitShape(X: Matrix, y: Float64Array, name: string): void {
  if (X.rows !== y.length) {
    throw new RangeError(`${name}: X has ${X.rows} rows but y has ${y.length} values.`);
  }
  if (X.rows === 0) throw new RangeError(`${name}: cannot fit on zero rows.`);
}
