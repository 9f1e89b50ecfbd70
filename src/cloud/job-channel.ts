/**
 * The bot's side of the worker ↔ bot channel (jobs/{jobId}/… in a provider's storage, schemas in job-spec.ts),
 * shared by the cloud compute providers: write the spec once, read progress, log and result, and keep the
 * bot's own record of the compute a job used (compute.json: every instance or pod with its rate and times),
 * so costs survive a bot restart and a pod that has already vanished.
 */
import { AppError, ObjectNotFoundError } from "../errors.js";
import type { CostSegment } from "./budget.js";
import {
  JOB_FILES,
  JOB_STAGING,
  type JobProgress,
  type JobResult,
  type JobSpec,
  jobLogLineSchema,
  jobProgressSchema,
  jobResultSchema,
  jobSpecSchema,
  type TrainJobSpec,
} from "./job-spec.js";
import type { CloudStorageProvider, ProviderName, TrainingLaunchConfig } from "./provider-interface.js";
import { classifyError, transientDetails, withRetry } from "./retry.js";

/** The bot's record of the compute behind a job. Written only by the bot, never by a worker. */
export const COMPUTE_FILE = "compute.json";

export interface ComputeRecord {
  provider: ProviderName;
  computeType: string;
  spot: boolean;
  launchedAt: string;
  deadline: string;
  estimatedCost: number;
  /** Every piece of compute the job used, in order (a spot relaunch adds one). */
  segments: CostSegment[];
  /** A provider-side id that is not a machine (a RunPod Serverless request id). */
  externalId?: string;
}

const READ_RETRY_BUDGET_MS = 5_000;

/** Marks a storage read that failed on the wire, so the one retry policy retries it. */
class RetryableRead extends AppError {
  constructor(readonly original: unknown) {
    super("Storage read interrupted.", transientDetails());
  }
}

export interface ChannelSnapshot {
  spec?: JobSpec;
  progress?: JobProgress;
  result?: JobResult;
}

export class JobChannel {
  constructor(readonly storage: CloudStorageProvider) {}

  uri(jobId: string, file: string): string {
    return this.storage.jobUri(jobId, file);
  }

  /** Writes the spec unless one is already there; returns the stored one (a re-launch keeps its deadline). */
  async writeSpecOnce<S extends JobSpec>(spec: S): Promise<S> {
    const existing = await this.readSpec(spec.jobId);
    if (existing) return existing as S;
    await this.storage.writeBytes(this.uri(spec.jobId, JOB_FILES.spec), JSON.stringify(spec));
    return spec;
  }

  async readSpec(jobId: string): Promise<JobSpec | undefined> {
    const parsed = jobSpecSchema.safeParse(await this.readJson(jobId, JOB_FILES.spec));
    return parsed.success ? parsed.data : undefined;
  }

  async readProgress(jobId: string): Promise<JobProgress | undefined> {
    const parsed = jobProgressSchema.safeParse(await this.readJson(jobId, JOB_FILES.progress));
    return parsed.success ? parsed.data : undefined;
  }

  async readResult(jobId: string): Promise<JobResult | undefined> {
    const parsed = jobResultSchema.safeParse(await this.readJson(jobId, JOB_FILES.result));
    return parsed.success ? parsed.data : undefined;
  }

  async snapshot(jobId: string): Promise<ChannelSnapshot> {
    const [spec, progress, result] = await Promise.all([
      this.readSpec(jobId),
      this.readProgress(jobId),
      this.readResult(jobId),
    ]);
    return { spec, progress, result };
  }

