/**
 * A fleet worker: takes jobs from the BullMQ queues (fleet/queue.ts) and runs each in its own child process
 * (local/job-process.ts), tied to this process so that a worker that dies takes its jobs' processes with it
 * and BullMQ's stalled-job check hands the jobs to another worker. Runs inside the bot (one by default) and
 * alone (`npm run worker`, src/worker/fleet-main.ts) on any host that reaches Redis and the storage.
 *
 * It also keeps, per user, a claim on a slot for each running job (a per-user limit across the whole fleet),
 * listens for cancel requests, maps the job's progress.json to BullMQ job progress, and heartbeats a short
 * description of itself for /admin and the location picker.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { availableParallelism, hostname, totalmem } from "node:os";
import { DelayedError, type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { AppError, CloudTrainingError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { JobChannel } from "../job-channel.js";
import type { Lane } from "../job-queue.js";
import { JOB_FILES, type JobProgress, type JobResult, type JobSpec } from "../job-spec.js";
import {
  type JobExit,
  type JobProcessOptions,
  jobLogPath,
  signalGroup,
  spawnJobProcess,
} from "../local/job-process.js";
import type { CloudStorageProvider } from "../provider-interface.js";
import {
  type CancelMessage,
  DURATION_BUCKETS,
  type FleetJobData,
  type FleetKeys,
  fleetKeys,
  LANES,
} from "./keys.js";
import { bullConnection } from "./redis.js";

export interface LaneSettings {
  /** Jobs of this lane run at once on this worker. */
  concurrency: number;
  /** How its child processes start: environment, heap cap, niceness. */
  process: Omit<JobProcessOptions, "tied" | "logDir">;
  /** Longest a job may run once started, whatever its spec's deadline. */
  maxRunMs?: number;
}

export interface FleetWorkerOptions {
  redisUrl: string;
  redisPrefix: string;
  storage: CloudStorageProvider;
  lanes: Record<Lane, LaneSettings>;
  /** Running jobs one user may have in one lane, across the fleet. */
  userMaxRunning: number;
  logDir: string;
  logger: Logger;
  /** Shown in /admin; defaults to the host name and a random suffix. */
  id?: string;
  /** Time a child gets after SIGTERM before SIGKILL (cancel must stop it within 2 s). */
  killGraceMs?: number;
  /** BullMQ's lock on a running job: a worker silent this long has its jobs handed to another. */
  lockDurationMs?: number;
  /**
   * How a job runs: by default in its own child process (launchChild). The queue benchmark swaps in a trivial
   * body, to measure the queue apart from the cost of starting a process.
   */
  launch?: JobLauncher;
}

/** A started job: the process it runs in (pid -1 for none) and its end. */
export interface LaunchedJob {
  pid: number;
  exited: Promise<JobExit>;
}

export type JobLauncher = (spec: JobSpec, options: JobProcessOptions) => Promise<LaunchedJob>;

/** The default launcher: the worker entry point in a child process, reading the spec from storage. */
export function launchChild(storage: CloudStorageProvider): JobLauncher {
  const channel = new JobChannel(storage);
  return async (spec, options) => {
    await channel.writeSpecOnce(spec);
    return spawnJobProcess(spec.jobId, channel.uri(spec.jobId, JOB_FILES.spec), options);
  };
}

/** What a worker tells the fleet about itself. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  cores: number;
  memoryMb: number;
  slots: Record<Lane, number>;
  running: number;
  startedAt: number;
  lastSeen: number;
}

interface Running {
  lane: Lane;
  pid: number;
  /** Why we stop it, set before the signal, so its end is recorded as ours and not as a crash. */
  stopping?: { status: "failed" | "cancelled"; error: AppError; requestedAt?: number };
}

const HEARTBEAT_MS = 5000;
/** A worker description outlives a few missed heartbeats, then it is offline. */
export const WORKER_TTL_MS = 20_000;
const PROGRESS_PUMP_MS = 1000;
/** A user at their limit: the job waits this long before asking again. */
const USER_LIMIT_RETRY_MS = 1000;
const CLAIM_TTL_MS = 30_000;

const CLAIMED = 1;
const AT_LIMIT = 0;
const CANCELLED = -1;

