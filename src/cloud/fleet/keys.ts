/**
 * Where the fleet lives in Redis, all under the app's REDIS_PREFIX (so tests and bots sharing one Redis never
 * collide): BullMQ's own keys under `{prefix}:bull`, the fleet's bookkeeping under `{prefix}:fleet`.
 */
import type { Lane } from "../job-queue.js";
import type { JobSpec } from "../job-spec.js";

export const LANES: readonly Lane[] = ["compute", "sandbox"];

export interface FleetKeys {
  /** BullMQ's key prefix; the queues are named after the lanes. */
  bullPrefix: string;
  /** Pub/sub channel: "stop this job", heard by every worker. */
  cancelChannel: string;
  /** A job's spec as first submitted (JSON), for the bot: BullMQ forgets finished jobs sooner. */
  spec(jobId: string): string;
  /** Set when a job is cancelled, for a worker that picks it up (or starts it) after the message went by. */
  cancelled(jobId: string): string;
  /** Sorted set of worker ids by last heartbeat. */
  workers: string;
  /** One worker's description (JSON, expires without heartbeats). */
  worker(id: string): string;
  /** Sorted set of a user's running jobs in a lane, scored by when their claim expires. */
  userRunning(lane: Lane, userId: number): string;
  /** Hash of job duration histogram buckets, sum and count, per lane. */
  durations(lane: Lane): string;
  /** Hash of counters per lane (stalled jobs). */
  counters(lane: Lane): string;
  /** Which DATA_DIR the fleet shares (its id). */
  dataDir: string;
}

export function fleetKeys(redisPrefix: string): FleetKeys {
  const base = `${redisPrefix}:fleet`;
  return {
    bullPrefix: `${redisPrefix}:bull`,
    cancelChannel: `${base}:cancel`,
    spec: (jobId) => `${base}:spec:${jobId}`,
    cancelled: (jobId) => `${base}:cancelled:${jobId}`,
    workers: `${base}:workers`,
    worker: (id) => `${base}:worker:${id}`,
    userRunning: (lane, userId) => `${base}:running:${lane}:${userId}`,
    durations: (lane) => `${base}:durations:${lane}`,
    counters: (lane) => `${base}:counters:${lane}`,
    dataDir: `${base}:data-dir`,
  };
}

/** BullMQ priorities (1 is served first): within a lane, a prediction goes before a training. */
export function priorityOf(kind: string): number {
  if (kind === "train") return 5;
  if (kind === "predict") return 2;
  return 1;
}

/** What a BullMQ job carries: its spec, so that no worker reads it from storage before it starts. */
export interface FleetJobData {
  spec: JobSpec;
}

/** A cancel request as published on the cancel channel. */
export interface CancelMessage {
  jobId: string;
  /** Epoch milliseconds at the bot, so a worker can report how long stopping took. */
  requestedAt: number;
}

/** Bucket bounds (seconds) of the job duration histogram. */
export const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600] as const;
