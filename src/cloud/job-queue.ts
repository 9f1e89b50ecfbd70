/**
 * The one queue every job that does not go to a cloud provider goes through (training, prediction and the
 * sandboxed ingest): BullMQ on Redis when Redis is configured (fleet/queue.ts, workers on any host), the
 * embedded runner otherwise (local/job-runner.ts). The providers in local/ only see this interface.
 */
import { JOB_FILES, type JobProgress, type JobResult, type JobSpec } from "./job-spec.js";
import type { CloudStorageProvider } from "./provider-interface.js";

export interface JobStatus {
  state: "queued" | "running" | "finished" | "unknown";
  /** 1 for the next job to start. */
  queuePosition?: number;
  progress?: JobProgress;
  result?: JobResult;
}

export interface JobQueue {
  /**
   * Queues a job, idempotently: a job already queued, running or finished is not started again. Returns the
   * spec as first submitted.
   */
  submit(spec: JobSpec): Promise<JobSpec>;
  status(jobId: string): Promise<JobStatus>;
  /** Stops a queued or running job and records it as cancelled. "Not found" counts as done. */
  cancel(jobId: string): Promise<void>;
  /** Resolves with the job's result once it has one. */
  finished(jobId: string): Promise<JobResult>;
  readSpec(jobId: string): Promise<JobSpec | undefined>;
  /**
   * Removes what a finished job left in storage (jobs/{jobId}/: spec, progress, log, result) once its caller
   * has its result and keeps what it needs elsewhere (the sandbox's reads). A job still queued or running is
   * left alone.
   */
  forget(jobId: string): Promise<void>;
  /** Stops starting jobs here (shutdown). */
  close(): void | Promise<void>;
}

/** The folder of a job in storage: jobs/{jobId}/. */
export function jobFolderUri(storage: CloudStorageProvider, jobId: string): string {
  const spec = storage.jobUri(jobId, JOB_FILES.spec);
  return spec.slice(0, spec.length - JOB_FILES.spec.length);
}

/**
 * Which worker slots a kind of job uses. Training and prediction share the compute slots; every other kind
 * (ingest, and any sandbox kind added later) runs in the sandbox: its own slots, a heap cap, a time limit and
 * no secret in its environment, so an upload never waits behind someone's training.
 */
export type Lane = "compute" | "sandbox";

export function laneOf(kind: JobSpec["kind"] | string): Lane {
  return kind === "train" || kind === "predict" ? "compute" : "sandbox";
}
