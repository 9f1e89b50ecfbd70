/**
 * Runs jobs on this machine: each job is a child process running the same worker entry point that cloud
 * compute runs (src/worker/main.ts), talking back through storage (jobs/{jobId}/…). A bounded queue caps how
 * many run at once. Children are detached, so a bot restart does not kill them: on the next launch of the
 * same job id the runner adopts the running process instead of starting another.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { AppError, CloudTrainingError, ObjectNotFoundError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { type JobQueue, type JobStatus, jobFolderUri } from "../job-queue.js";
import {
  JOB_FILES,
  type JobProgress,
  type JobResult,
  type JobSpec,
  jobProgressSchema,
  jobResultSchema,
} from "../job-spec.js";
import type { CloudStorageProvider } from "../provider-interface.js";
import { jobLogPath, signalGroup, spawnJobProcess } from "./job-process.js";
import { isWorkerCommand } from "./worker-command.js";

export interface LocalJobRunnerOptions {
  storage: CloudStorageProvider;
  /** At most this many jobs run at once; the rest wait in order. */
  maxConcurrent: number;
  /** Environment for the worker processes (DATA_DIR, MODEL_SIGNING_KEY, …). */
  env: NodeJS.ProcessEnv;
  /** Folder for the workers' stderr files. */
  logDir: string;
  logger?: Logger;
  /** Time a worker gets to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Node flags for the workers, e.g. a heap cap (`--max-old-space-size=512`). */
  nodeArgs?: string[];
  /** Longest a worker may run once started, whatever its spec's deadline (which also counts time queued). */
  maxRunMs?: number;
  /** Scheduling niceness of the workers (0–19): higher leaves the CPU to the bot first. */
  niceness?: number;
  /**
   * A job submitted again that an earlier process started, but that neither runs nor has a result (its
   * worker died while no bot was watching): "requeue" runs it again, "fail" records it as crashed. A job
   * that was still waiting in the queue is queued again either way.
   */
  lostJobs?: "requeue" | "fail";
}

export type LocalJobStatus = JobStatus;

interface Running {
  pid: number;
  child?: ChildProcess;
  deadlineTimer?: NodeJS.Timeout;
  exited: Promise<void>;
  /** Why we are stopping it, set before the signal so the exit handler records our reason, not a crash. */
  stopping?: { status: "failed" | "cancelled"; error: AppError };
}

const ADOPTED_POLL_MS = 1000;

export class LocalJobRunner implements JobQueue {
  private readonly queue: JobSpec[] = [];
  private readonly running = new Map<string, Running>();
  /** Wakes whoever waits for a job of this runner's to end (see `finished`). */
  private readonly endings = new Map<string, () => void>();
  private readonly killGraceMs: number;
  private closed = false;

  constructor(private readonly options: LocalJobRunnerOptions) {
    this.killGraceMs = options.killGraceMs ?? 5000;
    mkdirSync(options.logDir, { recursive: true });
  }

  private get storage(): CloudStorageProvider {
    return this.options.storage;
  }

  /**
   * Queues a job, idempotently: a job already queued, running (also in a process started before a restart)
   * or finished is not started again. Returns the spec as first submitted.
   */
  async submit(spec: JobSpec): Promise<JobSpec> {
    const specUri = this.storage.jobUri(spec.jobId, JOB_FILES.spec);
    const existing = await this.readSpec(spec.jobId);
    if (!existing) await this.storage.writeBytes(specUri, JSON.stringify(spec));
    const stored = existing ?? spec;
    if (this.isQueued(spec.jobId) || this.running.has(spec.jobId) || (await this.readResult(spec.jobId)))
      return stored;
    // Only a job submitted before (its spec was there) can have a worker from an earlier bot process.
    const orphan = existing ? this.findWorkerProcess(specUri) : undefined;
    if (orphan) {
      this.adopt(stored, orphan);
      return stored;
    }
    if (existing && this.options.lostJobs === "fail" && !(await this.wasOnlyQueued(spec.jobId))) {
      const error = new CloudTrainingError("The worker stopped while the bot was away.", {
        jobId: spec.jobId,
        reason: "crashed",
      });
      await this.writeFinalIfMissing(spec.jobId, "failed", error);
      return stored;
    }
    this.queue.push(stored);
    await this.writeQueuedProgress(stored, this.queue.length);
    this.pump();
    return stored;
  }

