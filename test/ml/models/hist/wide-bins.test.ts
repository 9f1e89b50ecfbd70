/**
 * More than 255 bins a feature (maxBin above 255, as XGBoost allows): uint16 bins from the binning through
 * the WebAssembly kernel, the trees and the saved model; uint8 bins wherever the data needs no more.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  deserializeModel,
  predictFrame,
  serializeModel,
  trainModel,
  validateHyperparameters,
} from "../../../../src/ml/index.js";
import {
  binRows,
  fitBinMapper,
  MAX_WIDE_BINS,
  missingBin,
  thresholdOf,
} from "../../../../src/ml/models/hist/binning.js";
import { matrixTable } from "../../../../src/ml/models/hist/columns.js";
import { ForestBuilder } from "../../../../src/ml/models/hist/forest.js";
import { growTree } from "../../../../src/ml/models/hist/grower.js";
import {
  buildHistogram,
  HistogramPool,
  histStrideOf,
  rowStride,
} from "../../../../src/ml/models/hist/histogram.js";
import {
  type HistFitted,
  HistGradientBoostingRegressor,
} from "../../../../src/ml/models/hist-gradient-boosting.js";
import { Random } from "../../../../src/ml/random.js";
import { toHistParams } from "../../../../src/ml/registry-boosting.js";
import type { Frame, ModelMetadata } from "../../../../src/ml/types.js";
import { fixturePath } from "../../helpers/fixtures.js";
import { randomSpace } from "./random-space.js";

const KEY = "wide-bins-test-key-0123456789abcdef";
/** Split rules of a plain regression tree. */
const TREE = {
  l1: 0,
  l2: 1,
  minChildWeight: 0,
  minSamplesLeaf: 1,
  maxCatToOnehot: 4,
  catSmooth: 10,
  catL2: 10,
};

/** n rows: x1 smooth with 20% missing, x2 noise, y = sin(3 x1) + noise (missing x1: y = 2). */
function smoothFrame(n: number, seed: number): Frame {
  const rng = new Random(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const missing = rng.next() < 0.2;
    x1[i] = missing ? Number.NaN : rng.normal();
    x2[i] = rng.normal();
    y[i] = (missing ? 2 : Math.sin(3 * x1[i])) + 0.1 * rng.normal();
  }
  return {
    nRows: n,
    columns: [
      { name: "x1", type: "numeric", values: x1 },
      { name: "x2", type: "numeric", values: x2 },
      { name: "y", type: "numeric", values: y },
    ],
  };
}

describe("wide bins: binning", () => {
  it("gives a feature with > 255 distinct values more than 255 bins, uint16, NaN in the missing bin", () => {
    const rng = new Random(2);
    const values = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? Number.NaN : rng.normal()));
    const t = matrixTable({ data: Float64Array.from(values), rows: values.length, cols: 1 });
    const m = fitBinMapper(t, 1000, new Random(3));
    const bins = binRows(m, t);
    expect(bins).toBeInstanceOf(Uint16Array);
    const missing = missingBin(m);
    expect(missing).toBe(1000);
    const used = new Set(Array.from(bins).filter((b) => b !== missing));
    expect(used.size).toBeGreaterThan(900);
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) expect(bins[i]).toBe(missing);
      else {
        const b = rng.int(999);
        expect(bins[i] <= b).toBe(values[i] <= thresholdOf(m, 0, b));
      }
    }
  });

  it("keeps uint8 bins (and the old mapper) when no feature needs more than 255 bins", () => {
    const values = Float64Array.from({ length: 3000 }, (_, i) => i % 40);
    const t = matrixTable({ data: values, rows: values.length, cols: 1 });
    const m = fitBinMapper(t, 1000, new Random(1));
    expect(m.missing).toBeUndefined();
    expect(binRows(m, t)).toBeInstanceOf(Uint8Array);
  });
});