/**
 * Claims a slot for a job among a user's running ones (a sorted set scored by when each claim expires, so a
 * dead worker's claims lapse), unless the job was cancelled (KEYS[2]). Returns 1 when claimed (or already
 * held), 0 at the limit, -1 when cancelled.
 */
const CLAIM_SLOT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

export class FleetWorker {
  readonly id: string;
  private readonly keys: FleetKeys;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly channel: JobChannel;
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, Running>();
  /** Jobs taken but not yet running, with the time a cancel for them was requested (0: none yet). */
  private readonly starting = new Map<string, number>();
  private readonly launch: JobLauncher;
  private heartbeat?: NodeJS.Timeout;
  /** The heartbeat in flight, and whether the running jobs changed since it was sent. */
  private beating?: Promise<void>;
  private beatAgain = false;
  private readonly startedAt = Date.now();
  private closing = false;

  constructor(private readonly options: FleetWorkerOptions) {
    this.id = options.id ?? `${hostname()}-${randomBytes(3).toString("hex")}`;
    this.keys = fleetKeys(options.redisPrefix);
    this.redis = bullConnection(options.redisUrl);
    this.subscriber = bullConnection(options.redisUrl);
    this.channel = new JobChannel(options.storage);
    this.launch = options.launch ?? launchChild(options.storage);
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.keys.cancelChannel);
    this.subscriber.on("message", (_channel, message) => this.onCancel(message));
    for (const lane of LANES) {
      const settings = this.options.lanes[lane];
      const worker = new Worker<FleetJobData, JobResult>(
        lane,
        (job, token) => this.process(lane, job, token),
        {
          connection: bullConnection(this.options.redisUrl),
          prefix: this.keys.bullPrefix,
          concurrency: settings.concurrency,
          name: this.id,
          lockDuration: this.options.lockDurationMs ?? 10_000,
          stalledInterval: Math.min(5000, this.options.lockDurationMs ?? 10_000),
          maxStalledCount: 2,
        },
      );
      worker.on("error", (error) => this.logger.warn({ err: error, lane }, "fleet worker error"));
      worker.on("stalled", (jobId) => {
        this.logger.warn({ jobId, lane, worker: this.id }, "fleet job stalled: back in the queue");
        void this.redis.hincrby(this.keys.counters(lane), "stalled", 1).catch(() => undefined);
      });
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.logger.info({ worker: this.id, slots: this.slots() }, "fleet worker ready");
  }

