/**
 * The GPU side of fitting: which estimators the WebGPU backend trains, and the fit itself. A GPU fit leaves
 * the estimator in exactly the state a CPU fit would (the same fitted shape, loaded with `load`), so the
 * model document, the artifact and every prediction path are unchanged.
 */
import type { Design } from "../design.js";
import { isTable } from "../design.js";
import type { FitContext } from "../models/base.js";
import type { AnyEstimator } from "../models/factory.js";
import { MLPClassifier, MLPRegressor, type MlpFitted } from "../models/mlp.js";
import type { GpuContext } from "./device.js";
import { trainMlpGpu } from "./mlp-train.js";

/** Model ids the GPU backend trains (the others always train on the CPU). */
export const GPU_MODEL_TYPES: ReadonlySet<string> = new Set(["mlp"]);

export function gpuCanFit(est: AnyEstimator, design: Design): boolean {
  return !isTable(design) && (est instanceof MLPRegressor || est instanceof MLPClassifier);
}

/** Fits `est` on the GPU; the caller checked gpuCanFit. */
export async function fitOnGpu(
  gpu: GpuContext,
  est: AnyEstimator,
  design: Design,
  y: Float64Array,
  ctx: FitContext,
): Promise<void> {
  if (isTable(design)) throw new TypeError("The GPU backend reads design matrices here.");
  if (est instanceof MLPRegressor) {
    let mean = 0;
    for (const v of y) mean += v;
    mean /= y.length;
    let ss = 0;
    for (const v of y) ss += (v - mean) ** 2;
    const scale = Math.sqrt(ss / y.length) || 1;
    const z = Float64Array.from(y, (v) => (v - mean) / scale);
    const { weights, epochs } = await trainMlpGpu(gpu, design, z, 1, "identity", est.params, ctx);
    est.load({ weights, yMean: mean, yScale: scale, epochs } satisfies MlpFitted);
    return;
  }
  if (est instanceof MLPClassifier) {
    const k = est.nClasses;
    const width = k === 2 ? 1 : k;
    const targets = new Float64Array(y.length * width);
    for (let i = 0; i < y.length; i++) {
      if (k === 2) targets[i] = y[i];
      else targets[i * k + y[i]] = 1;
    }
    const output = k === 2 ? "logistic" : "softmax";
    const { weights, epochs } = await trainMlpGpu(gpu, design, targets, width, output, est.params, ctx);
    est.load({ weights, yMean: 0, yScale: 1, epochs } satisfies MlpFitted);
    return;
  }
  throw new TypeError(`${est.constructor.name} has no GPU fit.`);
}
