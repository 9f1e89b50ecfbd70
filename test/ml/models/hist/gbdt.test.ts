/**
 * Histogram GBDT behaviour through trainModel/predictFrame: early stopping, missing values routed as
 * learned, native categories (unseen ones included), each library's tree shape, regularisation, and a
 * signed round trip of a model with categorical and missing-value splits.
 */
import { describe, expect, it } from "vitest";
import {
  deserializeModel,
  predictFrame,
  serializeModel,
  trainModel,
  validateHyperparameters,
} from "../../../../src/ml/index.js";
import {
  FLAG_CATEGORICAL,
  FLAG_DEFAULT_LEFT,
  type ForestArrays,
} from "../../../../src/ml/models/hist/forest.js";
import { parallelMinRows } from "../../../../src/ml/models/hist/threads.js";
import {
  type HistFitted,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
} from "../../../../src/ml/models/hist-gradient-boosting.js";
import { Random } from "../../../../src/ml/random.js";
import { toHistParams } from "../../../../src/ml/registry-boosting.js";
import type { Frame, ModelMetadata, TrainResult } from "../../../../src/ml/types.js";

const KEY = "hist-gbdt-test-key-0123456789abcdef";

/** y = 3·x1 + level effect + noise; x1 is missing in 20% of rows, and then y is shifted up by 8. */
function mixedFrame(n: number, seed: number): Frame {
  const rng = new Random(seed);
  const levels = ["a", "b", "c", "d", "e", "f", "g", "h"];
  const effect = [0, 5, -3, 4, -6, 2, 7, -1];
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const codes = new Int32Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const missing = rng.next() < 0.2;
    x1[i] = missing ? Number.NaN : rng.normal();
    x2[i] = rng.normal();
    codes[i] = rng.int(levels.length);
    y[i] = (missing ? 8 : 3 * x1[i]) + effect[codes[i]] + 0.3 * rng.normal();
  }
  return {
    nRows: n,
    columns: [
      { name: "x1", type: "numeric", values: x1 },
      { name: "x2", type: "numeric", values: x2 },
      { name: "group", type: "categorical", codes, levels },
      { name: "y", type: "numeric", values: y },
    ],
  };
}

function forestOf(r: TrainResult): ForestArrays {
  return (r.model.fitted as HistFitted).forest;
}

/** Depth and leaf count of each tree. */
function shapes(f: ForestArrays): Array<{ depth: number; leaves: number }> {
  return Array.from(f.roots, (root) => {
    let depth = 0;
    let leaves = 0;
    const walk = (node: number, d: number) => {
      if (f.feature[node] < 0) {
        leaves++;
        depth = Math.max(depth, d);
        return;
      }
      walk(f.child[node], d + 1);
      walk(f.child[node] + 1, d + 1);
    };
    walk(root, 0);
    return { depth, leaves };
  });
}

const regression = (modelType: string, hyperparameters: Record<string, unknown> = {}) => ({
  modelType,
  task: "regression" as const,
  target: "y",
  features: ["x1", "x2", "group"],
  hyperparameters,
});