  async status(jobId: string): Promise<LocalJobStatus> {
    const result = await this.readResult(jobId);
    if (result) return { state: "finished", result, progress: await this.readProgress(jobId) };
    const position = this.queue.findIndex((s) => s.jobId === jobId);
    if (position >= 0) return { state: "queued", queuePosition: position + 1 };
    if (this.running.has(jobId)) return { state: "running", progress: await this.readProgress(jobId) };
    return { state: "unknown", progress: await this.readProgress(jobId) };
  }

  /** Stops a queued or running job and records it as cancelled. "Not found" counts as done. */
  async cancel(jobId: string): Promise<void> {
    const position = this.queue.findIndex((s) => s.jobId === jobId);
    if (position >= 0) {
      this.queue.splice(position, 1);
      await this.writeFinalIfMissing(
        jobId,
        "cancelled",
        new AppError("The job was cancelled before it started."),
      );
      this.ended(jobId);
      return;
    }
    const run = this.running.get(jobId);
    if (!run) return;
    run.stopping = { status: "cancelled", error: new AppError("The job was cancelled.") };
    await this.stopProcess(run);
    await this.writeFinalIfMissing(jobId, run.stopping.status, run.stopping.error);
  }

  /** Kills every running worker (tests and shutdown of throwaway runners). */
  async stopAll(): Promise<void> {
    this.queue.length = 0;
    await Promise.all([...this.running.values()].map((run) => this.stopProcess(run)));
  }

