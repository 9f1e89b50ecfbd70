/**
 * LambdaManager: predictions on AWS Lambda (contracts in ../provider-interface.ts, seed §5). Small inputs are
 * invoked synchronously (RequestResponse); large ones (over 10,000 rows or past the 6 MB sync payload) as an
 * Event, with their status tracked through the job channel so that checkJobStatus works after a restart.
 * The function is the bundled prediction handler (src/worker/lambda.ts); it writes predictions and
 * result.json to S3 either way. Timeouts map to LambdaTimeoutError 4001.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { readFile } from "node:fs/promises";
import {
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandOutput,
  InvokeCommand,
  type InvokeCommandOutput,
  type LambdaClient,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { type Logger, pino } from "pino";
import {
  type AppError,
  CloudConfigurationError,
  CloudPredictionError,
  errorFromResponse,
  LambdaTimeoutError,
  ObjectNotFoundError,
} from "../../errors.js";
import type { PredictJobSpec } from "../job-spec.js";
import { errorOf, type InvocationRecord, isSmallInput, PredictionJobs } from "../prediction-jobs.js";
import { LAMBDA_GB_SECOND_PRICE, LAMBDA_REQUEST_PRICE } from "../pricing.js";
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  PredictionRequest,
  PredictionResult,
  PredictionStatus,
} from "../provider-interface.js";
import type { StorageResolver } from "../staging.js";

/**
 * The Node.js runtimes AWS Lambda supports and has not scheduled for deprecation, from
 * docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html as of 2026-12-06 (nodejs20.x reached end of support
 * with Node 20 in April 2026; nodejs24.x arrived in November 2025). deploy/aws/template.json uses nodejs22.x.
 */
export const SUPPORTED_LAMBDA_RUNTIMES: readonly string[] = ["nodejs22.x", "nodejs24.x"];

/** Lambda's payload limits: 6 MB for RequestResponse, 1 MB for Event. */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
export const EVENT_PAYLOAD_LIMIT_BYTES = 1024 * 1024;
/** After the function's timeout, a silent async job is declared timed out this much later. */
const ASYNC_TIMEOUT_MARGIN_MS = 30_000;

export interface LambdaManagerOptions {
  lambda: LambdaClient;
  /** S3 storage: the function reads models and data there and writes predictions and result.json. */
  storage: CloudStorageProvider;
  functionName: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Where the model and the data to stage are read from (the bot's storage). */
  resolveStorage: StorageResolver;
  /** MODEL_SIGNING_KEY: checks the model before staging, derives the job key. Never leaves the bot. */
  signingKey: string;
  logger?: Logger;
  now?: () => Date;
  /** Between status checks while invokePrediction waits for an async job. Default 2 s. */
  pollIntervalMs?: number;
  /** Between checks while updateFunctionCode waits for the update. Default 2 s. */
  updatePollMs?: number;
}

export class LambdaManager implements CloudPredictionProvider {
  readonly provider = "aws" as const;
  private readonly jobs: PredictionJobs;
  private readonly logger: Logger;

  constructor(private readonly o: LambdaManagerOptions) {
    this.logger = o.logger ?? pino({ level: "silent" });
    this.jobs = new PredictionJobs({
      provider: "aws",
      storage: o.storage,
      resolveStorage: o.resolveStorage,
      signingKey: o.signingKey,
      deadlineMinutes: Math.ceil(o.timeoutSeconds / 60),
      now: o.now,
    });
  }

  private now(): Date {
    return this.o.now ? this.o.now() : new Date();
  }