describe("histogram gradient boosting", () => {
  const frame = mixedFrame(3000, 1);

  it("learns the missing-value direction and the category effects (R² > 0.95 held out)", () => {
    const r = trainModel(frame, regression("hist_gradient_boosting"));
    expect(r.metrics.r2).toBeGreaterThan(0.95);
    const f = forestOf(r);
    const split = (flag: number) =>
      Array.from(f.flags).some((fl, node) => f.feature[node] >= 0 && (fl & flag) !== 0);
    expect(split(FLAG_CATEGORICAL)).toBe(true);
    expect(split(FLAG_DEFAULT_LEFT)).toBe(true);
    // Rows with x1 missing were 8 + the group's effect in training; group "a" has effect 0.
    const probe: Frame = {
      nRows: 3,
      columns: [
        { name: "x1", type: "numeric", values: Float64Array.of(Number.NaN, -1, 1) },
        { name: "x2", type: "numeric", values: Float64Array.of(0, 0, 0) },
        { name: "group", type: "categorical", codes: Int32Array.of(0, 0, 0), levels: ["a"] },
      ],
    };
    const [missing, low, high] = predictFrame(r.model, probe).predictions as number[];
    expect(missing).toBeGreaterThan(6.5);
    expect(missing).toBeLessThan(9.5);
    expect(low).toBeLessThan(-1.5);
    expect(high).toBeGreaterThan(1.5);
  });

  it("does not crash on unseen categories: they are treated as missing", () => {
    const r = trainModel(frame, regression("lightgbm"));
    const probe = (levels: string[], codes: number[]): Frame => ({
      nRows: codes.length,
      columns: [
        { name: "x1", type: "numeric", values: new Float64Array(codes.length).fill(0.5) },
        { name: "x2", type: "numeric", values: new Float64Array(codes.length) },
        { name: "group", type: "categorical", codes: Int32Array.from(codes), levels },
      ],
    });
    const unseen = predictFrame(r.model, probe(["zzz", "b"], [0, 1])).predictions as number[];
    const missing = predictFrame(r.model, probe(["b"], [-1, 0])).predictions as number[];
    expect(unseen.every(Number.isFinite)).toBe(true);
    expect(unseen[0]).toBe(missing[0]);
    expect(unseen[1]).toBe(missing[1]);
  });

  it("stops early: fewer rounds than asked, cut back to the best validation round", () => {
    const r = trainModel(
      frame,
      regression("hist_gradient_boosting", {
        maxIter: 2000,
        learningRate: 0.3,
        earlyStopping: true,
        nIterNoChange: 5,
      }),
    );
    const curve = r.learningCurve;
    expect(curve?.validation).toBeDefined();
    const rounds = curve?.validation?.length ?? 0;
    expect(rounds).toBeLessThan(2000);
    const best = curve?.bestIteration ?? -1;
    expect(rounds - 1 - best).toBe(5);
    expect(forestOf(r).nTrees).toBe(best + 1);
    const v = curve?.validation ?? [];
    expect(Math.min(...v)).toBe(v[best]);
    // Without early stopping every round is kept.
    const all = trainModel(frame, regression("xgboost", { nEstimators: 40 }));
    expect(forestOf(all).nTrees).toBe(40);
    expect(all.learningCurve?.train).toHaveLength(40);
    expect(all.learningCurve?.validation).toBeUndefined();
  });

  it("grows XGBoost's trees depth-wise to maxDepth and LightGBM's leaf-wise to numLeaves", () => {
    const xgb = shapes(forestOf(trainModel(frame, regression("xgboost", { nEstimators: 10, maxDepth: 3 }))));
    expect(Math.max(...xgb.map((s) => s.depth))).toBe(3);
    expect(Math.max(...xgb.map((s) => s.leaves))).toBeLessThanOrEqual(8);
    const lgb = shapes(
      forestOf(
        trainModel(frame, regression("lightgbm", { nEstimators: 10, numLeaves: 7, minDataInLeaf: 5 })),
      ),
    );
    expect(Math.max(...lgb.map((s) => s.leaves))).toBe(7);
    expect(Math.max(...lgb.map((s) => s.depth))).toBeGreaterThan(3);
  });

  it("shrinks leaves with L2 and stops splitting under a large min_child_weight", () => {
    const plain = trainModel(
      frame,
      regression("xgboost", { nEstimators: 5, subsample: 1, colsampleBytree: 1 }),
    );
    const ridge = trainModel(
      frame,
      regression("xgboost", { nEstimators: 5, subsample: 1, colsampleBytree: 1, regLambda: 1e5 }),
    );
    const spread = (r: TrainResult) => {
      const v = (r.model.fitted as HistFitted).forest.values;
      return Math.max(...v) - Math.min(...v);
    };
    expect(spread(ridge)).toBeLessThan(spread(plain) / 10);
    const stumps = trainModel(frame, regression("xgboost", { nEstimators: 3, minChildWeight: 1000 }));
    for (const s of shapes(forestOf(stumps))) expect(s.leaves).toBeLessThanOrEqual(2);
  });

  it("classifies with softmax for several classes and round-trips through a signed artifact", () => {
    const n = 1500;
    const rng = new Random(7);
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const codes = Int32Array.from({ length: n }, (_, i) => (x[i] < -0.5 ? 0 : x[i] < 0.5 ? 1 : 2));
    for (let i = 0; i < n; i += 10) x[i] = Number.NaN;
    const f: Frame = {
      nRows: n,
      columns: [
        { name: "x", type: "numeric", values: x },
        { name: "class", type: "categorical", codes, levels: ["low", "mid", "high"] },
      ],
    };
    const r = trainModel(f, {
      modelType: "catboost",
      task: "classification",
      target: "class",
      features: ["x"],
      hyperparameters: { iterations: 60 },
    });
    expect(r.metrics.accuracy).toBeGreaterThan(0.85);
    expect((r.model.fitted as HistFitted).outputs).toBe(3);
    expect(r.learningCurve?.metric).toBe("mlogloss");
    const meta: ModelMetadata = {
      modelId: "m",
      name: "m",
      modelType: "catboost",
      taskType: "classification",
      target: "class",
      features: ["x"],
      trainedAt: new Date(0).toISOString(),
      metrics: r.metrics,
      trainedOn: "local",
    };
    const files = serializeModel(r.model, meta, KEY);
    const { model } = deserializeModel(files, KEY);
    const before = predictFrame(r.model, f, { probabilities: true });
    const after = predictFrame(model, f, { probabilities: true });
    expect(after.predictions).toEqual(before.predictions);
    expect(after.probabilities).toEqual(before.probabilities);
  });
});

