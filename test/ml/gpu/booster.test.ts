import { describe, expect, it } from "vitest";
import { isTable } from "../../../src/ml/design.js";
import { trainBoosterGpu } from "../../../src/ml/gpu/booster-train.js";
import { fitOnGpu, gpuCanFit } from "../../../src/ml/gpu/fit.js";
import { predictRawGpu } from "../../../src/ml/gpu/traverse.js";
import { trainModel, trainModelWith, validateHyperparameters } from "../../../src/ml/index.js";
import type { BoosterFitted } from "../../../src/ml/models/hist/booster.js";
import { type ColumnTable, matrixTable } from "../../../src/ml/models/hist/columns.js";
import { squaredError } from "../../../src/ml/models/hist/losses.js";
import { HistGradientBoostingRegressor, predictRaw } from "../../../src/ml/models/hist-gradient-boosting.js";
import { Random } from "../../../src/ml/random.js";
import { toHistParams } from "../../../src/ml/registry-boosting.js";
import type { TrainSpec } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";
import { useGpu } from "./helpers.js";

const gpu = useGpu();

/**
 * Tolerance against the CPU engine on the same split: the GPU grows level by level in float32 and samples
 * rows with its own draws, so trees differ in detail; held-out scores stay within 0.03 accuracy / 0.05 R².
 */
const ACCURACY_TOLERANCE = 0.03;
const R2_TOLERANCE = 0.05;

async function both(name: "breast_cancer" | "diabetes", spec: TrainSpec) {
  const frame = await loadFixture(name);
  const cpu = trainModel(frame, spec);
  let table: ColumnTable | null = null;
  const onGpu = await trainModelWith(frame, spec, async (est, X, y, ctx) => {
    expect(gpuCanFit(est, X)).toBe(true);
    if (isTable(X)) table = X;
    await fitOnGpu(gpu(), est, X, y, ctx);
  });
  return { cpu, onGpu, table: table as ColumnTable | null };
}

describe("Histogram boosting trained on the GPU (SwiftShader)", { timeout: 240_000 }, () => {
  it("breast_cancer (xgboost settings): accuracy within 0.03 of the CPU engine", async () => {
    const spec: TrainSpec = {
      modelType: "xgboost",
      task: "classification",
      target: "diagnosis",
      features: [],
      hyperparameters: { nEstimators: 30 },
    };
    const { cpu, onGpu, table } = await both("breast_cancer", spec);
    expect(onGpu.metrics.accuracy).toBeGreaterThan(0.9);
    expect(
      Math.abs((onGpu.metrics.accuracy as number) - (cpu.metrics.accuracy as number)),
    ).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
    // The artifact scores the same on the CPU path as the GPU traversal kernel computes it.
    const fitted = onGpu.model.fitted as BoosterFitted;
    expect(fitted.forest.nTrees).toBeGreaterThan(1);
    const t = table as unknown as ColumnTable;
    const onCpu = predictRaw(fitted, t);
    const onDevice = await predictRawGpu(gpu(), fitted, t);
    for (let i = 0; i < t.nRows; i++)
      expect(Math.abs(onDevice[i] - onCpu[i])).toBeLessThan(1e-4 * (1 + Math.abs(onCpu[i])));
  });

  it("diabetes regression (hist_gradient_boosting, leaf budget): R² within 0.05 of the CPU engine", async () => {
    const spec: TrainSpec = {
      modelType: "hist_gradient_boosting",
      task: "regression",
      target: "progression",
      features: [],
      hyperparameters: { maxIter: 40 },
    };
    const { cpu, onGpu } = await both("diabetes", spec);
    expect(Math.abs((onGpu.metrics.r2 as number) - (cpu.metrics.r2 as number))).toBeLessThanOrEqual(
      R2_TOLERANCE,
    );
  });

  it("leaves more than 255 bins to the CPU engine, and refuses them by name when asked directly", async () => {
    const params = toHistParams("xgboost", validateHyperparameters("xgboost", { maxBin: 1000 }));
    const rng = new Random(3);
    const X = { data: Float64Array.from({ length: 2000 }, () => rng.normal()), rows: 1000, cols: 2 };
    const table = matrixTable(X);
    expect(gpuCanFit(new HistGradientBoostingRegressor(params), table)).toBe(false);
    const y = Float64Array.from({ length: 1000 }, (_, i) => X.data[2 * i]);
    await expect(
      trainBoosterGpu(gpu(), table, y, squaredError(), params, { rng: new Random(1) }, false),
    ).rejects.toThrow(/maxBin 1000/);
  });
});
