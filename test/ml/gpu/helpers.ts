/** The shared SwiftShader device for the GPU tests (vitest.config.ts points VK_ICD_FILENAMES at it). */
import { afterAll, beforeAll } from "vitest";
import { type GpuContext, gpuContext, releaseGpu } from "../../../src/ml/gpu/device.js";

/** Opens the device before the file's tests and destroys it after (Dawn would keep the process alive). */
export function useGpu(): () => GpuContext {
  let gpu: GpuContext | null = null;
  beforeAll(async () => {
    gpu = await gpuContext();
    if (!gpu) throw new Error("No WebGPU adapter: is VK_ICD_FILENAMES set to SwiftShader's ICD?");
  });
  afterAll(releaseGpu);
  return () => gpu as GpuContext;
}
