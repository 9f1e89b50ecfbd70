/**
 * The tiled neighbour search against a plain brute-force reference: every distance summed term by term,
 * neighbours sorted by distance then training index. Shapes avoid tile multiples, cover one feature, ties
 * (duplicate rows, integer grids), k = 1 and k above the row count, several query blocks and training chunks.
 */
import { describe, expect, it } from "vitest";
import type { Matrix } from "../../../src/ml/matrix.js";
import { KNeighborsClassifier, KNeighborsRegressor, type KnnParams } from "../../../src/ml/models/knn.js";
import { Random } from "../../../src/ml/random.js";

const CLASSES = 3;

interface Case {
  label: string;
  train: Matrix;
  query: Matrix;
  y: Float64Array;
  /** True when distances are exact in both the expanded and the term-by-term form (integer data). */
  exact: boolean;
}

function matrix(rows: number, cols: number, draw: () => number): Matrix {
  return { data: Float64Array.from({ length: rows * cols }, draw), rows, cols };
}

/** Appends copies of some rows (in shuffled positions) so equal distances must fall back to the index. */
function withDuplicates(m: Matrix, copies: number, rng: Random): Matrix {
  const rows: Float64Array[] = [];
  for (let i = 0; i < m.rows; i++) rows.push(m.data.slice(i * m.cols, (i + 1) * m.cols));
  for (let c = 0; c < copies; c++) rows.splice(rng.int(rows.length + 1), 0, rows[rng.int(m.rows)].slice());
  const data = new Float64Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) data.set(rows[i], i * m.cols);
  return { data, rows: rows.length, cols: m.cols };
}

function makeCase(
  label: string,
  rows: number,
  cols: number,
  queries: number,
  grid: boolean,
  seed: number,
): Case {
  const rng = new Random(seed);
  const draw = grid ? () => rng.int(3) : () => rng.normal();
  const train = withDuplicates(matrix(rows, cols, draw), Math.ceil(rows / 10), rng);
  const query = matrix(queries, cols, draw);
  const y = Float64Array.from({ length: train.rows }, () => rng.int(CLASSES));
  return { label, train, query, y, exact: grid };
}

const CASES: Case[] = [
  makeCase("37 rows, p = 1", 37, 1, 11, false, 1),
  makeCase("101 rows, p = 3", 101, 3, 29, false, 2),
  makeCase("203 rows, p = 20", 203, 20, 41, false, 3),
  makeCase("integer grid, p = 3", 150, 3, 40, true, 4),
  makeCase("300 queries (two blocks)", 61, 3, 300, false, 5),
  makeCase("3500 rows (several chunks)", 3500, 20, 9, false, 6),
];

/** Term-by-term distance, as a textbook would write it. */
function distance(a: Matrix, i: number, b: Matrix, t: number, metric: KnnParams["metric"]): number {
  let s = 0;
  for (let j = 0; j < a.cols; j++) {
    const diff = a.data[i * a.cols + j] - b.data[t * b.cols + j];
    s += metric === "euclidean" ? diff * diff : Math.abs(diff);
  }
  return metric === "euclidean" ? Math.sqrt(s) : s;
}

/** The k nearest training rows of query i with their distances, nearest (then lowest index) first. */
function neighbours(c: Case, i: number, params: KnnParams): Array<{ t: number; d: number }> {
  const all = Array.from({ length: c.train.rows }, (_, t) => ({
    t,
    d: distance(c.query, i, c.train, t, params.metric),
  }));
  all.sort((a, b) => a.d - b.d || a.t - b.t);
  return all.slice(0, Math.min(params.nNeighbors, c.train.rows));
}

function weight(params: KnnParams, d: number): number {
  return params.weights === "uniform" ? 1 : d === 0 ? 1e12 : 1 / d;
}

function referenceProba(c: Case, params: KnnParams): Float64Array {
  const out = new Float64Array(c.query.rows * CLASSES);
  for (let i = 0; i < c.query.rows; i++) {
    const near = neighbours(c, i, params);
    const total = near.reduce((s, n) => s + weight(params, n.d), 0);
    for (const n of near) out[i * CLASSES + c.y[n.t]] += weight(params, n.d);
    for (let k = 0; k < CLASSES; k++) out[i * CLASSES + k] /= total;
  }
  return out;
}

function referencePredict(c: Case, params: KnnParams): Float64Array {
  return Float64Array.from({ length: c.query.rows }, (_, i) => {
    const near = neighbours(c, i, params);
    const total = near.reduce((s, n) => s + weight(params, n.d), 0);
    return near.reduce((s, n) => s + weight(params, n.d) * c.y[n.t], 0) / total;
  });
}

/**
 * Equal, except that Euclidean inverse-distance weights inherit the last-bit difference between
 * ‖q‖² + ‖t‖² − 2q·t and the term-by-term sum on real-valued data.
 */
function expectClose(actual: Float64Array, expected: Float64Array, relative: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (relative === 0) expect(actual[i]).toBe(expected[i]);
    else
      expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(
        relative * Math.max(1, Math.abs(expected[i])),
      );
  }
}

const SETTINGS = (["euclidean", "manhattan"] as const).flatMap((metric) =>
  (["uniform", "distance"] as const).flatMap((weights) =>
    [1, 5, 1000].map((nNeighbors) => ({ metric, weights, nNeighbors })),
  ),
);

describe.each(CASES)("k nearest neighbours, $label", (c) => {
  it.each(SETTINGS)("$metric, $weights weights, k = $nNeighbors", (params) => {
    const inexactWeights = params.metric === "euclidean" && params.weights === "distance" && !c.exact;
    const classifier = new KNeighborsClassifier(params);
    classifier.nClasses = CLASSES;
    classifier.fit(c.train, c.y);
    expectClose(classifier.predictProba(c.query), referenceProba(c, params), inexactWeights ? 1e-9 : 0);
    const regressor = new KNeighborsRegressor(params).fit(c.train, c.y);
    expectClose(regressor.predict(c.query), referencePredict(c, params), inexactWeights ? 1e-9 : 1e-12);
  });
});

describe("k nearest neighbours, reloaded state", () => {
  it("predicts the same from a copy of the fitted state", () => {
    const c = CASES[2];
    const params: KnnParams = { metric: "euclidean", weights: "distance", nNeighbors: 5 };
    const fitted = new KNeighborsRegressor(params).fit(c.train, c.y);
    const state = fitted.getFitted();
    const copy = { ...state, X: state.X.slice(), y: state.y.slice() };
    const reloaded = new KNeighborsRegressor(params).load(copy);
    expect(reloaded.predict(c.query)).toEqual(fitted.predict(c.query));
  });
});
