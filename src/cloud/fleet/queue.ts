/**
 * The bot's side of the fleet: jobs go to BullMQ queues on the app's Redis (one per lane, see laneOf), and
 * any fleet worker (fleet/worker.ts: in the bot process, or `npm run worker` on another host) runs them.
 * The spec travels in the BullMQ job (and, for the bot, under its own key: the spec as first submitted);
 * progress and result stay in storage (jobs/{jobId}/…, shared by every replica and worker), so a result is
 * delivered once, by job id, whichever worker produced it. BullMQ carries the scheduling: order, priorities,
 * live progress, stalled-job recovery. Submitting touches Redis only: no file is read or written per job.
 */
import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { AppError, CloudTrainingError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { JobChannel } from "../job-channel.js";
import { type JobQueue, type JobStatus, jobFolderUri, type Lane, laneOf } from "../job-queue.js";
import {
  type JobProgress,
  type JobResult,
  type JobSpec,
  jobProgressSchema,
  jobResultSchema,
  jobSpecSchema,
} from "../job-spec.js";
import type { CloudStorageProvider } from "../provider-interface.js";
import {
  type CancelMessage,
  DURATION_BUCKETS,
  type FleetJobData,
  type FleetKeys,
  fleetKeys,
  LANES,
  priorityOf,
} from "./keys.js";
import { bullConnection } from "./redis.js";
import type { WorkerInfo } from "./worker.js";

export interface FleetQueueOptions {
  redisUrl: string;
  /** The app's REDIS_PREFIX: the queues live below it. */
  redisPrefix: string;
  storage: CloudStorageProvider;
  logger?: Logger;
  /** How long cancel() waits for the worker to confirm the stop. */
  cancelWaitMs?: number;
}

/** Finished jobs stay visible in BullMQ this long (the result itself is in storage for good). */
const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 };
/** The bot's copy of a spec outlives the BullMQ job; after it, the worker's spec.json in storage answers. */
const SPEC_TTL_S = 30 * 24 * 3600;
/**
 * A waiter re-checks this often in case an event never came (events are read from a known stream position,
 * so this is a safety net, not the way results arrive).
 */
const FINISHED_POLL_MS = 5000;

/** Stores a spec unless one is stored under its key; returns the stored one (nil when this one is first). */
const KEEP_FIRST_SPEC = `
local first = redis.call('GET', KEYS[1])
if first then return first end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return false`;

/** States of a job that has not ended yet. */
const PENDING_STATES = new Set(["waiting", "prioritized", "active", "delayed", "waiting-children"]);
/** Lanes remembered for jobs submitted here (a forgotten one costs a lookup in both queues). */
const MAX_REMEMBERED_LANES = 10_000;

type Found = { job: Job<FleetJobData, JobResult>; state: string };

/** Wakes one waiter of `finished`: with the result when the event carried it. */
type Wake = (result?: JobResult) => void;

