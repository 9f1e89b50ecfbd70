import { describe, expect, it } from "vitest";
import { isCpuDriver } from "../../../src/ml/gpu/device.js";
import { trainOnDevice } from "../../../src/ml/gpu/train.js";
import type { TrainSpec } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";
import { useGpu } from "./helpers.js";

const gpu = useGpu();

const mlp: TrainSpec = {
  modelType: "mlp",
  task: "classification",
  target: "species",
  features: [],
  hyperparameters: { maxIter: 5 },
};

describe("device choice (SwiftShader is the only adapter here)", { timeout: 120_000 }, () => {
  it('"gpu" trains the MLP on the adapter and names it', async () => {
    const { compute, result } = await trainOnDevice(await loadFixture("iris"), mlp, "gpu");
    expect(compute.device).toBe("gpu");
    expect(compute.label).toMatch(/SwiftShader.*\(WebGPU\/Vulkan\)/);
    expect(compute.adapter?.backend).toBe("Vulkan");
    expect(result.model.modelType).toBe("mlp");
  });

  it('"gpu" for a CPU-only model trains on the CPU and says why', async () => {
    const spec = { ...mlp, modelType: "random_forest", hyperparameters: { nEstimators: 5 } };
    const { compute } = await trainOnDevice(await loadFixture("iris"), spec, "gpu");
    expect(compute).toEqual({ device: "cpu", label: "CPU", fallback: "this model type trains on the CPU" });
  });

  it('"auto" keeps small data on the CPU without a note; software drivers are recognised', async () => {
    const small = await trainOnDevice(await loadFixture("iris"), mlp, "auto");
    expect(small.compute).toEqual({ device: "cpu", label: "CPU" });
    // Large data on auto would still skip a software driver: SwiftShader is one.
    expect(isCpuDriver(gpu().adapter)).toBe(true);
  });

  it('"cpu" never touches the GPU', async () => {
    const { compute } = await trainOnDevice(await loadFixture("iris"), mlp, "cpu");
    expect(compute).toEqual({ device: "cpu", label: "CPU" });
  });
});
