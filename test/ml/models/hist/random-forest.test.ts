/**
 * The binned random forest: deterministic per seed, missing values and categories handled natively, a
 * compact artifact (no training-only arrays, leaf outputs in float32), and models saved in the earlier
 * exact-tree format still predicting.
 */
import { describe, expect, it } from "vitest";
import { deserializeModel, predictFrame, serializeModel, trainModel } from "../../../../src/ml/index.js";
import { type BinnedForestFitted, RandomForestClassifier } from "../../../../src/ml/models/random-forest.js";
import { Random } from "../../../../src/ml/random.js";
import type { Frame, ModelDocument, ModelMetadata, TrainResult } from "../../../../src/ml/types.js";
import { loadFixture } from "../../helpers/fixtures.js";
import { forestParams } from "../../helpers/forest-params.js";

const KEY = "random-forest-test-key-0123456789";

function meta(r: TrainResult): ModelMetadata {
  return {
    modelId: "m",
    name: "m",
    modelType: r.model.modelType,
    taskType: r.model.task,
    target: r.model.target,
    features: r.model.features.map((f) => f.name),
    trainedAt: new Date(0).toISOString(),
    metrics: r.metrics,
    trainedOn: "local",
  };
}

/** y = 2·x + 5 if x is present, −6 if missing, + the group's effect; 10% of x missing. */
function frame(n: number): Frame {
  const rng = new Random(3);
  const x = new Float64Array(n);
  const codes = new Int32Array(n);
  const y = new Float64Array(n);
  const effect = [0, 3, -3, 6];
  for (let i = 0; i < n; i++) {
    const missing = rng.next() < 0.1;
    x[i] = missing ? Number.NaN : rng.normal();
    codes[i] = rng.int(4);
    y[i] = (missing ? -6 : 2 * x[i] + 5) + effect[codes[i]] + 0.1 * rng.normal();
  }
  return {
    nRows: n,
    columns: [
      { name: "x", type: "numeric", values: x },
      { name: "g", type: "categorical", codes, levels: ["a", "b", "c", "d"] },
      { name: "y", type: "numeric", values: y },
    ],
  };
}

describe("random forest on binned columns", () => {
  it("learns the missing-value side and the categories; the same seed gives the same forest", () => {
    const f = frame(2000);
    const spec = {
      modelType: "random_forest",
      task: "regression" as const,
      target: "y",
      features: ["x", "g"],
      hyperparameters: { nEstimators: 30 },
    };
    const a = trainModel(f, spec);
    const b = trainModel(f, spec);
    expect(b.evaluation).toEqual(a.evaluation);
    expect(a.metrics.r2).toBeGreaterThan(0.97);
    const probe: Frame = {
      nRows: 2,
      columns: [
        { name: "x", type: "numeric", values: Float64Array.of(Number.NaN, 0) },
        { name: "g", type: "categorical", codes: Int32Array.of(0, 0), levels: ["a"] },
      ],
    };
    const [missing, zero] = predictFrame(a.model, probe).predictions as number[];
    expect(missing).toBeCloseTo(-6, 0);
    expect(zero).toBeCloseTo(5, 0);
  });

  it("does not count features constant in a node towards the features examined there", () => {
    // 16 columns: x0 decides the class, x1 is noise, the other 14 are all zero. Of 4 drawn features the
    // root examines both live ones only when the constant columns are not counted.
    const rng = new Random(8);
    const n = 400;
    const p = 16;
    const X = { data: new Float64Array(n * p), rows: n, cols: p };
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X.data[i * p] = rng.normal();
      X.data[i * p + 1] = rng.normal();
      y[i] = X.data[i * p] > 0 ? 1 : 0;
    }
    const est = new RandomForestClassifier(forestParams(30));
    est.fit(X, y, { rng: new Random(1) });
    const { roots, feature } = (est.getFitted() as BinnedForestFitted).forest;
    expect(Array.from(roots, (r) => feature[r])).toEqual(new Array(30).fill(0));
  });

  it("stores 100 trees compactly: a few typed arrays, float32 leaves, no per-node training statistics", () => {
    const f = frame(20_000);
    const r = trainModel(f, {
      modelType: "random_forest",
      task: "regression",
      target: "y",
      features: ["x", "g"],
    });
    const forest = (r.model.fitted as BinnedForestFitted).forest;
    expect(forest.nTrees).toBe(100);
    expect(forest.values).toBeInstanceOf(Float32Array);
    expect(Object.keys(forest).sort()).toEqual(
      ["bin", "catBits", "catSlot", "child", "feature", "flags", "nOut", "nTrees", "roots", "values"].sort(),
    );
    const files = serializeModel(r.model, meta(r), KEY);
    const nodes = forest.feature.length;
    // 10 bytes per node (+ 4 per leaf output + the categorical slots) and small JSON around it.
    expect(files["model.bin"].length).toBeLessThan(nodes * 20);
    expect(files["model.json"].length).toBeLessThan(100_000);
    const { model } = deserializeModel(files, KEY);
    expect(predictFrame(model, f).predictions).toEqual(predictFrame(r.model, f).predictions);
  });

  it("still predicts with a model saved before binning (exact trees over the one-hot design)", async () => {
    const iris = await loadFixture("iris");
    const tree = trainModel(iris, {
      modelType: "decision_tree",
      task: "classification",
      target: "species",
      features: [],
    });
    const fitted = tree.model.fitted as { tree: unknown; nFeatures: number };
    const legacy: ModelDocument = {
      ...tree.model,
      modelType: "random_forest",
      hyperparameters: {
        nEstimators: 1,
        maxDepth: null,
        minSamplesSplit: 2,
        minSamplesLeaf: 1,
        criterion: "gini",
        maxFeatures: "auto",
        bootstrap: true,
      },
      fitted: { trees: [fitted.tree], nFeatures: fitted.nFeatures },
    };
    const files = serializeModel(legacy, { ...meta(tree), modelType: "random_forest" }, KEY);
    const { model } = deserializeModel(files, KEY);
    expect(predictFrame(model, iris, { probabilities: true })).toEqual(
      predictFrame(tree.model, iris, { probabilities: true }),
    );
  });
});
