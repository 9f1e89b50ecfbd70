/** The seed's get_pod_metrics, read from a pod's runtime (runpod-api.md §2: gpus, container). */
import { RUNPOD_GPU_PRICES } from "../pricing.js";
import type { ComputeMetrics } from "../provider-interface.js";
import type { Pod } from "./pod-requests.js";

export interface PodMetrics {
  /** Percent, averaged over the pod's GPUs. */
  gpuUtilization: number;
  /** GB of VRAM in use, over all GPUs. */
  vramUsed: number;
  vramTotal: number;
  cpuUtilization: number;
  memoryUtilization: number;
  uptimeSeconds: number;
}

export function podMetrics(pod: Pod): PodMetrics {
  const gpus = pod.runtime?.gpus ?? [];
  const average = (values: number[]) =>
    values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  const perGpuGb = RUNPOD_GPU_PRICES[gpuIdOf(pod)]?.memoryGb ?? 0;
  const count = Math.max(1, gpus.length);
  return {
    gpuUtilization: average(gpus.map((g) => g.gpuUtilPercent ?? 0)),
    vramUsed: (average(gpus.map((g) => g.memoryUtilPercent ?? 0)) / 100) * perGpuGb * count,
    vramTotal: perGpuGb * count,
    cpuUtilization: pod.runtime?.container?.cpuPercent ?? 0,
    memoryUtilization: pod.runtime?.container?.memoryPercent ?? 0,
    uptimeSeconds: pod.runtime?.uptimeInSeconds ?? 0,
  };
}

function gpuIdOf(pod: Pod): string {
  const display = pod.machine?.gpuDisplayName;
  return Object.entries(RUNPOD_GPU_PRICES).find(([, p]) => p.displayName === display)?.[0] ?? "";
}

/** What the progress message shows of a pod: GPU use and memory, CPU use. */
export function computeMetricsOf(m: PodMetrics): ComputeMetrics {
  return {
    gpuUtilization: Math.round(m.gpuUtilization),
    vramUsedGb: Math.round(m.vramUsed * 10) / 10,
    vramTotalGb: m.vramTotal,
    cpuUtilization: Math.round(m.cpuUtilization),
  };
}
