/**
 * The fast prediction paths (MLP SIMD kernel, four-row linear and logistic scores) against straightforward
 * reference implementations written here: results must agree bit for bit, on shapes that are not
 * multiples of the tiles.
 */
import { describe, expect, it } from "vitest";
import type { Matrix } from "../../../src/ml/matrix.js";
import { matrixTable, selectRows } from "../../../src/ml/models/hist/columns.js";
import { CAT_WORDS, FLAG_CATEGORICAL, FLAG_DEFAULT_LEFT } from "../../../src/ml/models/hist/forest.js";
import {
  type HistFitted,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  predictRaw,
} from "../../../src/ml/models/hist-gradient-boosting.js";
import { LinearRegression } from "../../../src/ml/models/linear.js";
import { LogisticRegression } from "../../../src/ml/models/logistic.js";
import { type Activation, Network, type OutputActivation } from "../../../src/ml/models/mlp/network.js";
import { Random } from "../../../src/ml/random.js";
import { MODEL_REGISTRY } from "../../../src/ml/registry.js";
import { toHistParams } from "../../../src/ml/registry-boosting.js";

function randomMatrix(rng: Random, rows: number, cols: number): Matrix {
  return { data: Float64Array.from({ length: rows * cols }, () => rng.normal()), rows, cols };
}

function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  let mismatches = 0;
  for (let i = 0; i < actual.length; i++) if (!Object.is(actual[i], expected[i])) mismatches++;
  expect(mismatches).toBe(0);
}

/** The network's dot product: four accumulators by k mod 4, the tail into the first. */
function dot4(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  const s = [0, 0, 0, 0];
  const n4 = n - (n % 4);
  for (let k = 0; k < n4; k++) s[k % 4] += a[ao + k] * b[bo + k];
  for (let k = n4; k < n; k++) s[0] += a[ao + k] * b[bo + k];
  return s[0] + s[1] + s[2] + s[3];
}

function referenceForward(net: Network, X: Matrix): Float64Array {
  const { sizes, W, b, activation, output } = net.snapshot();
  let A = X.data;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [nIn, nOut] = [sizes[l], sizes[l + 1]];
    const Z = new Float64Array(X.rows * nOut);
    for (let r = 0; r < X.rows; r++)
      for (let j = 0; j < nOut; j++) {
        let z = b[l][j] + dot4(A, r * nIn, W[l], j * nIn, nIn);
        if (l + 2 < sizes.length) {
          if (activation === "relu") z = Math.max(z, 0);
          else if (activation === "tanh") z = Math.tanh(z);
          else z = 1 / (1 + Math.exp(-z));
        }
        Z[r * nOut + j] = z;
      }
    A = Z;
  }
  const width = sizes[sizes.length - 1];
  for (let r = 0; r < X.rows; r++) {
    const row = A.subarray(r * width, (r + 1) * width);
    if (output === "logistic")
      row.forEach((z, i) => {
        row[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      });
    if (output === "softmax") {
      const max = Math.max(...row);
      let sum = 0;
      for (let c = 0; c < width; c++) {
        row[c] = Math.exp(row[c] - max);
        sum += row[c];
      }
      for (let c = 0; c < width; c++) row[c] /= sum;
    }
  }
  return A;
}

describe("MLP forward kernel", () => {
  const shapes: Array<[number[], Activation, OutputActivation, number]> = [
    [[20, 100, 1], "relu", "identity", 1037],
    [[7, 13, 3], "tanh", "softmax", 257],
    [[1, 5, 2, 1], "logistic", "logistic", 3],
    [[3, 64, 31, 5], "relu", "softmax", 301],
    [[6, 3, 1], "relu", "identity", 1],
    [[9, 4, 2], "tanh", "identity", 6],
  ];
  it.each(shapes)(
    "equals the scalar forward bit for bit: sizes %j, %s, %s, %i rows",
    (sizes, act, out, n) => {
      const rng = new Random(sizes.length * 31 + n);
      const net = Network.create(sizes, act, out, rng);
      const X = randomMatrix(rng, n, sizes[0]);
      const fast = net.forward(X);
      expectSameBits(fast, referenceForward(net, X));
      expectSameBits(fast, net.forwardScalar(X));
    },
  );

  it("sees weights updated by training between calls", () => {
    const rng = new Random(5);
    const net = Network.create([4, 6, 1], "relu", "identity", rng);
    const X = randomMatrix(rng, 50, 4);
    const before = net.forward(X);
    const order = Int32Array.from({ length: 50 }, (_, i) => i);
    net.epoch(
      X,
      Float64Array.from({ length: 50 }, () => rng.normal()),
      order,
      10,
      1e-4,
      0.01,
    );
    const after = net.forward(X);
    expect(after).not.toEqual(before);
    expectSameBits(after, referenceForward(net, X));
  });
});

