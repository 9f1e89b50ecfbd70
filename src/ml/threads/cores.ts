/**
 * How many threads a fit uses when its `threads` option is left at 0 ("auto"): the cores this job was given.
 * SMA_FIT_THREADS says it where the process knows better (a local worker sharing the machine with other
 * jobs); otherwise every core the process may run on (a cloud instance's vCPUs, a container's CPU set).
 */
import { availableParallelism } from "node:os";

/** Largest thread count a fit starts. */
export const MAX_THREADS = 64;

export function jobCores(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number.parseInt(env.SMA_FIT_THREADS ?? "", 10);
  const cores = Number.isFinite(given) && given > 0 ? given : availableParallelism();
  return Math.max(1, Math.min(MAX_THREADS, cores));
}

/** The thread count for a fit: `threads` when set (≥ 1), else the job's cores. */
export function resolveThreads(threads: number | undefined): number {
  return threads !== undefined && threads >= 1 ? Math.min(MAX_THREADS, Math.floor(threads)) : jobCores();
}
