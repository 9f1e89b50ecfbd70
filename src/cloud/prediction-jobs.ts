/**
 * What Lambda and RunPod Serverless predictions share: staging the model (re-signed with the job's own key:
 * the function never holds MODEL_SIGNING_KEY) and the data into the job's folder in the provider's storage, the
 * job's spec (the same schema the worker validates) written once, the invocation record that lets
 * checkJobStatus work after a bot restart, and the outcome read from the job channel, with the predictions
 * copied back to where the bot asked for them. `release` removes what the job left in the provider's storage.
 */
import { basename } from "node:path";
import { AppError, errorFromResponse } from "../errors.js";
import { JobChannel } from "./job-channel.js";
import { jobSigningKey } from "./job-keys.js";
import type { PredictJobSpec } from "./job-spec.js";
import type {
  CloudStorageProvider,
  PredictionRequest,
  PredictionResult,
  PredictionStatus,
  ProviderName,
} from "./provider-interface.js";
import { modelIdOf } from "./signed-model.js";
import {
  copyObject,
  owns,
  releaseJob,
  type StorageResolver,
  stageDataset,
  stageModelForJob,
} from "./staging.js";

export const INVOCATION_FILE = "invocation.json";

/** The original's thresholds: past either, a prediction runs asynchronously. */
export const SYNC_MAX_ROWS = 10_000;
export const SYNC_MAX_BYTES = 6 * 1024 * 1024;

export interface InvocationRecord {
  provider: ProviderName;
  mode: "sync" | "async";
  invokedAt: string;
  /** Where the bot wants the predictions (often its own storage). */
  requestedOutputUri: string;
  /** Where the worker writes them (the provider's storage). */
  workerOutputUri: string;
  /** Dollars per second of execution, captured at invocation (Lambda: per GB-second × memory). */
  pricePerSecond: number;
  /** Fixed dollars per invocation (Lambda's request price). */
  pricePerRequest: number;
  /** The provider's own id (a RunPod Serverless job id). */
  externalId?: string;
  /** Seconds the provider billed, when it says (Lambda's "Billed Duration"); else the worker's time is used. */
  billedSeconds?: number;
}

export interface PredictionJobsOptions {
  provider: ProviderName;
  storage: CloudStorageProvider;
  resolveStorage: StorageResolver;
  /** MODEL_SIGNING_KEY: checks the stored model, and derives the job key it is staged with. */
  signingKey: string;
  /** The deadline written in the spec. */
  deadlineMinutes: number;
  now?: () => Date;
}

/** Small inputs run synchronously; unknown sizes are treated as large (asynchronous works for any size). */
export function isSmallInput(request: PredictionRequest): boolean {
  if (request.nRows === undefined || request.dataSizeBytes === undefined) return false;
  return request.nRows <= SYNC_MAX_ROWS && request.dataSizeBytes <= SYNC_MAX_BYTES;
}

export class PredictionJobs {
  readonly channel: JobChannel;

  constructor(private readonly o: PredictionJobsOptions) {
    this.channel = new JobChannel(o.storage);
  }

  private now(): Date {
    return this.o.now ? this.o.now() : new Date();
  }

  /** Stages inputs, writes the spec once, and returns it (with the stored invocation record, if any). */
  async prepare(
    request: PredictionRequest,
  ): Promise<{ spec: PredictJobSpec; invocation?: InvocationRecord }> {
    const existing = await this.channel.readSpec(request.jobId);
    if (existing?.kind === "predict")
      return { spec: existing, invocation: await this.invocation(request.jobId) };
    const storage = this.o.storage;
    const modelId = modelIdOf(request.modelUri);
    const job = { jobId: request.jobId, userId: request.userId, modelId };
    const modelUri = await stageModelForJob(request.modelUri, storage, this.o.resolveStorage, {
      ...job,
      signingKey: this.o.signingKey,
    });
    const dataUri = await stageDataset(request.dataUri, storage, this.o.resolveStorage, job);
    // The worker writes into the job's folder; the bot copies the file to where it was asked for.
    const outputUri = owns(storage, request.outputUri)
      ? request.outputUri
      : storage.jobUri(request.jobId, basename(request.outputUri) || "predictions.csv");
    const now = this.now();
    const spec: PredictJobSpec = {
      kind: "predict",
      jobId: request.jobId,
      userId: request.userId,
      modelUri,
      modelId,
      jobKey: jobSigningKey(this.o.signingKey, job),
      dataUri,
      outputUri,
      predictionColumn: request.predictionColumnName ?? "prediction",
      featureColumns: request.featureColumns,
      probabilities: request.probabilities ?? false,
      deadline: new Date(now.getTime() + this.o.deadlineMinutes * 60_000).toISOString(),
      createdAt: now.toISOString(),
    };
    return { spec: await this.channel.writeSpecOnce(spec) };
  }

  async invocation(jobId: string): Promise<InvocationRecord | undefined> {
    return (await this.channel.readRecord(jobId, INVOCATION_FILE)) as InvocationRecord | undefined;
  }

  async saveInvocation(jobId: string, record: InvocationRecord): Promise<void> {
    await this.channel.writeRecord(jobId, INVOCATION_FILE, record);
  }

  /**
   * The job's outcome from result.json, or undefined while it runs. A success copies the predictions to the
   * requested URI (once) and is priced from the worker's execution time.
   */
  async outcome(jobId: string): Promise<PredictionStatus | undefined> {
    const result = await this.channel.readResult(jobId);
    if (!result) return undefined;
    if (result.status !== "succeeded") return { jobId, status: "failed", progress: 0, error: result.error };
    const invocation = await this.invocation(jobId);
    const executionTime = Number(result.summary.executionTime ?? result.runtimeSeconds);
    const outputUri = await this.deliver(jobId, result.outputUri, invocation);
    const billed = invocation?.billedSeconds ?? executionTime;
    const cost = invocation ? invocation.pricePerRequest + invocation.pricePerSecond * billed : 0;
    const prediction: PredictionResult = {
      success: true,
      outputUri,
      numPredictions: Number(result.summary.numPredictions ?? 0),
      executionTime,
      cost,
      summary: result.summary,
    };
    return { jobId, status: "complete", progress: 100, result: prediction };
  }

  /** Progress the worker reported, for a job still running. */
  async progress(jobId: string): Promise<number> {
    return (await this.channel.readProgress(jobId))?.percent ?? 0;
  }

  /** Removes the job's folder (staged inputs, the worker's predictions, the channel) from the provider. */
  release(jobId: string): Promise<void> {
    return releaseJob(this.o.storage, jobId);
  }

  private async deliver(jobId: string, workerUri: string, invocation?: InvocationRecord): Promise<string> {
    const wanted = invocation?.requestedOutputUri;
    if (!wanted || wanted === workerUri) return workerUri;
    const spec = await this.channel.readSpec(jobId);
    const target = this.o.resolveStorage(wanted);
    const scope = { userId: spec?.userId ?? 0 };
    if (!(await target.exists(wanted, scope))) {
      // From the job's folder (no user scope there) to the user's own results.
      await copyObject(workerUri, wanted, this.o.storage, target, { to: scope });
    }
    return wanted;
  }
}

/** A failed status as the error to throw from invokePrediction. */
export function errorOf(status: PredictionStatus): AppError {
  const e = status.error;
  if (!e) return new AppError("The prediction failed without a reason.");
  return errorFromResponse({ ...e, details: {}, timestamp: new Date().toISOString() });
}
