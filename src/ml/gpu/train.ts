/**
 * Where a fit runs: `device` "cpu" always uses the CPU engine; "gpu" uses the WebGPU backend when an adapter
 * exists and the model has a GPU fit, and says why not otherwise; "auto" does the same only for data large
 * enough to gain. The result is the same model document whichever device fitted it.
 */
import { fitOn } from "../design.js";
import { getModelSpec } from "../registry.js";
import { trainModel, trainModelWith } from "../train.js";
import type { Frame, TrainProgress, TrainResult, TrainSpec } from "../types.js";
import { type AdapterInfo, adapterLabel, gpuContext, gpuUnavailableReason, isCpuDriver } from "./device.js";
import { fitOnGpu, GPU_MODEL_TYPES, gpuCanFit } from "./fit.js";

export type Device = "auto" | "cpu" | "gpu";

/**
 * Cells (rows × columns) from which `auto` sends a fit to the GPU. Not measured yet (no GPU was available
 * where this was written): a provisional bound below which a GPU's launch and transfer costs surely dominate.
 * `npm run bench:gpu` on a real GPU is how to set it.
 */
export const AUTO_GPU_MIN_CELLS = 2_000_000;

/** What trained the model: the adapter, or the CPU and why. */
export interface ComputeUsed {
  device: "cpu" | "gpu";
  adapter?: AdapterInfo;
  /** "NVIDIA … (WebGPU/Vulkan)" or "CPU". */
  label: string;
  /** Why a GPU was asked for (or allowed) and not used. */
  fallback?: string;
}

export async function trainOnDevice(
  frame: Frame,
  spec: TrainSpec,
  device: Device,
  onProgress?: (p: TrainProgress) => void,
): Promise<{ result: TrainResult; compute: ComputeUsed }> {
  const cpu = (fallback?: string) => ({
    result: trainModel(frame, spec, onProgress),
    compute: { device: "cpu" as const, label: "CPU", ...(fallback ? { fallback } : {}) },
  });
  if (device === "cpu") return cpu();
  if (!GPU_MODEL_TYPES.has(getModelSpec(spec.modelType).id)) {
    return cpu(device === "gpu" ? "this model type trains on the CPU" : undefined);
  }
  if (device === "auto" && frame.nRows * frame.columns.length < AUTO_GPU_MIN_CELLS) return cpu();
  const gpu = await gpuContext();
  // Auto mode says nothing when it stays on the CPU, and never picks a software driver (SwiftShader runs on
  // the CPU, slower than the CPU engine); an explicit "gpu" uses whatever adapter there is.
  if (!gpu) return cpu(device === "gpu" ? (gpuUnavailableReason() ?? "no GPU adapter found") : undefined);
  if (device === "auto" && isCpuDriver(gpu.adapter)) return cpu();
  let fallback: string | undefined;
  let gpuCanFitAny = true;
  const result = await trainModelWith(
    frame,
    spec,
    async (est, X, y, ctx) => {
      if (gpuCanFit(est, X)) return fitOnGpu(gpu, est, X, y, ctx);
      gpuCanFitAny = false;
      if (device === "gpu")
        fallback = "the GPU backend fits numeric features with one output; this fit ran on the CPU";
      fitOn(est, X, y, ctx);
    },
    onProgress,
  );
  const compute: ComputeUsed = !gpuCanFitAny
    ? { device: "cpu", label: "CPU", ...(fallback ? { fallback } : {}) }
    : { device: "gpu", adapter: gpu.adapter, label: adapterLabel(gpu.adapter) };
  return { result, compute };
}
