/**
 * The bot's side of the fleet: jobs go to BullMQ queues on the app's Redis (one per lane, see laneOf), and
 * any fleet worker (fleet/worker.ts: in the bot process, or `npm run worker` on another host) runs them.
 * The job's spec, progress and result stay in storage (jobs/{jobId}/…, shared by every replica and worker),
 * so a result is delivered once, by job id, whichever worker produced it; BullMQ carries the scheduling:
 * order, priorities, live progress, stalled-job recovery.
 */
import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { AppError, CloudTrainingError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { JobChannel } from "../job-channel.js";
import { type JobQueue, type JobStatus, type Lane, laneOf } from "../job-queue.js";
import {
  JOB_FILES,
  type JobProgress,
  type JobResult,
  type JobSpec,
  jobProgressSchema,
  jobResultSchema,
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
/** A waiter re-checks at least this often, in case it missed the event that would have woken it. */
const FINISHED_POLL_MS = 1000;

export class FleetQueue implements JobQueue {
  readonly keys: FleetKeys;
  readonly redis: Redis;
  private readonly queues: Record<Lane, Queue>;
  private events?: QueueEvents[];
  private readonly channel: JobChannel;
  /** Wakes whoever waits for a job to end (see `finished`). */
  private readonly endings = new Map<string, Set<() => void>>();
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

  /** Listens for finished jobs, so waiters wake at once instead of at their next poll. */
  private listen(): void {
    if (this.events) return;
    this.events = LANES.map((lane) => {
      const events = new QueueEvents(lane, {
        connection: bullConnection(this.options.redisUrl),
        prefix: this.keys.bullPrefix,
      });
      const wake = ({ jobId }: { jobId: string }) => this.wake(jobId);
      events.on("completed", wake);
      events.on("failed", wake);
      events.on("removed", wake);
      events.on("error", (error) => this.options.logger?.warn({ err: error, lane }, "queue events error"));
      return events;
    });
  }

  async submit(spec: JobSpec): Promise<JobSpec> {
    const stored = await this.channel.writeSpecOnce(spec);
    if (await this.channel.readResult(spec.jobId)) return stored;
    const lane = laneOf(stored.kind);
    this.lanes.set(stored.jobId, lane);
    const data: FleetJobData = {
      specUri: this.channel.uri(stored.jobId, JOB_FILES.spec),
      kind: stored.kind,
      userId: stored.userId,
      deadline: stored.deadline,
    };
    // A job id BullMQ already holds (queued, running or finished) is not added again.
    await this.queues[lane].add(stored.kind, data, {
      jobId: stored.jobId,
      priority: priorityOf(stored.kind),
      attempts: 1,
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    });
    return stored;
  }

  async status(jobId: string): Promise<JobStatus> {
    const job = await this.findJob(jobId);
    if (!job) {
      const result = await this.channel.readResult(jobId);
      if (result) return { state: "finished", result, progress: await this.channel.readProgress(jobId) };
      return { state: "unknown", progress: await this.channel.readProgress(jobId) };
    }
    const state = await job.getState();
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
    const job = await this.findJob(jobId);
    if (!job) return;
    const requestedAt = Date.now();
    // Recorded first: a worker taking the job from now on sees it and does not start it.
    await this.redis.set(this.keys.cancelled(jobId), String(requestedAt), "EX", 24 * 3600);
    const state = await job.getState();
    if (state === "completed" || state === "failed") return;
    if (state !== "active") {
      try {
        await job.remove();
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

  async finished(jobId: string): Promise<JobResult> {
    this.listen();
    for (;;) {
      const status = await this.status(jobId);
      if (status.result) return status.result;
      await this.nextEnding(jobId, FINISHED_POLL_MS);
    }
  }

  private async finishedWithin(jobId: string, ms: number): Promise<JobResult | undefined> {
    const until = Date.now() + ms;
    this.listen();
    while (Date.now() < until) {
      const status = await this.status(jobId);
      if (status.result) return status.result;
      await this.nextEnding(jobId, Math.min(FINISHED_POLL_MS, until - Date.now()));
    }
    return undefined;
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

  readSpec(jobId: string): Promise<JobSpec | undefined> {
    return this.channel.readSpec(jobId);
  }

  async close(): Promise<void> {
    for (const wake of [...this.endings.values()].flatMap((set) => [...set])) wake();
    await Promise.allSettled([
      ...(this.events ?? []).map((events) => events.close()),
      ...LANES.map((lane) => this.queues[lane].close()),
    ]);
    this.redis.disconnect();
  }

  private async findJob(jobId: string): Promise<Job | undefined> {
    const known = this.lanes.get(jobId);
    const order = known ? [known, ...LANES.filter((l) => l !== known)] : LANES;
    for (const lane of order) {
      const job = await Job.fromId(this.queues[lane], jobId);
      if (job) return job;
    }
    return undefined;
  }

  private queueOf(job: Job): Queue {
    return this.queues[laneOf(job.name)];
  }

  private nextEnding(jobId: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = this.endings.get(jobId) ?? new Set();
      this.endings.set(jobId, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.endings.delete(jobId);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      waiters.add(done);
    });
  }

  private wake(jobId: string): void {
    for (const done of [...(this.endings.get(jobId) ?? [])]) done();
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
