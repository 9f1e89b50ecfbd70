/**
 * The job ids that may still own compute: those of workflows launching, running or terminating a job. The
 * reconciler terminates cloud compute that belongs to no such job.
 */
import type { StateManager } from "../state/state-manager.js";

/**
 * States in which a job runs and may own compute: the reconciler spares their jobs, /admin lists them, and a new
 * workflow must wait for them to end or be cancelled.
 */
export const JOB_STATES: ReadonlySet<string> = new Set([
  "LAUNCHING_TRAINING",
  "MONITORING_TRAINING",
  "TERMINATING",
  "RUNNING_PREDICTION",
]);

export async function activeJobIds(manager: StateManager): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const key of await manager.store.listActive()) {
    const record = await manager.store.read(key);
    if (!record || !JOB_STATES.has(record.state)) continue;
    const loaded = await manager.inspect(key).catch(() => undefined);
    const context = loaded?.snapshot.context as { job?: { jobId?: string }; jobId?: string } | undefined;
    const jobId = context?.job?.jobId ?? context?.jobId;
    if (jobId) ids.add(jobId);
  }
  return ids;
}
