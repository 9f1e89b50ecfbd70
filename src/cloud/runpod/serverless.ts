/**
 * RunPodServerlessManager: predictions on a RunPod Serverless endpoint (contracts in ../provider-interface.ts,
 * facts in runpod-api.md §4). Small inputs go through `/runsync`, large ones through `/run` + `/status`.
 * Every status is handled (IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED, TIMED_OUT, and the 404 of
 * an expired job); only `status` decides completion, never the presence of `output`. The worker writes the
 * predictions and result.json to storage, because RunPod keeps results for 30 minutes only; the job's TTL
 * and execution timeout are always set, so nothing waits forever.
 */
import { type Logger, pino } from "pino";
import {
  type AppError,
  CloudPredictionError,
  type ErrorResponse,
  ObjectNotFoundError,
} from "../../errors.js";
import { errorOf, type InvocationRecord, isSmallInput, PredictionJobs } from "../prediction-jobs.js";
import { RUNPOD_SERVERLESS_SECOND_PRICE } from "../pricing.js";
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  PredictionRequest,
  PredictionResult,
  PredictionStatus,
} from "../provider-interface.js";
import { withRetry } from "../retry.js";
import type { StorageResolver } from "../staging.js";
import type { RunPodServerlessClient, ServerlessAnswer, ServerlessJobStatus } from "./serverless-client.js";

export interface RunPodServerlessOptions {
  client: RunPodServerlessClient;
  /** The storage the endpoint's workers use (the network volume, usually). */
  storage: CloudStorageProvider;
  /** Where the model and the data to stage are read from (the bot's storage). */
  resolveStorage: StorageResolver;
  /** MODEL_SIGNING_KEY: checks the model before staging, derives the job key. Never leaves the bot. */
  signingKey: string;
  logger?: Logger;
  now?: () => Date;
  /** $ per second of execution (default: the smallest pool's flex price, pricing.ts). */
  pricePerSecond?: number;
  /** How long /runsync may hold the request (its `wait`); must stay under the client timeout. Default 60 s. */
  runsyncWaitMs?: number;
  /** Between /status polls. Default 2 s. */
  pollIntervalMs?: number;
  /** invokePrediction gives up waiting after this. Default 15 min. */
  maxWaitMs?: number;
  /** policy.executionTimeout. Default 10 min. */
  executionTimeoutMs?: number;
  /** policy.ttl (queue + run). Default 1 h. */
  ttlMs?: number;
  /** A 404 this soon after submitting means "not visible yet", not "expired". Default 10 s. */
  freshJobGraceMs?: number;
}

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"]);
/** runpod-api.md §4: request bodies up to 10 MB on /run and 20 MB on /runsync. */
export const PAYLOAD_LIMIT_BYTES = { run: 10 * 1024 * 1024, runsync: 20 * 1024 * 1024 } as const;

export class RunPodServerlessManager implements CloudPredictionProvider {
  readonly provider = "runpod" as const;
  private readonly jobs: PredictionJobs;
  private readonly logger: Logger;

