/**
 * LocalTrainingProvider: training on this machine, through the same worker and job channel as the cloud.
 * Contracts: ../provider-interface.ts (CloudTrainingProvider).
 */

import { ObjectNotFoundError } from "../../errors.js";
import { trainSpecFrom } from "../job-channel.js";
import type { JobQueue } from "../job-queue.js";
import type { JobProgress } from "../job-spec.js";
import { JOB_FILES, jobLogLineSchema } from "../job-spec.js";
import {
  type CloudTrainingProvider,
  type TrainingJob,
  type TrainingLaunchConfig,
  type TrainingStatus,
  trainingStatusOf,
} from "../provider-interface.js";

const LOG_POLL_MS = 1000;

export class LocalTrainingProvider implements CloudTrainingProvider {
  readonly provider = "local" as const;

  constructor(
    private readonly runner: JobQueue,
    private readonly storage: import("../provider-interface.js").CloudStorageProvider,
  ) {}

  /** Always this machine; the seed's arguments (size, model, estimate) do not change that. */
  async selectComputeType(
    _datasetSizeMb?: number,
    _modelType?: string,
    _estimatedMinutes?: number,
  ): Promise<string> {
    return "local";
  }

  async launchTraining(config: TrainingLaunchConfig): Promise<TrainingJob> {
    const spec = trainSpecFrom(config, this.storage, "local");
    const stored = await this.runner.submit(spec);
    const status = await this.runner.status(config.jobId);
    return {
      jobId: config.jobId,
      status: status.state === "queued" ? "queued" : status.state === "finished" ? "complete" : "running",
      launchTime: stored.createdAt,
      computeType: "local",
      estimatedCost: 0,
      hourlyRate: 0,
      deadline: stored.deadline,
    };
  }

  async monitorTraining(jobId: string): Promise<TrainingStatus> {
    const status = await this.runner.status(jobId);
    const spec = await this.runner.readSpec(jobId);
    if (!spec) throw new ObjectNotFoundError(`No training job ${jobId}.`, { jobId });
    const runtimeSeconds = Math.max(0, (Date.now() - Date.parse(spec.createdAt)) / 1000);
    const base = {
      jobId,
      runtimeSeconds,
      logs: await this.lastLogLines(jobId, 10),
      costSoFar: 0,
    };
    if (status.result) {
      const r = status.result;
      if (r.status === "succeeded") {
        return {
          ...base,
          status: "complete",
          progress: 100,
          runtimeSeconds: r.runtimeSeconds,
          outputUri: r.outputUri,
          summary: r.summary,
        };
      }
      return {
        ...base,
        status: r.status,
        progress: status.progress?.percent ?? 0,
        runtimeSeconds: r.runtimeSeconds,
        error: r.error,
      };
    }
    if (status.state === "queued") {
      return {
        ...base,
        status: "queued",
        progress: 0,
        queuePosition: status.queuePosition,
        message: `Queued (position ${status.queuePosition})`,
      };
    }
    if (status.state === "unknown") {
      // Known to storage but not to this process (it was queued, or running, when the bot restarted):
      // submitting again adopts a worker that is still running, or queues the job again.
      await this.runner.submit(spec);
      const again = await this.runner.status(jobId);
      if (again.state === "queued") {
        return { ...base, status: "queued", progress: 0, queuePosition: again.queuePosition };
      }
      return { ...base, ...fromProgress(again.progress) };
    }
    return { ...base, ...fromProgress(status.progress) };
  }

  async terminateTraining(jobId: string): Promise<string> {
    await this.runner.cancel(jobId);
    return jobId;
  }

  async *pollTrainingLogs(jobId: string, signal?: AbortSignal): AsyncIterable<string> {
    let seen = 0;
    while (!signal?.aborted) {
      const lines = await this.logLines(jobId);
      for (const line of lines.slice(seen)) yield line;
      seen = lines.length;
      if ((await this.runner.status(jobId)).state === "finished") {
        const last = await this.logLines(jobId);
        for (const line of last.slice(seen)) yield line;
        return;
      }
      await new Promise((r) => setTimeout(r, LOG_POLL_MS));
    }
  }

  private async lastLogLines(jobId: string, n: number): Promise<string[]> {
    return (await this.logLines(jobId)).slice(-n);
  }

  private async logLines(jobId: string): Promise<string[]> {
    let text: string;
    try {
      text = Buffer.from(await this.storage.readBytes(this.storage.jobUri(jobId, JOB_FILES.log))).toString(
        "utf8",
      );
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return [];
      throw error;
    }
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => jobLogLineSchema.safeParse(JSON.parse(line)))
      .filter((p) => p.success)
      .map((p) => p.data.message);
  }
}

/**
 * Status from progress.json alone. The worker marks progress finished just before it writes result.json, so
 * a finished progress without a result still counts as running: only result.json ends a job.
 */
function fromProgress(
  progress: JobProgress | undefined,
): Pick<TrainingStatus, "status" | "progress" | "phase" | "message"> {
  if (!progress) return { status: "launching", progress: 0, message: "Starting the worker" };
  const status = trainingStatusOf(progress.state);
  const ended = status === "complete" || status === "failed" || status === "cancelled";
  return {
    status: ended ? "running" : status,
    progress: progress.percent,
    phase: progress.phase,
    message: progress.message,
  };
}