  /**
   * Stops starting jobs (shutdown). Running workers go on, detached: the next bot process adopts them, and
   * re-queues the ones that were waiting when its monitors ask for them.
   */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.options.maxConcurrent && this.queue.length > 0) {
      const spec = this.queue.shift()!;
      this.start(spec).catch((error) =>
        this.options.logger?.error({ err: error, jobId: spec.jobId }, "could not start a job"),
      );
    }
  }

  private async start(spec: JobSpec): Promise<void> {
    const specUri = this.storage.jobUri(spec.jobId, JOB_FILES.spec);
    // Claim the slot before the first await, so pump() does not start more than maxConcurrent.
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const run: Running = { pid: -1, exited };
    this.running.set(spec.jobId, run);
    const { pid, child } = await spawnJobProcess(spec.jobId, specUri, this.options);
    child.once("exit", () => markExited());
    run.pid = pid;
    run.child = child;
    this.options.logger?.info({ jobId: spec.jobId, pid: run.pid }, "local job started");
    this.armDeadline(spec, run);
    child.once("exit", (code, signal) => void this.onExit(spec.jobId, run, code, signal));
  }

  private adopt(spec: JobSpec, pid: number): void {
    const exited = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (!isAlive(pid)) {
          clearInterval(timer);
          resolve();
        }
      }, ADOPTED_POLL_MS);
      timer.unref();
    });
    const run: Running = { pid, exited };
    this.running.set(spec.jobId, run);
    this.options.logger?.info({ jobId: spec.jobId, pid }, "adopted a running local job");
    this.armDeadline(spec, run);
    void exited.then(() => this.onExit(spec.jobId, run, null, null));
  }

  /** The worker enforces its deadline, but a synchronous training loop cannot hear its own timer. */
  private armDeadline(spec: JobSpec, run: Running): void {
    const msLeft = Math.min(
      Date.parse(spec.deadline) - Date.now(),
      this.options.maxRunMs ?? Number.POSITIVE_INFINITY,
    );
    run.deadlineTimer = setTimeout(
      async () => {
        if (this.running.get(spec.jobId) !== run) return;
        this.options.logger?.warn({ jobId: spec.jobId }, "local job past its deadline: killing it");
        const error = new CloudTrainingError("The job ran past its deadline and was stopped.", {
          deadline: spec.deadline,
          reason: "deadline",
        });
        run.stopping = { status: "failed", error };
        await this.stopProcess(run, 0);
        await this.writeFinalIfMissing(spec.jobId, "failed", error);
      },
      Math.max(0, msLeft),
    );
    run.deadlineTimer.unref();
  }

  private async onExit(
    jobId: string,
    run: Running,
    code: number | null,
    signal: string | null,
  ): Promise<void> {
    if (run.deadlineTimer) clearTimeout(run.deadlineTimer);
    if (this.running.get(jobId) === run) this.running.delete(jobId);
    const reason = code !== null ? `exit code ${code}` : signal ? `signal ${signal}` : "it disappeared";
    const end = run.stopping ?? {
      status: "failed" as const,
      error: new CloudTrainingError(`The worker stopped unexpectedly (${reason}).`, {
        jobId,
        reason: "crashed",
        exitCode: code,
        signal,
      }),
    };
    await this.writeFinalIfMissing(jobId, end.status, end.error).catch((error) =>
      this.options.logger?.error({ err: error, jobId }, "could not record the job's end"),
    );
    this.ended(jobId);
    this.pump();
  }

  /**
   * The job's result once it has one. A job this runner queues or runs is waited for without polling (its
   * worker's exit wakes the waiter); any other job is looked for every `pollMs`.
   */
  async finished(jobId: string, pollMs = 250): Promise<JobResult> {
    for (;;) {
      const result = await this.readResult(jobId);
      if (result) return result;
      const known = this.isQueued(jobId) || this.running.has(jobId);
      await new Promise<void>((resolve) => {
        if (!known) return void setTimeout(resolve, pollMs);
        const previous = this.endings.get(jobId);
        this.endings.set(jobId, () => {
          previous?.();
          resolve();
        });
      });
    }
  }

  private ended(jobId: string): void {
    this.endings.get(jobId)?.();
    this.endings.delete(jobId);
  }

  private async stopProcess(run: Running, graceMs = this.killGraceMs): Promise<void> {
    signalGroup(run.pid, "SIGTERM");
    const killed = setTimeout(() => signalGroup(run.pid, "SIGKILL"), graceMs);
    await run.exited;
    clearTimeout(killed);
  }

  private async writeFinalIfMissing(
    jobId: string,
    status: "failed" | "cancelled",
    error: AppError,
  ): Promise<void> {
    if (await this.readResult(jobId)) return;
    const result: JobResult = {
      status,
      finishedAt: new Date().toISOString(),
      runtimeSeconds: 0,
      error: error.toJSON(),
    };
    await this.storage.writeBytes(this.storage.jobUri(jobId, JOB_FILES.result), JSON.stringify(result));
  }

  /**
   * Marks a job queued in storage, once: status() knows the live position from memory, and rewriting every
   * queued job's file on each change cost O(queue²) writes on the bot's event loop under load. What the file
   * tells a later process is only that the job was waiting, not running.
   */
  private async writeQueuedProgress(spec: JobSpec, position: number): Promise<void> {
    const progress: JobProgress = {
      state: "queued",
      phase: "queued",
      percent: 0,
      message: `Waiting for a free slot (position ${position})`,
      updatedAt: new Date().toISOString(),
      queuePosition: position,
    };
    await this.storage.writeBytes(
      this.storage.jobUri(spec.jobId, JOB_FILES.progress),
      JSON.stringify(progress),
    );
  }

  /** True when the job never started: the last word on it is the queue's. */
  private async wasOnlyQueued(jobId: string): Promise<boolean> {
    return (await this.readProgress(jobId))?.state === "queued";
  }

  private isQueued(jobId: string): boolean {
    return this.queue.some((s) => s.jobId === jobId);
  }

  private async readJson(jobId: string, file: string): Promise<unknown | undefined> {
    try {
      const bytes = await this.storage.readBytes(this.storage.jobUri(jobId, file));
      return JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    }
  }

  async forget(jobId: string): Promise<void> {
    if (this.running.has(jobId) || this.queue.some((spec) => spec.jobId === jobId)) return;
    await this.storage.deleteDirectory(jobFolderUri(this.storage, jobId));
    await rm(jobLogPath(this.options.logDir, jobId), { force: true });
  }

  async readSpec(jobId: string): Promise<JobSpec | undefined> {
    return (await this.readJson(jobId, JOB_FILES.spec)) as JobSpec | undefined;
  }

  async readProgress(jobId: string): Promise<JobProgress | undefined> {
    const raw = await this.readJson(jobId, JOB_FILES.progress);
    const parsed = jobProgressSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  async readResult(jobId: string): Promise<JobResult | undefined> {
    const raw = await this.readJson(jobId, JOB_FILES.result);
    const parsed = jobResultSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  /** A live worker process for this spec, started by an earlier bot process (Linux /proc). */
  private findWorkerProcess(specUri: string): number | undefined {
    let entries: string[];
    try {
      entries = readdirSync("/proc");
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        if (isWorkerCommand(cmdline) && cmdline.includes(specUri)) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
