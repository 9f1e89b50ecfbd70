import { describe, expect, it } from "vitest";
import { fitOnGpu, gpuCanFit } from "../../../src/ml/gpu/fit.js";
import { forwardMlpGpu } from "../../../src/ml/gpu/mlp-train.js";
import { trainModel, trainModelWith } from "../../../src/ml/index.js";
import { Network } from "../../../src/ml/models/mlp/network.js";
import type { MlpFitted } from "../../../src/ml/models/mlp.js";
import type { TrainSpec } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";
import { useGpu } from "./helpers.js";

const gpu = useGpu();

/**
 * Tolerance against the CPU engine on the same split: float32 arithmetic and a different summation order
 * move the weights, so scores are compared within 0.03 (accuracy) and 0.05 (R²), not bit for bit.
 */
const ACCURACY_TOLERANCE = 0.03;
const R2_TOLERANCE = 0.05;

async function both(name: "breast_cancer" | "diabetes" | "wine", spec: TrainSpec) {
  const frame = await loadFixture(name);
  const cpu = trainModel(frame, spec);
  const onGpu = await trainModelWith(frame, spec, async (est, X, y, ctx) => {
    expect(gpuCanFit(est, X)).toBe(true);
    await fitOnGpu(gpu(), est, X, y, ctx);
  });
  return { cpu, onGpu };
}

// SwiftShader runs each dispatch on the CPU: a few hundred epochs of dispatches take minutes on a busy machine.
describe("MLP trained on the GPU (SwiftShader)", { timeout: 240_000 }, () => {
  it("breast_cancer: accuracy within 0.03 of the CPU engine, early stopping on", async () => {
    const spec: TrainSpec = {
      modelType: "mlp",
      task: "classification",
      target: "diagnosis",
      features: [],
      hyperparameters: { maxIter: 20 },
    };
    const { cpu, onGpu } = await both("breast_cancer", spec);
    expect(onGpu.metrics.accuracy).toBeGreaterThan(0.9);
    expect(
      Math.abs((onGpu.metrics.accuracy as number) - (cpu.metrics.accuracy as number)),
    ).toBeLessThanOrEqual(ACCURACY_TOLERANCE);
  });

  it("wine (3 classes, softmax): accuracy within 0.03 of the CPU engine", async () => {
    const spec: TrainSpec = {
      modelType: "mlp",
      task: "classification",
      target: "cultivar",
      features: [],
      hyperparameters: { maxIter: 20 },
    };
    const { cpu, onGpu } = await both("wine", spec);
    expect(
      Math.abs((onGpu.metrics.accuracy as number) - (cpu.metrics.accuracy as number)),
    ).toBeLessThanOrEqual(ACCURACY_TOLERANCE + 1 / 36);
  });

  it("diabetes regression: R² within 0.05 of the CPU engine; GPU and CPU forward passes agree", async () => {
    const spec: TrainSpec = {
      modelType: "mlp",
      task: "regression",
      target: "progression",
      features: [],
      hyperparameters: { maxIter: 20 },
    };
    const { cpu, onGpu } = await both("diabetes", spec);
    expect(Math.abs((onGpu.metrics.r2 as number) - (cpu.metrics.r2 as number))).toBeLessThanOrEqual(
      R2_TOLERANCE,
    );
    // The artifact predicts on the CPU path as the GPU computes it, within float32 tolerance.
    const fitted = onGpu.model.fitted as MlpFitted;
    const rows = 50;
    const X = {
      data: Float64Array.from({ length: rows * fitted.weights.sizes[0] }, (_, i) => Math.sin(i)),
      rows,
      cols: fitted.weights.sizes[0],
    };
    const onCpu = Network.from(fitted.weights).forward(X);
    const onDevice = await forwardMlpGpu(gpu(), fitted.weights, X);
    for (let i = 0; i < rows; i++)
      expect(Math.abs(onDevice[i] - onCpu[i])).toBeLessThan(1e-4 * (1 + Math.abs(onCpu[i])));
  });
});