  async invokePrediction(request: PredictionRequest, signal?: AbortSignal): Promise<PredictionResult> {
    const { spec, invocation } = await this.jobs.prepare(request);
    let status = await this.jobs.outcome(request.jobId);
    if (!status && !invocation) {
      if (isSmallInput(request)) status = await this.invokeSync(spec, request, signal);
      else await this.invokeEvent(spec, request);
    }
    const until = Date.now() + this.o.timeoutSeconds * 1000 + ASYNC_TIMEOUT_MARGIN_MS * 2;
    while (!status || status.status === "pending" || status.status === "running") {
      if (Date.now() >= until)
        throw new LambdaTimeoutError("The prediction did not finish in time.", { jobId: request.jobId });
      await sleep(this.o.pollIntervalMs ?? 2_000, signal);
      status = await this.checkJobStatus(request.jobId);
    }
    if (status.status === "failed" || !status.result) throw errorOf(status);
    return status.result;
  }

  async invokeAsync(request: PredictionRequest): Promise<string> {
    const { spec, invocation } = await this.jobs.prepare(request);
    if (!invocation && !(await this.jobs.outcome(request.jobId))) await this.invokeEvent(spec, request);
    return request.jobId;
  }

  releaseJob(jobId: string): Promise<void> {
    return this.jobs.release(jobId);
  }

  async checkJobStatus(jobId: string): Promise<PredictionStatus> {
    const done = await this.jobs.outcome(jobId);
    if (done) return done;
    if (!(await this.jobs.channel.readSpec(jobId)))
      throw new ObjectNotFoundError(`No prediction job ${jobId}.`, { jobId });
    const invocation = await this.jobs.invocation(jobId);
    if (!invocation) return { jobId, status: "pending", progress: 0 };
    const age = this.now().getTime() - Date.parse(invocation.invokedAt);
    if (age > this.o.timeoutSeconds * 1000 + ASYNC_TIMEOUT_MARGIN_MS) {
      const error = new LambdaTimeoutError(
        `The prediction function did not finish within its ${this.o.timeoutSeconds} s limit.`,
        { jobId, functionName: this.o.functionName },
      );
      const result = await this.jobs.channel.endIfMissing(jobId, "failed", error);
      if (result.status === "succeeded") return (await this.jobs.outcome(jobId)) as PredictionStatus;
      return { jobId, status: "failed", progress: 0, error: result.error };
    }
    const progress = await this.jobs.progress(jobId);
    return { jobId, status: progress > 0 ? "running" : "pending", progress };
  }