  constructor(private readonly o: RunPodServerlessOptions) {
    this.logger = o.logger ?? pino({ level: "silent" });
    const maxMinutes = (o.ttlMs ?? 3_600_000) / 60_000;
    this.jobs = new PredictionJobs({
      provider: "runpod",
      storage: o.storage,
      resolveStorage: o.resolveStorage,
      signingKey: o.signingKey,
      deadlineMinutes: maxMinutes,
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
      if (isSmallInput(request)) {
        const answer = await this.submit("runsync", spec, request, signal);
        if (TERMINAL.has(answer.status))
          status = await this.statusFrom(request.jobId, { found: true, body: answer });
      } else {
        await this.submit("run", spec, request, signal);
      }
    }
    const until = Date.now() + (this.o.maxWaitMs ?? 15 * 60_000);
    while (!status || status.status === "pending" || status.status === "running") {
      if (Date.now() >= until) {
        throw new CloudPredictionError("The prediction is still running; check again later.", {
          jobId: request.jobId,
        });
      }
      await sleep(this.o.pollIntervalMs ?? 2_000, signal).catch(async (reason) => {
        await this.cancel(request.jobId);
        throw reason;
      });
      status = await this.checkJobStatus(request.jobId);
    }
    if (status.status === "failed" || !status.result) throw errorOf(status);
    return status.result;
  }

  async invokeAsync(request: PredictionRequest): Promise<string> {
    const { spec, invocation } = await this.jobs.prepare(request);
    if (!invocation && !(await this.jobs.outcome(request.jobId))) await this.submit("run", spec, request);
    return request.jobId;
  }

  /** The endpoint's /health (workers and jobs), or undefined when RunPod does not know the endpoint. */
  async health(): Promise<Record<string, unknown> | undefined> {
    const answer = await this.o.client.request<Record<string, unknown>>("GET", "health");
    return answer.found ? answer.body : undefined;
  }

  releaseJob(jobId: string): Promise<void> {
    return this.jobs.release(jobId);
  }

  async checkJobStatus(jobId: string): Promise<PredictionStatus> {
    const done = await this.jobs.outcome(jobId);
    if (done) return done;
    const invocation = await this.jobs.invocation(jobId);
    if (!invocation?.externalId) {
      if (await this.jobs.channel.readSpec(jobId)) return { jobId, status: "pending", progress: 0 };
      throw new ObjectNotFoundError(`No prediction job ${jobId}.`, { jobId });
    }
    const answer = await withRetry(
      () => this.o.client.request<ServerlessJobStatus>("GET", `status/${invocation.externalId}`),
      { deadlineMs: 15_000, maxDelayMs: 2_000 },
    );
    return this.statusFrom(jobId, answer, invocation);
  }

  /** Cancels the RunPod job of a prediction (queued or running); a job RunPod no longer knows is fine. */
  async cancel(jobId: string): Promise<void> {
    const invocation = await this.jobs.invocation(jobId);
    if (!invocation?.externalId) return;
    await this.o.client.request("POST", `cancel/${invocation.externalId}`).catch((error) => {
      this.logger.warn({ jobId, err: String(error) }, "could not cancel the serverless job");
    });
  }

  private async submit(
    route: "run" | "runsync",
    spec: Awaited<ReturnType<PredictionJobs["prepare"]>>["spec"],
    request: PredictionRequest,
    signal?: AbortSignal,
  ): Promise<ServerlessJobStatus> {
    const wait = this.o.runsyncWaitMs ?? 60_000;
    const body = {
      input: spec,
      policy: { executionTimeout: this.o.executionTimeoutMs ?? 600_000, ttl: this.o.ttlMs ?? 3_600_000 },
    };
    const bytes = Buffer.byteLength(JSON.stringify(body));
    const limit = PAYLOAD_LIMIT_BYTES[route];
    if (bytes > limit) {
      // Data travels through storage; only a pathological request (thousands of long column names) gets here.
      throw new CloudPredictionError("The prediction request is too large for RunPod Serverless.", {
        bytes,
        limit,
      });
    }
    // Never retried blindly: a POST /run that failed may still have queued a job (runpod-api.md §7).
    const answer = await this.o.client.request<ServerlessJobStatus>(
      "POST",
      route === "runsync" ? `runsync?wait=${wait}` : "run",
      body,
      { signal, timeoutMs: route === "runsync" ? wait + 15_000 : undefined },
    );
    if (!answer.found || !answer.body?.id) {
      throw new CloudPredictionError("RunPod Serverless did not accept the job (unknown endpoint?).", {});
    }
    const record: InvocationRecord = {
      provider: "runpod",
      mode: route === "runsync" ? "sync" : "async",
      invokedAt: this.now().toISOString(),
      requestedOutputUri: request.outputUri,
      workerOutputUri: spec.outputUri,
      pricePerSecond: this.o.pricePerSecond ?? RUNPOD_SERVERLESS_SECOND_PRICE,
      pricePerRequest: 0,
      externalId: answer.body.id,
    };
    await this.jobs.saveInvocation(request.jobId, record);
    this.logger.info(
      { jobId: request.jobId, runpodJobId: answer.body.id, route },
      "serverless job submitted",
    );
    return answer.body;
  }

  private async statusFrom(
    jobId: string,
    answer: ServerlessAnswer<ServerlessJobStatus>,
    invocation?: InvocationRecord,
  ): Promise<PredictionStatus> {
    if (!answer.found) {
      const invokedAt = Date.parse(invocation?.invokedAt ?? this.now().toISOString());
      if (this.now().getTime() - invokedAt < (this.o.freshJobGraceMs ?? 10_000)) {
        return { jobId, status: "pending", progress: 0 };
      }
      return this.endWith(
        jobId,
        new CloudPredictionError(
          "RunPod no longer knows this job (its time to live or result retention ran out) and no result was stored.",
          { jobId },
        ),
      );
    }
    const job = answer.body;
    switch (job.status) {
      case "IN_QUEUE":
        return { jobId, status: "pending", progress: 0 };
      case "IN_PROGRESS":
      case "RUNNING": {
        const percent = Number((job.output as { percent?: unknown } | undefined)?.percent);
        const progress = Number.isFinite(percent) ? percent : await this.jobs.progress(jobId);
        return { jobId, status: "running", progress };
      }
      case "COMPLETED":
        return (
          (await this.jobs.outcome(jobId)) ??
          this.endWith(
            jobId,
            new CloudPredictionError(
              "RunPod reports the job completed, but no result was stored (the output may have been too large).",
              { jobId },
            ),
          )
        );
      case "FAILED":
        return (await this.jobs.outcome(jobId)) ?? this.endWith(jobId, errorFromRunPod(job.error));
      case "CANCELLED":
        return this.endWith(jobId, new CloudPredictionError("The prediction was cancelled.", { jobId }));
      case "TIMED_OUT":
        return this.endWith(
          jobId,
          new CloudPredictionError(
            "The prediction timed out on RunPod (no worker took it in time, or it ran too long).",
            { jobId, delayTimeMs: job.delayTime, executionTimeMs: job.executionTime },
          ),
        );
    }
    return { jobId, status: "running", progress: 0 };
  }

  /** Records a failure the worker could not (its job expired, timed out, was cancelled), then reports it. */
  private async endWith(jobId: string, error: AppError): Promise<PredictionStatus> {
    const result = await this.jobs.channel.endIfMissing(jobId, "failed", error);
    return result.status === "succeeded"
      ? ((await this.jobs.outcome(jobId)) as PredictionStatus)
      : { jobId, status: "failed", progress: 0, error: result.error };
  }
}

/**
 * A FAILED job's `error`: our worker sends its ErrorResponse as JSON text; RunPod's SDK sends JSON with
 * error_type/error_message; anything else is a plain message.
 */
export function errorFromRunPod(error: unknown): AppError {
  const text = typeof error === "string" ? error : JSON.stringify(error ?? "unknown error");
  try {
    const parsed = JSON.parse(text) as Partial<ErrorResponse> & { error_message?: string };
    if (parsed.error_class && parsed.message) {
      return errorOf({ jobId: "", status: "failed", progress: 0, error: parsed as ErrorResponse });
    }
    if (parsed.error_message)
      return new CloudPredictionError(`The prediction failed: ${parsed.error_message}`, {});
  } catch {
    // a plain message
  }
  return new CloudPredictionError(`The prediction failed: ${text.slice(0, 300)}`, {});
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