describe("linear and logistic scores", () => {
  const shapes: Array<[number, number]> = [
    [1, 1],
    [3, 5],
    [4, 2],
    [103, 7],
    [1000, 20],
  ];
  it.each(shapes)("linear prediction sums each row in column order (%i × %i)", (n, p) => {
    const rng = new Random(n + p);
    const X = randomMatrix(rng, Math.max(n, p + 2), p);
    const y = Float64Array.from({ length: X.rows }, () => rng.normal());
    const model = new LinearRegression({}).fit(X, y);
    const { coef, intercept } = model.getFitted();
    const Q = randomMatrix(rng, n, p);
    const expected = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = intercept;
      for (let j = 0; j < p; j++) s += Q.data[i * p + j] * coef[j];
      expected[i] = s;
    }
    expectSameBits(model.predict(Q), expected);
  });

  it.each(shapes)("binary logistic probabilities match the one-row loop (%i × %i)", (n, p) => {
    const rng = new Random(7 * n + p);
    const X = randomMatrix(rng, 40, p);
    const y = Float64Array.from({ length: 40 }, (_, i) => (X.data[i * p] + 0.3 * rng.normal() > 0 ? 1 : 0));
    const model = new LogisticRegression({ C: 1, maxIter: 100, tol: 1e-6 }).fit(X, y);
    const { coef, intercept } = model.getFitted();
    const Q = randomMatrix(rng, n, p);
    const expected = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      let z = intercept[0];
      for (let j = 0; j < p; j++) z += coef[j] * Q.data[i * p + j];
      const p1 = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      expected[2 * i] = 1 - p1;
      expected[2 * i + 1] = p1;
    }
    expectSameBits(model.predictProba(Q), expected);
    const classes = Float64Array.from({ length: n }, (_, i) =>
      expected[2 * i + 1] > expected[2 * i] ? 1 : 0,
    );
    expectSameBits(model.predict(Q), classes);
  });

  it("binary logistic classes equal the probabilities' argmax for scores near zero", () => {
    const model = new LogisticRegression({ C: 1, maxIter: 100, tol: 1e-6 });
    model.load({ coef: Float64Array.from([1]), intercept: Float64Array.from([0]), iterations: 0 });
    const z = [0, -0, 1e-17, -1e-17, 1e-9, -1e-9, 1e-6, -1e-6, 2e-6, 5, -5, Number.NaN, 1e300, -1e300];
    const Q = { data: Float64Array.from(z), rows: z.length, cols: 1 };
    const proba = model.predictProba(Q);
    const classes = Float64Array.from(z, (_, i) => (proba[2 * i + 1] > proba[2 * i] ? 1 : 0));
    expectSameBits(model.predict(Q), classes);
  });
});

