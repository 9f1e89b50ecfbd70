/**
 * LocalPredictionProvider: predictions on this machine, in a worker process, through the job channel.
 * Contracts: ../provider-interface.ts (CloudPredictionProvider).
 */

import { CloudPredictionError, errorFromResponse } from "../../errors.js";
import type { JobQueue } from "../job-queue.js";
import type { PredictJobSpec } from "../job-spec.js";
import type {
  CloudPredictionProvider,
  PredictionRequest,
  PredictionResult,
  PredictionStatus,
} from "../provider-interface.js";

const WAIT_POLL_MS = 150;

export class LocalPredictionProvider implements CloudPredictionProvider {
  readonly provider = "local" as const;

  constructor(
    private readonly runner: JobQueue,
    private readonly deadlineMinutes = 15,
  ) {}

  async invokePrediction(request: PredictionRequest, signal?: AbortSignal): Promise<PredictionResult> {
    const jobId = await this.invokeAsync(request);
    for (;;) {
      if (signal?.aborted) {
        await this.runner.cancel(jobId);
        throw new CloudPredictionError("The prediction was cancelled.", { jobId });
      }
      const status = await this.checkJobStatus(jobId);
      if (status.status === "complete" && status.result) return status.result;
      if (status.status === "failed")
        throw errorFromResponse({ ...status.error!, details: {}, timestamp: "" });
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    }
  }

  async invokeAsync(request: PredictionRequest): Promise<string> {
    const now = Date.now();
    const spec: PredictJobSpec = {
      kind: "predict",
      jobId: request.jobId,
      userId: request.userId,
      modelUri: request.modelUri,
      dataUri: request.dataUri,
      outputUri: request.outputUri,
      predictionColumn: request.predictionColumnName ?? "prediction",
      featureColumns: request.featureColumns,
      probabilities: request.probabilities ?? false,
      deadline: new Date(now + this.deadlineMinutes * 60_000).toISOString(),
      createdAt: new Date(now).toISOString(),
    };
    await this.runner.submit(spec);
    return request.jobId;
  }

  async checkJobStatus(jobId: string): Promise<PredictionStatus> {
    const status = await this.runner.status(jobId);
    if (status.result?.status === "succeeded") {
      const summary = status.result.summary;
      return {
        jobId,
        status: "complete",
        progress: 100,
        result: {
          success: true,
          outputUri: status.result.outputUri,
          numPredictions: Number(summary.numPredictions ?? 0),
          executionTime: Number(summary.executionTime ?? status.result.runtimeSeconds),
          cost: 0,
          summary,
        },
      };
    }
    if (status.result) return { jobId, status: "failed", progress: 0, error: status.result.error };
    if (status.state === "queued") return { jobId, status: "pending", progress: 0 };
    return { jobId, status: "running", progress: status.progress?.percent ?? 0 };
  }
}