describe("wide bins: the uint16 kernel", () => {
  for (const [n, p, missing] of [
    [1000, 5, 300],
    [1500, 3, 1024],
  ]) {
    it(`builds the same histograms as the plain loop (${n} rows × ${p} features, ${missing + 1} bins)`, () => {
      const space = randomSpace(n, p, false, n, missing, missing);
      const stride = rowStride(p);
      const size = stride * histStrideOf(missing);
      for (const [start, end] of [
        [0, n],
        [n >> 2, n >> 1],
      ]) {
        const js = new Float64Array(size).fill(7);
        const wasm = new Float64Array(size).fill(-3);
        buildHistogram(space.bins, stride, space.gh, space.rows, start, end, js, histStrideOf(missing));
        space.buildInto(start, end, wasm);
        expect(wasm).toEqual(js);
        // Every row landed in one bin of each feature: the hessians add up.
        let h = 0;
        for (let b = 0; b <= missing; b++) h += js[2 * b + 1];
        let want = 0;
        for (let k = start; k < end; k++) want += space.gh[2 * space.rows[k] + 1];
        expect(h).toBeCloseTo(want, 6);
      }
    });
  }

  for (const columns of [false, true]) {
    it(`partitions stably by a bin above 255 (${columns ? "column" : "row"}-major bins)`, () => {
      const n = 3000;
      const missing = 700;
      const space = randomSpace(n, 3, columns, 5, missing, missing);
      const stride = rowStride(3);
      const sides = new Uint8Array(missing + 1);
      for (let b = 0; b <= 400; b++) sides[b] = 1;
      sides[missing] = 1;
      const before = Array.from(space.rows.subarray(100, 2900));
      const left = before.filter((i) => sides[space.bins[i * stride + 2]] === 1);
      const right = before.filter((i) => sides[space.bins[i * stride + 2]] === 0);
      const nLeft = space.partition(100, 2900, 2, sides);
      expect(nLeft).toBe(left.length);
      expect(Array.from(space.rows.subarray(100, 2900))).toEqual([...left, ...right]);
    });
  }
});

describe("wide bins: a tree", () => {
  it("grows the same on the plain loops as with the kernel (build and partition)", () => {
    const n = 3000;
    const p = 3;
    const missing = 600;
    const stride = rowStride(p);
    const grow = (withKernel: boolean) => {
      const space = randomSpace(n, p, false, 8, missing, missing);
      // Hessians are positive, as a loss gives them.
      for (let i = 1; i < 2 * n; i += 2) space.gh[i] = Math.abs(space.gh[i]);
      const forest = new ForestBuilder(1, false, true);
      const binCounts = new Int32Array(p).fill(missing);
      growTree(
        {
          bins: space.bins,
          stride,
          columns: null,
          gh: space.gh,
          rows: space.rows,
          nRows: n,
          binCounts,
          categories: new Int32Array(p),
          features: Int32Array.of(0, 1, 2),
          missing,
          ...(withKernel && {
            build: (_: Int32Array, from: number, to: number, h: Float64Array) => space.buildInto(from, to, h),
            partition: (from: number, to: number, f: number, sides: Uint8Array) =>
              space.partition(from, to, f, sides),
          }),
        },
        { ...TREE, policy: "depthwise", maxDepth: 5, maxLeaves: 1000, minSplitGain: 0, colsampleByNode: 1 },
        forest,
        new HistogramPool(stride, histStrideOf(missing)),
        new Int32Array(n),
        new Random(1),
      );
      return forest.finish();
    };
    const plain = grow(false);
    expect(plain.nTrees).toBe(1);
    expect(Math.max(...plain.bin)).toBeGreaterThan(255);
    expect(grow(true)).toEqual(plain);
  });
});

