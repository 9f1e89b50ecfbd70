/**
 * Polynomial regression: the degree-2 (or 3) expansion without bias, in scikit-learn's PolynomialFeatures
 * order (all x_i, then x_i·x_j for i ≤ j, then cubes), followed by least squares.
 */
import { TrainingFailedError } from "../errors.js";
import { createMatrix, type Matrix } from "../matrix.js";
import { checkFitInput, type FitContext, Regressor } from "./base.js";
import { fitLeastSquares, type LinearFitted, linearPredict } from "./linear.js";

/** The normal equations are p × p: beyond this the fit takes minutes and gigabytes. */
export const MAX_POLYNOMIAL_COLUMNS = 2000;

export interface PolynomialParams {
  degree: number;
}

export class PolynomialRegression extends Regressor<PolynomialParams, LinearFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "PolynomialRegression");
    const width = polynomialWidth(X.cols, this.params.degree);
    if (width > MAX_POLYNOMIAL_COLUMNS) {
      throw new TrainingFailedError(
        `Degree-${this.params.degree} terms of ${X.cols} input columns make ${width} columns; the limit is ${MAX_POLYNOMIAL_COLUMNS}. Select fewer features or use degree 2.`,
        { columns: width, limit: MAX_POLYNOMIAL_COLUMNS },
      );
    }
    this.fitted = fitLeastSquares(expandPolynomial(X, this.params.degree), y, 0);
    return this;
  }

  /** Coefficients of products do not belong to one feature: use permutation importance instead. */
  columnImportance(): null {
    return null;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    return linearPredict(expandPolynomial(X, this.params.degree), f.coef, f.intercept);
  }
}

/** Number of output columns for p inputs. */
export function polynomialWidth(p: number, degree: number): number {
  let w = p + (p * (p + 1)) / 2;
  if (degree >= 3) w += (p * (p + 1) * (p + 2)) / 6;
  return w;
}

export function expandPolynomial(X: Matrix, degree: number): Matrix {
  const { rows: n, cols: p, data } = X;
  const width = polynomialWidth(p, degree);
  const out = createMatrix(n, width);
  const o = out.data;
  for (let r = 0; r < n; r++) {
    const src = r * p;
    let at = r * width;
    for (let i = 0; i < p; i++) o[at++] = data[src + i];
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) o[at++] = data[src + i] * data[src + j];
    if (degree >= 3) {
      for (let i = 0; i < p; i++)
        for (let j = i; j < p; j++)
          for (let k = j; k < p; k++) o[at++] = data[src + i] * data[src + j] * data[src + k];
    }
  }
  return out;
}