/** Raw scores by walking each row down each tree on raw values, one node at a time. */
function referenceRaw(f: HistFitted, X: Matrix): Float64Array {
  const { forest, mapper, init, outputs: K } = f;
  const out = new Float64Array(X.rows * K);
  for (let i = 0; i < X.rows; i++) {
    for (let c = 0; c < K; c++) out[i * K + c] = init[c];
    forest.roots.forEach((root, t) => {
      let node = root;
      while (forest.feature[node] >= 0) {
        const feat = forest.feature[node];
        const flags = forest.flags[node];
        const v = X.data[i * X.cols + feat];
        let left: boolean;
        if (flags & FLAG_CATEGORICAL) {
          const known = Number.isInteger(v) && v >= 0 && v < mapper.categories[feat] && v < 255;
          const word = forest.catBits[forest.catSlot[node] * CAT_WORDS + (v >>> 5)];
          left = known ? ((word >>> (v & 31)) & 1) === 1 : (flags & FLAG_DEFAULT_LEFT) !== 0;
        } else if (Number.isNaN(v)) left = (flags & FLAG_DEFAULT_LEFT) !== 0;
        else {
          const k = mapper.offsets[feat] + forest.bin[node];
          left = v <= (k < mapper.offsets[feat + 1] ? mapper.thresholds[k] : Number.POSITIVE_INFINITY);
        }
        node = forest.child[node] + (left ? 0 : 1);
      }
      out[i * K + (t % K)] += forest.values[forest.child[node]];
    });
  }
  return out;
}

/** Columns: numeric with ~15% NaN, a categorical column (codes 0..5) and a plain numeric one. */
function mixedData(rng: Random, n: number, unseen: boolean): { X: Matrix; score: Float64Array } {
  const X = randomMatrix(rng, n, 4);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.15) X.data[i * 4] = Number.NaN;
    const code = rng.int(6);
    X.data[i * 4 + 1] = code;
    if (unseen && i % 7 === 0) X.data[i * 4 + 1] = [6, -1, Number.NaN, 2.5][i % 4];
    const x0 = X.data[i * 4];
    score[i] = (Number.isNaN(x0) ? 2 : x0) + [0, 3, -2, 1, -3, 2][code] + X.data[i * 4 + 2] ** 2;
  }
  return { X, score };
}

function histParams(id: string, overrides: Record<string, unknown>) {
  const spec = MODEL_REGISTRY.find((s) => s.id === id);
  return toHistParams(id, spec?.params.parse(overrides) as Record<string, unknown>);
}

describe("boosted forest traversal", () => {
  const categories = [0, 6, 0, 0];
  const cases: Array<[string, number, number]> = [
    ["hist_gradient_boosting", 0, 1],
    ["xgboost", 0, 3],
    ["xgboost", 2, 1000],
    ["lightgbm", 3, 257],
    ["hist_gradient_boosting", 3, 600],
  ];
  it.each(cases)(
    "%s, %i classes: leaves and sums equal a node-by-node walk (%i rows, NaN, categories)",
    (id, classes, n) => {
      const rng = new Random(classes * 100 + n);
      const train = mixedData(rng, 800, false);
      const table = matrixTable(train.X, categories);
      const params = histParams(id, id === "hist_gradient_boosting" ? { maxIter: 30 } : { nEstimators: 30 });
      const ctx = { rng: new Random(2) };
      let fitted: HistFitted;
      if (classes === 0) {
        fitted = new HistGradientBoostingRegressor(params).fitTable(table, train.score, ctx).getFitted();
      } else {
        const model = new HistGradientBoostingClassifier(params);
        model.nClasses = classes;
        const y = Float64Array.from(train.score, (s) =>
          Math.min(classes - 1, Math.max(0, Math.floor(s + 1))),
        );
        fitted = model.fitTable(table, y, ctx).getFitted();
      }
      expect(fitted.forest.flags.some((fl) => (fl & FLAG_CATEGORICAL) !== 0)).toBe(true);
      const test = mixedData(rng, n, true).X;
      const expected = referenceRaw(fitted, test);
      expectSameBits(predictRaw(fitted, matrixTable(test, categories)), expected);
      // Column views (a row subset) are gathered in blocks on the way in.
      const rows = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      const reversed = predictRaw(fitted, selectRows(matrixTable(test, categories), rows));
      const K = fitted.outputs;
      const back = new Float64Array(n * K);
      for (let i = 0; i < n; i++) back.set(reversed.subarray(i * K, (i + 1) * K), rows[i] * K);
      expectSameBits(back, expected);
    },
  );
});