describe("histogram building on several threads", () => {
  /** n rows of p normal features, y from the first two and noise. */
  function problem(n: number, p: number) {
    const rng = new Random(11);
    const X = { data: Float64Array.from({ length: n * p }, () => rng.normal()), rows: n, cols: p };
    const y = Float64Array.from(
      { length: n },
      (_, i) => X.data[i * p] * 2 - X.data[i * p + 1] + 0.5 * rng.normal(),
    );
    return { X, y };
  }

  function fitWith(threads: number, p: number, minRows?: number) {
    // Nodes of at least 2 · parallelMinRows rows are cut into shares: the top levels here.
    const { X, y } = problem(2 * parallelMinRows(8) + 1000, p);
    const est = new HistGradientBoostingRegressor({
      ...toHistParams(
        "xgboost",
        validateHyperparameters("xgboost", { nEstimators: 10, subsample: 1, threads }),
      ),
      ...(minRows === undefined ? {} : { parallelMinRows: minRows }),
    });
    est.fit(X, y, { rng: new Random(1) });
    return { forest: (est.getFitted() as HistFitted).forest, predictions: est.predict(X) };
  }

  it("grows bit-identical models on 1, 2 and 3 threads (fixed shares, partitions in parts)", () => {
    for (const [p, minRows] of [
      [6, undefined],
      [2, 1000], // few features, many rows: the rows are shared, not the features
    ] as const) {
      const one = fitWith(1, p, minRows);
      for (const threads of [2, 3]) {
        const other = fitWith(threads, p, minRows);
        expect(other.forest).toEqual(one.forest);
        expect(other.predictions).toEqual(one.predictions);
      }
    }
  });

  /** The forest's arrays as bytes (floats compared bit for bit). */
  function bytesOf(forest: ForestArrays): Record<string, Buffer> {
    return Object.fromEntries(
      Object.entries(forest)
        .filter(([, v]) => ArrayBuffer.isView(v))
        .map(([k, v]) => [k, Buffer.from(v.buffer, v.byteOffset, v.byteLength)]),
    );
  }

  it("splits and builds whole levels on 2 and 4 threads: the same model bytes as 1 thread", () => {
    // parallelMinRows 0: every node is cut into shares and every level's units run on the threads.
    const { X, y } = problem(3000, 7);
    const labels = y.map((v) => +(v > 0));
    // Depth-wise (a level at a time) and leaf-wise (a node at a time); squared error and log-loss.
    for (const [model, Model] of [
      ["xgboost", HistGradientBoostingRegressor],
      ["lightgbm", HistGradientBoostingClassifier],
    ] as const) {
      const grow = (threads: number) => {
        const params = validateHyperparameters(model, { nEstimators: 4, threads });
        const est = new Model({ ...toHistParams(model, params), parallelMinRows: 0 });
        est.fit(X, Model === HistGradientBoostingRegressor ? y : labels, { rng: new Random(1) });
        return bytesOf((est.getFitted() as HistFitted).forest);
      };
      const one = grow(1);
      expect(one.feature.length).toBeGreaterThan(4 * 15);
      for (const threads of [2, 4]) expect(grow(threads)).toEqual(one);
    }
  });

  it("adds one output's leaf values through leaf marks on 1 thread: the model bytes and learning curve of 2 threads' leaf ranges", () => {
    // 6000 rows: the curve is taken on a sample of rows (their pending scores); 3000: on all rows. Rows
    // subsampled (by default) or not.
    for (const rows of [6000, 3000])
      for (const [model, sampling] of [
        ["xgboost", {}],
        ["xgboost", { subsample: 1 }],
        ["lightgbm", { baggingFreq: 2 }],
      ] as const) {
        const { X, y } = problem(rows, 3);
        const grow = (threads: number) => {
          const params = validateHyperparameters(model, { nEstimators: 6, threads, ...sampling });
          const est = new HistGradientBoostingRegressor({
            ...toHistParams(model, params),
            parallelMinRows: 0,
          });
          est.fit(X, y, { rng: new Random(2) });
          return { forest: bytesOf((est.getFitted() as HistFitted).forest), curve: est.learningCurve?.train };
        };
        const one = grow(1);
        expect(one.curve).toHaveLength(6);
        expect(grow(2)).toEqual(one);
      }
  });

  it("grows the same softmax model bytes and scores on 1, 2 and 4 threads (3 and 7 classes, every level and row loop on the threads)", () => {
    const { X, y } = problem(3000, 7);
    for (const classes of [3, 7]) {
      // Classes by quantiles of y's range, roughly.
      const labels = y.map((v) => Math.min(classes - 1, Math.max(0, Math.floor((v + 3) * (classes / 6)))));
      const grow = (threads: number) => {
        const params = validateHyperparameters("xgboost", { nEstimators: 4, threads });
        const est = new HistGradientBoostingClassifier({
          ...toHistParams("xgboost", params),
          parallelMinRows: 0,
        });
        est.nClasses = classes;
        est.fit(X, labels, { rng: new Random(1) });
        // The learning curve is the loss of the fit's raw scores after each round (leaf values added).
        return { forest: bytesOf((est.getFitted() as HistFitted).forest), curve: est.learningCurve?.train };
      };
      const one = grow(1);
      expect(new Set(labels).size).toBe(classes);
      expect(one.forest.feature.length).toBeGreaterThan(classes * 4 * 15);
      expect(one.curve).toHaveLength(4);
      for (const threads of [2, 4]) expect(grow(threads)).toEqual(one);
    }
  });
});
