/**
 * Layer 5 of "nothing is left billing" (DESIGN.md): a pod counts as started only once its runtime appears
 * (runpod-api.md §2; RUNNING is the *desired* status, true during a long image pull and forever in a crash
 * loop). Past the readiness timeout the pod is terminated, its cost kept on the job, and
 * PodCreationTimeoutError 3001 thrown, so the flow tries the next offer.
 */
import type { Logger } from "pino";
import { CloudTrainingError, PodCreationTimeoutError } from "../../errors.js";
import { costSoFar } from "../budget.js";
import type { ComputeRecord, JobChannel } from "../job-channel.js";
import type { RunPodPodApi } from "./pod-api.js";
import { isPodGone, isPodReady, type Pod } from "./pod-requests.js";

export interface ReadinessDeps {
  api: RunPodPodApi;
  channel: JobChannel;
  logger: Logger;
  now: () => Date;
  timeoutSeconds: number;
  pollMs: number;
}

/** Resolves once the pod runs, or the worker already reports (a fast job can finish before we look). */
export async function waitForPod(
  d: ReadinessDeps,
  jobId: string,
  first: Pod,
  record: ComputeRecord,
  signal?: AbortSignal,
): Promise<void> {
  const since = Date.parse(record.segments.at(-1)?.startedAt ?? record.launchedAt);
  const until = since + d.timeoutSeconds * 1000;
  let pod: Pod | null = first;
  for (;;) {
    if (pod && isPodReady(pod)) return;
    const snapshot = await d.channel.snapshot(jobId);
    if (snapshot.progress || snapshot.result) return;
    if (isPodGone(pod)) throw new CloudTrainingError("The pod disappeared before it started.", { jobId });
    if (d.now().getTime() >= until) throw await readinessTimeout(d, jobId, first.id, record);
    await sleep(d.pollMs, signal);
    pod = await d.api.getPod(first.id, signal);
  }
}

async function readinessTimeout(d: ReadinessDeps, jobId: string, podId: string, record: ComputeRecord) {
  await d.api.terminate(podId);
  const closed = (await d.channel.closeSegment(jobId, podId, d.now().toISOString())) ?? record;
  d.logger.warn({ jobId, podId }, "pod never started; terminated");
  return new PodCreationTimeoutError(`RunPod did not start the pod within ${duration(d.timeoutSeconds)}.`, {
    provider: "runpod",
    podId,
    timeoutSeconds: d.timeoutSeconds,
    costSoFar: costSoFar(closed.segments, d.now()),
  });
}

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds} seconds` : `${Math.round(seconds / 60)} minutes`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
