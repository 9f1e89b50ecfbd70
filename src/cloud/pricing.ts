/**
 * Prices and time estimates for offers. Live prices come from the providers where they publish them (RunPod
 * `gpuTypes`, EC2 spot price history); the static tables below are the fallback and are shown with their date,
 * because prices drift month to month (runpod-api.md §3: an H100 moved 3.29 → 3.99 within 2026).
 */

/** The day the static tables below were compiled. Shown next to every price that comes from them. */
export const STATIC_PRICES_DATE = "2026-11-28";

export interface Ec2InstanceType {
  vcpus: number;
  memoryGb: number;
  /** On-demand Linux $/h in us-east-1 (aws.amazon.com/ec2/pricing/on-demand, as of STATIC_PRICES_DATE). */
  onDemandHourly: number;
  /** GPU model, for GPU instances. */
  gpu?: string;
}

/** The instance types we offer: general purpose and compute optimised CPUs, and one GPU type for MLPs. */
export const EC2_INSTANCE_TYPES: Readonly<Record<string, Ec2InstanceType>> = {
  "c5.large": { vcpus: 2, memoryGb: 4, onDemandHourly: 0.085 },
  "m5.large": { vcpus: 2, memoryGb: 8, onDemandHourly: 0.096 },
  "r5.large": { vcpus: 2, memoryGb: 16, onDemandHourly: 0.126 },
  "c5.xlarge": { vcpus: 4, memoryGb: 8, onDemandHourly: 0.17 },
  "m5.xlarge": { vcpus: 4, memoryGb: 16, onDemandHourly: 0.192 },
  "r5.xlarge": { vcpus: 4, memoryGb: 32, onDemandHourly: 0.252 },
  "r5.2xlarge": { vcpus: 8, memoryGb: 64, onDemandHourly: 0.504 },
  "g4dn.xlarge": { vcpus: 4, memoryGb: 16, onDemandHourly: 0.526, gpu: "NVIDIA T4" },
};

/** EC2 bills Linux instances per second with a 60-second minimum. */
export const EC2_MIN_BILLED_SECONDS = 60;

export interface RunPodGpuPrice {
  displayName: string;
  memoryGb: number;
  /** $/GPU/h on-demand; undefined when no source was found for that cloud. */
  community?: number;
  secure?: number;
}

/**
 * Fallback pod prices ($/GPU/h, on-demand), from the table in runpod-api.md §3 (sources dated 2026-02…11).
 * The A5000 price is an inference there; live `gpuTypes` prices replace all of these when reachable.
 */
export const RUNPOD_GPU_PRICES: Readonly<Record<string, RunPodGpuPrice>> = {
  "NVIDIA GeForce RTX 3090": { displayName: "RTX 3090", memoryGb: 24, community: 0.22 },
  "NVIDIA RTX A4000": { displayName: "RTX A4000", memoryGb: 16, secure: 0.35 },
  "NVIDIA RTX A5000": { displayName: "RTX A5000", memoryGb: 24, community: 0.27, secure: 0.27 },
  "NVIDIA GeForce RTX 4090": { displayName: "RTX 4090", memoryGb: 24, community: 0.34, secure: 0.44 },
  "NVIDIA L4": { displayName: "L4", memoryGb: 24, community: 0.44, secure: 0.49 },
  "NVIDIA A40": { displayName: "A40", memoryGb: 48, secure: 0.44 },
};

/** RunPod bills pods per second; estimate per minute to allow for the per-minute billing of older docs. */
export const RUNPOD_MIN_BILLED_SECONDS = 60;

/** AWS Lambda x86 compute price, $ per GB-second, and the request price (aws.amazon.com/lambda/pricing). */
export const LAMBDA_GB_SECOND_PRICE = 0.0000166667;
export const LAMBDA_REQUEST_PRICE = 0.2 / 1_000_000;

/** RunPod Serverless flex price of the smallest (16 GB) pool, $ per second (runpod-api.md §3). */
export const RUNPOD_SERVERLESS_SECOND_PRICE = 0.00016;

/** Time from "launch" until the worker runs: boot or pull, measured as typical, not promised. */
export const PROVISIONING_SECONDS = { local: 0, ec2: 150, runpod: 180 } as const;

/** Only these model types may be sent to a GPU machine (src/ml/gpu trains them); everything else is CPU-only. */
export const GPU_CAPABLE_MODELS: ReadonlySet<string> = new Set([
  "mlp",
  "hist_gradient_boosting",
  "xgboost",
  "lightgbm",
  "catboost",
]);

/**
 * Cells (rows × columns) from which boosting is offered a GPU: below it the fit is seconds on a CPU and a
 * GPU machine's start-up dominates. Provisional, like src/ml/gpu/train.ts's AUTO_GPU_MIN_CELLS: not measured
 * on a GPU yet (`npm run bench:gpu`).
 */
export const GPU_BOOSTING_MIN_CELLS = 2_000_000;

/** Whether a job may go to a GPU machine; without a shape, whether the model type can at all. */
export function mayUseGpu(modelType: string, shape?: { nRows: number; nColumns: number }): boolean {
  if (!GPU_CAPABLE_MODELS.has(modelType)) return false;
  if (modelType === "mlp" || !shape) return true;
  return shape.nRows * shape.nColumns >= GPU_BOOSTING_MIN_CELLS;
}

/** The throughput model of our engine (measured by bench/cloud/throughput.ts) gives training times. */
export { estimateTrainingSeconds } from "./throughput.js";

/**
 * Memory the worker needs, in GB: the table as float64 several times over (raw, preprocessed, split, model
 * work arrays) plus the runtime's own baseline.
 */
export function estimateMemoryGb(nRows: number, nColumns: number): number {
  const copies = 8;
  const baselineGb = 0.5;
  return baselineGb + (Math.max(1, nRows) * Math.max(1, nColumns) * 8 * copies) / 1024 ** 3;
}

/** Dollars for `seconds` at `hourlyRate`, with the provider's minimum billed time. */
export function costOf(hourlyRate: number, seconds: number, minBilledSeconds = 0): number {
  return (hourlyRate * Math.max(minBilledSeconds, Math.max(0, seconds))) / 3600;
}

/** Minutes, rounded up to the second, never 0 (an offer that says "0 min" reads as broken). */
export function roundMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds)) / 60;
}

/** Dollars rounded to a tenth of a cent for display; never rounds a real cost down to 0. */
export function roundDollars(dollars: number): number {
  if (dollars <= 0) return 0;
  return Math.max(0.001, Math.round(dollars * 1000) / 1000);
}

/** Seconds of prediction per million input cells (load, predict, write the CSV), all model types. */
export const PREDICT_SECONDS_PER_MILLION_CELLS = 2;
/** Typical cold start before the first line of our handler runs. */
export const COLD_START_SECONDS = { lambda: 3, runpodServerless: 15 } as const;

/** Seconds a prediction of this size takes on a warm worker. */
export function estimatePredictSeconds(nRows: number, nColumns: number): number {
  return 1 + (PREDICT_SECONDS_PER_MILLION_CELLS * Math.max(1, nRows) * Math.max(1, nColumns)) / 1e6;
}