  /** Every log message so far, oldest first. */
  async readLogs(jobId: string): Promise<string[]> {
    const bytes = await this.readBytes(jobId, JOB_FILES.log);
    if (!bytes) return [];
    const lines: string[] = [];
    for (const line of Buffer.from(bytes).toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        const parsed = jobLogLineSchema.safeParse(JSON.parse(line));
        if (parsed.success) lines.push(parsed.data.message);
      } catch {
        // a torn last line while the worker rewrites the log
      }
    }
    return lines;
  }

  /** A bot-side record next to the job (compute.json, invocation.json). */
  async readRecord(jobId: string, file: string): Promise<unknown> {
    return this.readJson(jobId, file);
  }

  async writeRecord(jobId: string, file: string, value: unknown): Promise<void> {
    await this.storage.writeBytes(this.uri(jobId, file), JSON.stringify(value));
  }

  async readCompute(jobId: string): Promise<ComputeRecord | undefined> {
    return (await this.readJson(jobId, COMPUTE_FILE)) as ComputeRecord | undefined;
  }

  async writeCompute(jobId: string, record: ComputeRecord): Promise<void> {
    await this.storage.writeBytes(this.uri(jobId, COMPUTE_FILE), JSON.stringify(record));
  }

  /** Closes the open segment of `resourceId` (the provider confirmed it gone); a no-op when already closed. */
  async closeSegment(jobId: string, resourceId: string, endedAt: string): Promise<ComputeRecord | undefined> {
    const record = await this.readCompute(jobId);
    const open = record?.segments.find((s) => s.resourceId === resourceId && !s.endedAt);
    if (!record || !open) return record;
    open.endedAt = endedAt;
    await this.writeCompute(jobId, record);
    return record;
  }

  /**
   * Writes a final result when the worker could not (its compute was terminated, or vanished): a cancel shows
   * as cancelled, not as "stopped without a result". Never overwrites the worker's own result.
   */
  async endIfMissing(jobId: string, status: "failed" | "cancelled", error: AppError): Promise<JobResult> {
    const existing = await this.readResult(jobId);
    if (existing) return existing;
    const spec = await this.readSpec(jobId);
    const runtimeSeconds = spec ? Math.max(0, (Date.now() - Date.parse(spec.createdAt)) / 1000) : 0;
    const result: JobResult = {
      status,
      finishedAt: new Date().toISOString(),
      runtimeSeconds,
      error: error.toJSON(),
    };
    await this.storage.writeBytes(this.uri(jobId, JOB_FILES.result), JSON.stringify(result));
    return result;
  }

  /**
   * Forgets a run's outcome before the job is relaunched elsewhere (a spot interruption looks like a
   * SIGTERM from inside, so the worker wrote "cancelled"); the relaunched worker writes its own.
   */
  async clearOutcome(jobId: string): Promise<void> {
    await this.storage.delete(this.uri(jobId, JOB_FILES.result));
    await this.storage.delete(this.uri(jobId, JOB_FILES.progress));
  }

  /** New log lines as they appear, until `isDone()` says the job ended (then one last read). */
  async *pollLogs(
    jobId: string,
    isDone: () => Promise<boolean>,
    intervalMs: number,
    signal?: AbortSignal,
  ): AsyncIterable<string> {
    let seen = 0;
    while (!signal?.aborted) {
      const done = await isDone();
      const lines = await this.readLogs(jobId);
      for (const line of lines.slice(seen)) yield line;
      seen = Math.max(seen, lines.length);
      if (done) return;
      await sleep(intervalMs, signal);
    }
  }

  /** A small read, retried briefly when the connection dropped mid-body (the SDK does not retry those). */
  private async readBytes(jobId: string, file: string): Promise<Uint8Array | undefined> {
    try {
      return await withRetry(
        async () => {
          try {
            return await this.storage.readBytes(this.uri(jobId, file));
          } catch (error) {
            const cause = (error as { cause?: unknown }).cause;
            if (cause && classifyError(cause).action !== "stop") throw new RetryableRead(error);
            throw error;
          }
        },
        { deadlineMs: READ_RETRY_BUDGET_MS, maxAttempts: 5 },
      );
    } catch (error) {
      const original = error instanceof RetryableRead ? error.original : error;
      if (original instanceof ObjectNotFoundError) return undefined;
      throw original;
    }
  }

  private async readJson(jobId: string, file: string): Promise<unknown> {
    const bytes = await this.readBytes(jobId, file);
    if (!bytes) return undefined;
    try {
      return JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      return undefined; // mid-rewrite; the next poll reads it whole
    }
  }
}

/**
 * The job spec a worker receives: the same shape everywhere. A cloud worker (`cloud` given) writes its model to
 * the job's own folder and signs it with its per-job key; a local one writes to the user's models directly.
 */
export function trainSpecFrom(
  config: TrainingLaunchConfig,
  storage: CloudStorageProvider,
  trainedOn: string,
  now = new Date(),
  cloud?: { jobKey: string; gpu?: boolean },
): TrainJobSpec {
  return {
    kind: "train",
    jobId: config.jobId,
    userId: config.userId,
    modelId: config.modelId,
    modelName: config.modelName,
    datasetUri: config.datasetUri,
    outputUri: cloud
      ? `${storage.jobUri(config.jobId, JOB_STAGING.modelDir)}/`
      : storage.modelUri(config.userId, config.modelId),
    jobKey: cloud?.jobKey,
    modelType: config.modelType,
    task: config.taskType,
    target: config.targetColumn,
    features: config.featureColumns,
    hyperparameters: config.hyperparameters,
    testSize: config.testSize ?? 0.2,
    seed: 42,
    scaling: config.preprocessing?.scaling ?? "standard",
    trainedOn,
    // GPU compute trains on its GPU (the worker falls back to the CPU, and says so, without an adapter).
    device: cloud?.gpu ? "gpu" : "auto",
    language: config.language ?? "en",
    deadline: config.deadline,
    createdAt: now.toISOString(),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
