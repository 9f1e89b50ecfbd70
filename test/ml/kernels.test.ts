/** Numeric kernels: edge cases listed by contract. */
import { describe, expect, it } from "vitest";
import { solveCholeskyPivoted } from "../../src/ml/kernels/cholesky-pivoted.js";
import { minimizeLbfgs } from "../../src/ml/kernels/lbfgs.js";
import { quantileSorted } from "../../src/ml/kernels/quantile.js";
import { sumCompensated } from "../../src/ml/kernels/sum-compensated.js";
import { presortColumns } from "../../src/ml/models/tree/presort.js";
import { Random } from "../../src/ml/random.js";

describe("sumCompensated", () => {
  it("returns 0 for n ≤ 0", () => {
    expect(sumCompensated(0, [1, 2])).toBe(0);
    expect(sumCompensated(-1, [1, 2])).toBe(0);
  });

  it("honours stride and offset", () => {
    expect(sumCompensated(3, [1, 100, 2, 100, 3], 2)).toBe(6);
    expect(sumCompensated(2, [100, 1, 100, 2], 2, 1)).toBe(3);
  });

  it("keeps the low-order bits a naive sum loses (1e16 + 1 − 1e16 ≠ 0)", () => {
    const x = [1e16, 1, -1e16, 1];
    expect(x.reduce((s, v) => s + v, 0)).toBe(1);
    expect(sumCompensated(4, x)).toBe(2);
  });

  it("propagates NaN", () => {
    expect(sumCompensated(3, [1, Number.NaN, 2])).toBeNaN();
  });
});

describe("solveCholeskyPivoted", () => {
  it("solves a symmetric positive definite system", () => {
    // A = [[4, 2], [2, 3]], b = [2, 1] → x = [0.5, 0]
    const { x, rank } = solveCholeskyPivoted(2, Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]));
    expect(rank).toBe(2);
    expect(x[0]).toBeCloseTo(0.5, 14);
    expect(x[1]).toBeCloseTo(0, 14);
  });

  it("reports the rank of a singular system and still solves it", () => {
    // Columns 0 and 1 identical: A = [[1,1,0],[1,1,0],[0,0,2]], b consistent.
    const { x, rank } = solveCholeskyPivoted(
      3,
      Float64Array.from([1, 1, 0, 1, 1, 0, 0, 0, 2]),
      Float64Array.from([3, 3, 4]),
    );
    expect(rank).toBe(2);
    expect(x[0] + x[1]).toBeCloseTo(3, 12);
    expect(x[2]).toBeCloseTo(2, 12);
  });

  it("returns zeros for p = 1 with a zero pivot", () => {
    expect(Array.from(solveCholeskyPivoted(1, Float64Array.of(0), Float64Array.of(0)).x)).toEqual([0]);
  });
});

describe("minimizeLbfgs", () => {
  it("finds the minimum of a convex quadratic (Rosenbrock-free, ill-conditioned)", () => {
    // f = 0.5·(100·(w0 − 1)² + (w1 + 2)²)
    const { w } = minimizeLbfgs(
      (v, g) => {
        g[0] = 100 * (v[0] - 1);
        g[1] = v[1] + 2;
        return 0.5 * (100 * (v[0] - 1) ** 2 + (v[1] + 2) ** 2);
      },
      new Float64Array(2),
      { maxIter: 200, gtol: 1e-10, ftol: 0 },
    );
    expect(w[0]).toBeCloseTo(1, 8);
    expect(w[1]).toBeCloseTo(-2, 8);
  });
});

describe("quantileSorted", () => {
  it("interpolates linearly like numpy and is NaN when empty", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([0, 5, 10, 20], 0.25)).toBe(3.75);
    expect(quantileSorted([7], 0.9)).toBe(7);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe("presortColumns", () => {
  it("orders rows by value per feature, ties by row, for the comparator and the radix path alike", () => {
    const rng = new Random(3);
    for (const n of [7, 5000]) {
      const p = 2;
      const Xc = Float64Array.from({ length: n * p }, (_, k) =>
        k < n ? Math.round(rng.normal() * 3) : rng.normal() * 1e3,
      );
      Xc[1] = -0.5;
      Xc[2] = Number.MAX_VALUE;
      Xc[3] = -Number.MAX_VALUE;
      const order = presortColumns(Xc, n, p);
      for (let f = 0; f < p; f++) {
        const expected = Array.from({ length: n }, (_, i) => i).sort(
          (a, b) => Xc[f * n + a] - Xc[f * n + b] || a - b,
        );
        expect(Array.from(order.subarray(f * n, (f + 1) * n))).toEqual(expected);
      }
    }
  });
});