describe("wide bins: models", () => {
  const frame = smoothFrame(3000, 1);
  const spec = (hyperparameters: Record<string, unknown>) => ({
    modelType: "xgboost",
    task: "regression" as const,
    target: "y",
    features: ["x1", "x2"],
    hyperparameters: { nEstimators: 30, ...hyperparameters },
  });

  it("trains with maxBin 1000 on uint16 bins, splits above bin 255, and round-trips a signed artifact", () => {
    const r = trainModel(frame, spec({ maxBin: 1000 }));
    const fitted = r.model.fitted as HistFitted;
    expect(fitted.forest.bin).toBeInstanceOf(Uint16Array);
    expect(Math.max(...fitted.forest.bin)).toBeGreaterThan(255);
    expect(r.metrics.r2).toBeGreaterThan(0.9);
    const meta: ModelMetadata = {
      modelId: "m",
      name: "m",
      modelType: "xgboost",
      taskType: "regression",
      target: "y",
      features: ["x1", "x2"],
      trainedAt: new Date(0).toISOString(),
      metrics: r.metrics,
      trainedOn: "local",
    };
    const { model } = deserializeModel(serializeModel(r.model, meta, KEY), KEY);
    const loaded = model.fitted as HistFitted;
    expect(loaded.forest.bin).toEqual(fitted.forest.bin);
    expect(loaded.mapper.missing).toBe(fitted.mapper.missing);
    expect(predictFrame(model, frame).predictions).toEqual(predictFrame(r.model, frame).predictions);
  });

  it("classifies 3 classes with a categorical feature and early stopping as well as on uint8 bins", () => {
    const rng = new Random(9);
    const n = 4000;
    const x = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? Number.NaN : rng.normal()));
    const codes = Int32Array.from({ length: n }, () => rng.int(5));
    const cls = Int32Array.from(x, (v, i) =>
      Number.isNaN(v) ? 2 : (v + (codes[i] === 3 ? 1 : 0) > 0.3 ? 1 : 0) + (rng.next() < 0.05 ? 1 : 0),
    );
    const f: Frame = {
      nRows: n,
      columns: [
        { name: "x", type: "numeric", values: x },
        { name: "g", type: "categorical", codes, levels: ["a", "b", "c", "d", "e"] },
        { name: "class", type: "categorical", codes: cls, levels: ["lo", "hi", "top"] },
      ],
    };
    const trainWith = (maxBin: number) =>
      trainModel(f, {
        modelType: "lightgbm",
        task: "classification",
        target: "class",
        features: ["x", "g"],
        hyperparameters: { maxBin, nEstimators: 200, earlyStoppingRounds: 5 },
      });
    const narrow = trainWith(255);
    const wide = trainWith(1000);
    const fitted = wide.model.fitted as HistFitted;
    expect(fitted.forest.bin).toBeInstanceOf(Uint16Array);
    expect(fitted.forest.catBits.length).toBeGreaterThan(0);
    expect(wide.learningCurve?.bestIteration).toBeDefined();
    expect(wide.metrics.accuracy).toBeGreaterThan(0.85);
    expect(Math.abs((wide.metrics.accuracy as number) - (narrow.metrics.accuracy as number))).toBeLessThan(
      0.02,
    );
  });

  it("grows bit-identical uint16 models on 1, 2 and 3 threads", () => {
    const rng = new Random(4);
    const n = 6000;
    const X = { data: Float64Array.from({ length: 3 * n }, () => rng.normal()), rows: n, cols: 3 };
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * X.data[3 * i]) + 0.3 * rng.normal());
    const fitWith = (threads: number) => {
      const est = new HistGradientBoostingRegressor({
        ...toHistParams(
          "xgboost",
          validateHyperparameters("xgboost", { nEstimators: 8, maxBin: 1024, subsample: 1, threads }),
        ),
        parallelMinRows: 0,
      });
      est.fit(X, y, { rng: new Random(1) });
      return { forest: (est.getFitted() as HistFitted).forest, predictions: est.predict(X) };
    };
    const one = fitWith(1);
    expect(one.forest.bin).toBeInstanceOf(Uint16Array);
    for (const threads of [2, 3]) {
      const other = fitWith(threads);
      expect(other.forest).toEqual(one.forest);
      expect(other.predictions).toEqual(one.predictions);
    }
  });

  it("rejects maxBin outside [2, MAX_WIDE_BINS] with the allowed range in the message", () => {
    expect(validateHyperparameters("xgboost", { maxBin: MAX_WIDE_BINS }).maxBin).toBe(MAX_WIDE_BINS);
    for (const id of ["xgboost", "lightgbm"])
      expect(() => validateHyperparameters(id, { maxBin: MAX_WIDE_BINS + 1 })).toThrow(/\[2, 1024\]/);
    expect(() => validateHyperparameters("hist_gradient_boosting", { maxBins: 1 })).toThrow(/maxBins/);
  });
});

describe("wide bins: models saved before them", () => {
  it("load with uint8 bins and predict exactly as when they were saved", () => {
    const dir = fixturePath("models/xgboost-uint8");
    const files = Object.fromEntries(
      readdirSync(`${dir}/files`).map((name) => [name, new Uint8Array(readFileSync(`${dir}/files/${name}`))]),
    );
    const { model } = deserializeModel(files, "uint8-fixture-key-0123456789abcdef");
    const fitted = model.fitted as HistFitted;
    expect(fitted.forest.bin).toBeInstanceOf(Uint8Array);
    expect(missingBin(fitted.mapper)).toBe(255);
    const saved = JSON.parse(readFileSync(`${dir}/predictions.json`, "utf8")) as {
      x1: Array<number | null>;
      x2: number[];
      predictions: number[];
    };
    const probe: Frame = {
      nRows: saved.x2.length,
      columns: [
        { name: "x1", type: "numeric", values: Float64Array.from(saved.x1, (v) => v ?? Number.NaN) },
        { name: "x2", type: "numeric", values: Float64Array.from(saved.x2) },
      ],
    };
    expect(predictFrame(model, probe).predictions).toEqual(saved.predictions);
  });
});