  /**
   * Stops taking jobs. Children still running are killed without a result: their jobs' locks lapse and
   * another worker (or this host's next start) runs them again from the start.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const run of this.running.values()) signalGroup(run.pid, "SIGKILL");
    await Promise.allSettled(this.workers.map((w) => w.close(true)));
    await this.redis
      .multi()
      .zrem(this.keys.workers, this.id)
      .del(this.keys.worker(this.id))
      .exec()
      .catch(() => undefined);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  private slots(): Record<Lane, number> {
    return {
      compute: this.options.lanes.compute.concurrency,
      sandbox: this.options.lanes.sandbox.concurrency,
    };
  }

  /** A heartbeat now, or right after the one in flight: one per change at most, however many jobs move. */
  private beatSoon(): void {
    if (this.beating) {
      this.beatAgain = true;
      return;
    }
    this.beating = this.beat()
      .catch(() => undefined)
      .finally(() => {
        this.beating = undefined;
        if (this.beatAgain && !this.closing) {
          this.beatAgain = false;
          this.beatSoon();
        }
      });
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const info: WorkerInfo = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      cores: availableParallelism(),
      memoryMb: Math.round(totalmem() / 2 ** 20),
      slots: this.slots(),
      running: this.running.size,
      startedAt: this.startedAt,
      lastSeen: now,
    };
    await this.redis
      .multi()
      .set(this.keys.worker(this.id), JSON.stringify(info), "PX", WORKER_TTL_MS)
      .zadd(this.keys.workers, now, this.id)
      .exec();
  }

  private async process(lane: Lane, job: Job<FleetJobData, JobResult>, token?: string): Promise<JobResult> {
    const jobId = job.id!;
    const slot = this.keys.userRunning(lane, job.data.spec.userId);
    this.starting.set(jobId, 0);
    try {
      // Delivered once, by job id: a job taken again (stalled, its first worker may have finished after all)
      // whose result is in storage is not run again. A first take needs no look: the bot checks the result
      // of a job submitted twice before it queues it again.
      const [existing, claim] = await Promise.all([
        job.attemptsStarted > 1 ? this.channel.readResult(jobId) : undefined,
        this.claim(slot, jobId),
      ]);
      if (existing || claim === CANCELLED) {
        if (claim === CLAIMED) await this.redis.zrem(slot, jobId);
        return this.settle(
          existing ??
            (await this.channel.endIfMissing(
              jobId,
              "cancelled",
              new AppError("The job was cancelled before it started."),
            )),
        );
      }
      if (claim === AT_LIMIT) {
        await job.moveToDelayed(Date.now() + USER_LIMIT_RETRY_MS, token);
        throw new DelayedError();
      }
      return await this.run(lane, job, slot);
    } finally {
      this.starting.delete(jobId);
    }
  }

  private async claim(slot: string, jobId: string): Promise<number> {
    const claimed = await this.redis.eval(
      CLAIM_SLOT,
      2,
      slot,
      this.keys.cancelled(jobId),
      jobId,
      this.options.userMaxRunning,
      CLAIM_TTL_MS,
    );
    return Number(claimed);
  }

  private async run(lane: Lane, job: Job<FleetJobData, JobResult>, slot: string): Promise<JobResult> {
    const jobId = job.id!;
    const { spec } = job.data;
    const settings = this.options.lanes[lane];
    const started = Date.now();
    let launched: LaunchedJob;
    try {
      launched = await this.launch(spec, { ...settings.process, logDir: this.options.logDir, tied: true });
    } catch (error) {
      await this.redis.zrem(slot, jobId).catch(() => undefined);
      throw error;
    }
    const run: Running = { lane, pid: launched.pid };
    this.running.set(jobId, run);
    // A cancel heard while the job was starting.
    const cancelledAt = this.starting.get(jobId);
    if (cancelledAt) this.stop(jobId, cancelledAt);
    this.beatSoon();
    this.logger.info(
      {
        event: "job-started",
        jobId,
        kind: spec.kind,
        userId: spec.userId,
        worker: this.id,
        pid: launched.pid,
      },
      "fleet job started",
    );
    const timers = [
      setInterval(() => void this.pumpProgress(job).catch(() => undefined), PROGRESS_PUMP_MS),
      setInterval(() => void this.claim(slot, jobId).catch(() => undefined), CLAIM_TTL_MS / 3),
      this.deadlineTimer(jobId, run, spec.deadline, settings.maxRunMs),
    ];
    const exit = await launched.exited;
    const stoppedAt = Date.now();
    for (const timer of timers) clearTimeout(timer);
    this.running.delete(jobId);
    this.beatSoon();
    if (this.closing) return new Promise<never>(() => undefined); // left for another worker: see close()
    const result = (await this.channel.readResult(jobId)) ?? (await this.endWithoutResult(jobId, run, exit));
    if (run.stopping?.requestedAt) {
      this.logger.info(
        { event: "job-cancelled", jobId, worker: this.id, requestedAt: run.stopping.requestedAt, stoppedAt },
        "fleet job stopped on request",
      );
    }
    this.logger.info(
      { event: "job-finished", jobId, kind: spec.kind, worker: this.id, status: result.status },
      "fleet job finished",
    );
    await this.release(lane, slot, jobId, (stoppedAt - started) / 1000).catch(() => undefined);
    // A sandboxed read that succeeded leaves nothing to look into: its stderr file goes (its folder goes
    // once the bot has the result, JobQueue.forget).
    if (lane === "sandbox" && result.status === "succeeded") {
      await rm(jobLogPath(this.options.logDir, jobId), { force: true }).catch(() => undefined);
    }
    return this.settle(result);
  }

  /** The process ended without writing a result: killed by us (deadline, cancel) or crashed. */
  private endWithoutResult(
    jobId: string,
    run: Running,
    exit: { code: number | null; signal: NodeJS.Signals | null },
  ): Promise<JobResult> {
    if (run.stopping) return this.channel.endIfMissing(jobId, run.stopping.status, run.stopping.error);
    const reason = exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
    const error = new CloudTrainingError(`The worker stopped unexpectedly (${reason}).`, {
      jobId,
      reason: "crashed",
      exitCode: exit.code,
      signal: exit.signal,
    });
    return this.channel.endIfMissing(jobId, "failed", error);
  }

  /** The worker enforces its deadline, but a synchronous loop cannot hear its own timer. */
  private deadlineTimer(jobId: string, run: Running, deadline: string, maxRunMs?: number): NodeJS.Timeout {
    const msLeft = Math.min(Date.parse(deadline) - Date.now(), maxRunMs ?? Number.POSITIVE_INFINITY);
    const timer = setTimeout(
      () => {
        this.logger.warn({ jobId }, "fleet job past its deadline: killing it");
        run.stopping = {
          status: "failed",
          error: new CloudTrainingError("The job ran past its deadline and was stopped.", {
            deadline,
            reason: "deadline",
          }),
        };
        signalGroup(run.pid, "SIGKILL");
      },
      Math.max(0, msLeft),
    );
    timer.unref();
    return timer;
  }

  private onCancel(message: string): void {
    let parsed: CancelMessage;
    try {
      parsed = JSON.parse(message) as CancelMessage;
    } catch {
      return;
    }
    if (this.running.has(parsed.jobId)) this.stop(parsed.jobId, parsed.requestedAt);
    else if (this.starting.has(parsed.jobId)) this.starting.set(parsed.jobId, parsed.requestedAt);
  }

  /** SIGTERM (the worker writes "cancelled" itself), then SIGKILL if it has not gone within the grace. */
  private stop(jobId: string, requestedAt: number): void {
    const run = this.running.get(jobId);
    if (!run || run.stopping) return;
    run.stopping = { status: "cancelled", error: new AppError("The job was cancelled."), requestedAt };
    signalGroup(run.pid, "SIGTERM");
    const kill = setTimeout(() => {
      if (this.running.get(jobId) === run) signalGroup(run.pid, "SIGKILL");
    }, this.options.killGraceMs ?? 750);
    kill.unref();
  }

  /** The child's progress.json, as BullMQ job progress: what the bot shows, from Redis. */
  private async pumpProgress(job: Job<FleetJobData, JobResult>): Promise<void> {
    const progress = await this.channel.readProgress(job.id!);
    const last = job.progress as Partial<JobProgress> | undefined;
    if (progress && progress.updatedAt !== last?.updatedAt) await job.updateProgress(progress);
  }

  /** Frees the user's slot and records the job's duration, in one round trip. */
  private async release(lane: Lane, slot: string, jobId: string, seconds: number): Promise<void> {
    const key = this.keys.durations(lane);
    const multi = this.redis
      .multi()
      .zrem(slot, jobId)
      .hincrbyfloat(key, "sum", seconds)
      .hincrby(key, "count", 1);
    for (const le of DURATION_BUCKETS) if (seconds <= le) multi.hincrby(key, `le_${le}`, 1);
    await multi.exec();
  }

  /** A succeeded job completes; a failed or cancelled one fails in BullMQ with its reason (for /admin). */
  private settle(result: JobResult): JobResult {
    if (result.status === "succeeded") return result;
    throw new Error(`${result.status}: ${result.error.message}`);
  }
}

/**
 * Compute slots from the host: one job per core (less one for a bot on the same host), no more than the
 * memory holds at each job's heap cap.
 */
export function computeSlots(options: { reserveCores: number; jobMemoryMb: number }): number {
  const byCores = availableParallelism() - options.reserveCores;
  const byMemory = Math.floor(((totalmem() / 2 ** 20) * 0.8) / options.jobMemoryMb);
  return Math.max(1, Math.min(byCores, byMemory));
}

/**
 * The fit threads each job of a lane may use (SMA_FIT_THREADS in its environment): the host's cores shared
 * among the lane's slots, so full slots do not oversubscribe the cores. An operator's SMA_FIT_THREADS wins.
 */
export function fitThreadsEnv(
  slots: number,
  env: NodeJS.ProcessEnv = process.env,
  cores = availableParallelism(),
): { SMA_FIT_THREADS: string } {
  const given = Number.parseInt(env.SMA_FIT_THREADS ?? "", 10);
  const threads = Number.isFinite(given) && given > 0 ? given : Math.max(1, Math.floor(cores / slots));
  return { SMA_FIT_THREADS: String(threads) };
}