  /** The function's configuration, or undefined when it does not exist (for offers and `npm run doctor`). */
  async functionConfiguration(): Promise<GetFunctionConfigurationCommandOutput | undefined> {
    try {
      return await this.o.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: this.o.functionName }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  /** True when the function exists and can be invoked (not failed or inactive). */
  async isAvailable(): Promise<boolean> {
    const config = await this.functionConfiguration();
    return config !== undefined && config.State !== "Failed" && config.State !== "Inactive";
  }

  /** The seed's update_function_code: uploads the zip (npm run build:lambda) and waits until it is live. */
  async updateFunctionCode(zipPath: string): Promise<void> {
    const zip = await readFile(zipPath);
    await this.o.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: this.o.functionName, ZipFile: zip, Publish: true }),
    );
    const until = Date.now() + 5 * 60_000;
    for (;;) {
      const config = await this.o.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: this.o.functionName }),
      );
      if (config.LastUpdateStatus === "Successful") return;
      if (config.LastUpdateStatus === "Failed") {
        throw new CloudConfigurationError(
          `The Lambda update failed: ${config.LastUpdateStatusReason ?? "no reason given"}.`,
          {
            functionName: this.o.functionName,
          },
        );
      }
      if (Date.now() >= until)
        throw new CloudConfigurationError("The Lambda update did not finish in 5 minutes.", {});
      await sleep(this.o.updatePollMs ?? 2_000);
    }
  }

  private record(request: PredictionRequest, spec: PredictJobSpec, mode: "sync" | "async"): InvocationRecord {
    return {
      provider: "aws",
      mode,
      invokedAt: this.now().toISOString(),
      requestedOutputUri: request.outputUri,
      workerOutputUri: spec.outputUri,
      pricePerSecond: (LAMBDA_GB_SECOND_PRICE * this.o.memoryMb) / 1024,
      pricePerRequest: LAMBDA_REQUEST_PRICE,
    };
  }

  private payload(spec: PredictJobSpec, limit: number): Uint8Array {
    const bytes = new TextEncoder().encode(JSON.stringify(spec));
    if (bytes.length > limit) {
      throw new CloudPredictionError("The prediction request is too large for Lambda.", {
        bytes: bytes.length,
        limit,
      });
    }
    return bytes;
  }

  private async invokeEvent(spec: PredictJobSpec, request: PredictionRequest): Promise<void> {
    const out = await this.o.lambda.send(
      new InvokeCommand({
        FunctionName: this.o.functionName,
        InvocationType: "Event",
        Payload: this.payload(spec, EVENT_PAYLOAD_LIMIT_BYTES),
      }),
    );
    if (out.StatusCode !== 202) {
      throw new CloudPredictionError(`Lambda did not queue the prediction (status ${out.StatusCode}).`, {});
    }
    await this.jobs.saveInvocation(request.jobId, this.record(request, spec, "async"));
    this.logger.info({ jobId: request.jobId }, "Lambda prediction queued (Event)");
  }

  private async invokeSync(
    spec: PredictJobSpec,
    request: PredictionRequest,
    signal?: AbortSignal,
  ): Promise<PredictionStatus> {
    const record = this.record(request, spec, "sync");
    await this.jobs.saveInvocation(request.jobId, record);
    let out: InvokeCommandOutput;
    try {
      out = await this.o.lambda.send(
        new InvokeCommand({
          FunctionName: this.o.functionName,
          InvocationType: "RequestResponse",
          LogType: "Tail",
          Payload: this.payload(spec, SYNC_PAYLOAD_LIMIT_BYTES),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (signal?.aborted || !isTimeout(error)) throw error;
      throw new LambdaTimeoutError(
        "Lambda did not answer in time.",
        { jobId: request.jobId },
        { cause: error },
      );
    }
    const billed = billedSecondsOf(out.LogResult);
    if (billed !== undefined)
      await this.jobs.saveInvocation(request.jobId, { ...record, billedSeconds: billed });
    const body = parsePayload(out.Payload);
    if (out.FunctionError) {
      const error = functionErrorOf(body, request.jobId);
      await this.jobs.channel.endIfMissing(request.jobId, "failed", error);
      throw error;
    }
    const outcome = await this.jobs.outcome(request.jobId);
    if (outcome) return outcome;
    const response = body as { status?: string; error?: Parameters<typeof errorFromResponse>[0] };
    if (response?.status === "failed" && response.error) throw errorFromResponse(response.error);
    throw new CloudPredictionError("Lambda answered, but no result was stored.", { jobId: request.jobId });
  }
}

function parsePayload(payload: Uint8Array | undefined): unknown {
  if (!payload?.length) return undefined;
  try {
    return JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** An unhandled function error: "Task timed out after 900.00 seconds" is a timeout; anything else a failure. */
function functionErrorOf(body: unknown, jobId: string): AppError {
  const { errorMessage, errorType } = (body ?? {}) as { errorMessage?: string; errorType?: string };
  if (/Task timed out/i.test(errorMessage ?? "")) {
    return new LambdaTimeoutError("The prediction function ran out of time.", {
      jobId,
      lambda: errorMessage,
    });
  }
  return new CloudPredictionError(
    `The prediction function failed (${errorType ?? "error"}: ${errorMessage ?? "no message"}).`,
    {
      jobId,
    },
  );
}

/** "REPORT RequestId: … Billed Duration: 1234 ms …" from the base64 log tail of a RequestResponse call. */
export function billedSecondsOf(logResult: string | undefined): number | undefined {
  if (!logResult) return undefined;
  const match = /Billed Duration: (\d+) ms/.exec(Buffer.from(logResult, "base64").toString("utf8"));
  return match ? Number(match[1]) / 1000 : undefined;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? "";
  return (
    name === "TimeoutError" || name === "RequestTimeout" || (error as { code?: string })?.code === "ETIMEDOUT"
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