export class FleetQueue implements JobQueue {
  readonly keys: FleetKeys;
  readonly redis: Redis;
  private readonly queues: Record<Lane, Queue>;
  private events?: Promise<QueueEvents[]>;
  private readonly channel: JobChannel;
  /** Wakes whoever waits for a job to end (see `finished`). */
  private readonly endings = new Map<string, Set<Wake>>();
  /** The lanes of jobs submitted here, so a lookup asks one queue (a job not in it asks both). */
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: FleetQueueOptions) {
    this.keys = fleetKeys(options.redisPrefix);
    this.redis = bullConnection(options.redisUrl);
    const queue = (lane: Lane) => new Queue(lane, { connection: this.redis, prefix: this.keys.bullPrefix });
    this.queues = { compute: queue("compute"), sandbox: queue("sandbox") };
    this.channel = new JobChannel(options.storage);
  }

  /** The BullMQ queue of a lane (metrics, /admin). */
  queue(lane: Lane): Queue {
    return this.queues[lane];
  }

  /**
   * Listens for finished jobs, from each events stream's current end: an event that comes after this resolves
   * is heard even if it comes before the listener's first read.
   */
  private listen(): Promise<QueueEvents[]> {
    this.events ??= Promise.all(
      LANES.map(async (lane) => {
        const [last] = await this.redis.xrevrange(this.queues[lane].keys.events, "+", "-", "COUNT", 1);
        const events = new QueueEvents(lane, {
          connection: bullConnection(this.options.redisUrl),
          prefix: this.keys.bullPrefix,
          lastEventId: last?.[0] ?? "0-0",
        });
        events.on("completed", ({ jobId, returnvalue }) => this.wake(jobId, resultOf(returnvalue)));
        events.on("failed", ({ jobId }) => this.wake(jobId));
        events.on("removed", ({ jobId }) => this.wake(jobId));
        events.on("error", (error) => this.options.logger?.warn({ err: error, lane }, "queue events error"));
        return events;
      }),
    );
    return this.events;
  }

  async submit(spec: JobSpec): Promise<JobSpec> {
    const { stored, again } = await this.keepFirstSpec(spec);
    const lane = laneOf(stored.kind);
    this.remember(stored.jobId, lane);
    // Submitted before (a restored workflow): a job with a result is done, whether or not BullMQ remembers it.
    if (again && (await this.channel.readResult(stored.jobId))) return stored;
    // A job id BullMQ already holds (queued, running or finished) is not added again.
    await this.queues[lane].add(
      stored.kind,
      { spec: stored },
      {
        jobId: stored.jobId,
        priority: priorityOf(stored.kind),
        attempts: 1,
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    );
    return stored;
  }

  /** The spec as first submitted, and whether this submission is a later one. */
  private async keepFirstSpec(spec: JobSpec): Promise<{ stored: JobSpec; again: boolean }> {
    const key = this.keys.spec(spec.jobId);
    const first = (await this.redis.eval(KEEP_FIRST_SPEC, 1, key, JSON.stringify(spec), SPEC_TTL_S)) as
      | string
      | null;
    return first ? { stored: parseSpec(first) ?? spec, again: true } : { stored: spec, again: false };
  }

  private remember(jobId: string, lane: Lane): void {
    if (this.lanes.size >= MAX_REMEMBERED_LANES) this.lanes.clear();
    this.lanes.set(jobId, lane);
  }

  async status(jobId: string): Promise<JobStatus> {
    const found = await this.find(jobId);
    if (!found) {
      const [result, progress] = await Promise.all([
        this.channel.readResult(jobId),
        this.channel.readProgress(jobId),
      ]);
      return result ? { state: "finished", result, progress } : { state: "unknown", progress };
    }
    const { job, state } = found;
    if (state === "completed" || state === "failed") {
      const result = resultOf(job.returnvalue) ?? (await this.channel.readResult(jobId));
      if (result) return { state: "finished", result, progress: progressOf(job.progress) };
      // Failed without a result in storage: the worker could not even write one.
      return {
        state: "finished",
        result: failedResult(new CloudTrainingError(job.failedReason || "The job failed.", { jobId })),
      };
    }
    if (state === "active") {
      return {
        state: "running",
        progress: progressOf(job.progress) ?? (await this.channel.readProgress(jobId)),
      };
    }
    if (state === "unknown") return { state: "unknown", progress: await this.channel.readProgress(jobId) };
    return { state: "queued", queuePosition: await this.position(job) };
  }

  /** 1 for the next job to start: its rank among the prioritized jobs, or behind them while deferred. */
  private async position(job: Job): Promise<number> {
    const key = this.queueOf(job).keys.prioritized;
    const rank = await this.redis.zrank(key, job.id!);
    if (rank !== null) return rank + 1;
    return (await this.redis.zcard(key)) + 1;
  }

  async cancel(jobId: string): Promise<void> {
    const found = await this.find(jobId);
    if (!found) return;
    const requestedAt = Date.now();
    // Recorded first: a worker taking the job from now on sees it and does not start it.
    await this.redis.set(this.keys.cancelled(jobId), String(requestedAt), "EX", 24 * 3600);
    const state = await found.job.getState();
    if (state === "completed" || state === "failed") return;
    if (state !== "active") {
      try {
        await found.job.remove();
        await this.channel.endIfMissing(
          jobId,
          "cancelled",
          new AppError("The job was cancelled before it started."),
        );
        this.wake(jobId);
        return;
      } catch {
        // a worker took it in the meantime: stop it there
      }
    }
    const message: CancelMessage = { jobId, requestedAt };
    await this.redis.publish(this.keys.cancelChannel, JSON.stringify(message));
    await this.finishedWithin(jobId, this.options.cancelWaitMs ?? 5000);
  }

  finished(jobId: string): Promise<JobResult> {
    return this.finishedWithin(jobId, Number.POSITIVE_INFINITY) as Promise<JobResult>;
  }

  /**
   * The job's result once it has one, woken by BullMQ's events (a completed job's event carries the result).
   * The waiter is in place before the status check, so an end between the two is not missed.
   */
  private async finishedWithin(jobId: string, ms: number): Promise<JobResult | undefined> {
    const until = Date.now() + ms;
    await this.listen();
    while (Date.now() < until) {
      const ending = this.nextEnding(jobId, Math.min(FINISHED_POLL_MS, until - Date.now()));
      const result = await this.resultIfEnded(jobId);
      if (result) {
        ending.cancel();
        return result;
      }
      const woken = await ending.ended;
      if (woken) return woken;
    }
    return undefined;
  }

  /** The result of a job that has ended; one cheap state read while it is still queued or running. */
  private async resultIfEnded(jobId: string): Promise<JobResult | undefined> {
    const lane = this.lanes.get(jobId);
    if (lane && PENDING_STATES.has(await this.queues[lane].getJobState(jobId))) return undefined;
    return (await this.status(jobId)).result;
  }

  /** Per queue: jobs by state, stalled jobs so far, and the job duration histogram (for /metrics). */
  async queueMetrics() {
    return Promise.all(
      LANES.map(async (lane) => {
        const counts = await this.queues[lane].getJobCounts(
          "waiting",
          "prioritized",
          "active",
          "delayed",
          "completed",
          "failed",
        );
        const [durations, counters] = await Promise.all([
          this.redis.hgetall(this.keys.durations(lane)),
          this.redis.hgetall(this.keys.counters(lane)),
        ]);
        return {
          queue: lane,
          counts: {
            waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
            active: counts.active ?? 0,
            delayed: counts.delayed ?? 0,
            completed: counts.completed ?? 0,
            failed: counts.failed ?? 0,
          },
          stalled: Number(counters.stalled ?? 0),
          durations: {
            buckets: DURATION_BUCKETS.map((le) => ({ le, count: Number(durations[`le_${le}`] ?? 0) })),
            sum: Number(durations.sum ?? 0),
            count: Number(durations.count ?? 0),
          },
        };
      }),
    );
  }

  /** Workers seen within their heartbeat's lifetime. */
  async workers(): Promise<WorkerInfo[]> {
    const ids = await this.redis.zrange(this.keys.workers, "0", "-1");
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    const gone = ids.filter((_, i) => !values[i]);
    if (gone.length > 0) await this.redis.zrem(this.keys.workers, ...gone);
    return values.filter((v): v is string => Boolean(v)).map((v) => JSON.parse(v) as WorkerInfo);
  }

  /** The most recent failed jobs of every queue, with BullMQ's reason. */
  async failedJobs(limit = 10): Promise<{ jobId: string; kind: string; reason: string; at?: number }[]> {
    const lists = await Promise.all(LANES.map((lane) => this.queues[lane].getFailed(0, limit - 1)));
    return lists
      .flat()
      .map((job) => ({ jobId: job.id ?? "?", kind: job.name, reason: job.failedReason, at: job.finishedOn }))
      .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))
      .slice(0, limit);
  }

  async forget(jobId: string): Promise<void> {
    const found = await this.find(jobId);
    if (found && PENDING_STATES.has(found.state)) return;
    await this.options.storage.deleteDirectory(jobFolderUri(this.options.storage, jobId));
  }

  /** The spec as first submitted: the bot's copy in Redis, else the worker's spec.json in storage. */
  async readSpec(jobId: string): Promise<JobSpec | undefined> {
    const kept = await this.redis.get(this.keys.spec(jobId));
    return (kept ? parseSpec(kept) : undefined) ?? this.channel.readSpec(jobId);
  }

  async close(): Promise<void> {
    for (const wake of [...this.endings.values()].flatMap((set) => [...set])) wake();
    const events = this.events ? await this.events.catch(() => []) : [];
    await Promise.allSettled([
      ...events.map((e) => e.close()),
      ...LANES.map((lane) => this.queues[lane].close()),
    ]);
    this.redis.disconnect();
  }

  /** The job and its state, in one round trip; both lanes are asked when the job was not submitted here. */
  private async find(jobId: string): Promise<Found | undefined> {
    const known = this.lanes.get(jobId);
    const answers = await Promise.all(
      (known ? [known] : LANES).map((lane) =>
        Promise.all([
          Job.fromId<FleetJobData, JobResult>(this.queues[lane], jobId),
          this.queues[lane].getJobState(jobId),
        ]),
      ),
    );
    const hit = answers.find(([job]) => job);
    if (!hit && known) {
      this.lanes.delete(jobId); // submitted here to the other lane since? ask both
      return this.find(jobId);
    }
    return hit ? { job: hit[0]!, state: hit[1] } : undefined;
  }

  private queueOf(job: Job): Queue {
    return this.queues[laneOf(job.name)];
  }

  /** A promise that settles when the job ends (with its result when the event carried it) or at the timeout. */
  private nextEnding(
    jobId: string,
    timeoutMs: number,
  ): { ended: Promise<JobResult | undefined>; cancel(): void } {
    const waiters = this.endings.get(jobId) ?? new Set();
    this.endings.set(jobId, waiters);
    let settle: Wake = () => undefined;
    const ended = new Promise<JobResult | undefined>((resolve) => {
      settle = (result) => {
        clearTimeout(timer);
        waiters.delete(settle);
        if (waiters.size === 0 && this.endings.get(jobId) === waiters) this.endings.delete(jobId);
        resolve(result);
      };
    });
    const timer = setTimeout(() => settle(), Math.max(0, timeoutMs));
    waiters.add(settle);
    return { ended, cancel: () => settle() };
  }

  private wake(jobId: string, result?: JobResult): void {
    for (const settle of [...(this.endings.get(jobId) ?? [])]) settle(result);
  }
}

function parseSpec(text: string): JobSpec | undefined {
  try {
    const parsed = jobSpecSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function resultOf(value: unknown): JobResult | undefined {
  const parsed = jobResultSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function progressOf(value: unknown): JobProgress | undefined {
  const parsed = jobProgressSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function failedResult(error: AppError): JobResult {
  return { status: "failed", finishedAt: new Date().toISOString(), runtimeSeconds: 0, error: error.toJSON() };
}
