/**
 * The prediction handler behind the remote entry points (AWS Lambda, RunPod Serverless): validates the event
 * (the job's spec, the same zod schema the bot writes), runs the shared handler (predict-handler.ts), and
 * records the outcome in the job channel as well as returning it: RunPod keeps results only 30 minutes and a
 * Lambda Event invocation returns nothing, so storage is where the bot reads them.
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JobResult, type PredictJobSpec, predictJobSpecSchema } from "../cloud/job-spec.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import type { Config } from "../config.js";
import {
  AppError,
  CloudPredictionError,
  type ErrorResponse,
  LambdaTimeoutError,
  toErrorResponse,
} from "../errors.js";
import type { Logger } from "../logger.js";
import { runPredictJob } from "./predict-handler.js";
import { JobReporter } from "./reporter.js";
import { storageForUri } from "./storage.js";

/** A job result before its end time is stamped. */
type Outcome = JobResult extends infer R
  ? R extends unknown
    ? Omit<R, "finishedAt" | "runtimeSeconds">
    : never
  : never;

export type PredictResponse =
  | {
      status: "succeeded";
      jobId: string;
      outputUri: string;
      numPredictions: number;
      /** Seconds. */
      executionTime: number;
      summary: Record<string, unknown>;
    }
  | { status: "failed"; jobId?: string; error: ErrorResponse };

export interface PredictEntryDeps {
  config: Config;
  logger: Logger;
  /** Milliseconds this invocation may still run (Lambda's remaining time minus a margin). */
  timeLeftMs?: () => number;
  /** Progress for the platform (RunPod's progress_update); storage gets it regardless. */
  onProgress?: (percent: number, message: string) => void;
  storageFor?: (uri: string) => CloudStorageProvider;
}

export async function handlePredictEvent(event: unknown, deps: PredictEntryDeps): Promise<PredictResponse> {
  const parsed = predictJobSpecSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join(".") || "event"}: ${i.message}`)
      .join("; ");
    const error = new CloudPredictionError(`The prediction request is invalid: ${problems}.`, {});
    return { status: "failed", jobId: (event as { jobId?: string })?.jobId, error: error.toJSON() };
  }
  const spec = parsed.data;
  const storage = await (deps.storageFor ?? ((uri) => storageForUri(uri, deps.config, deps.logger)))(
    spec.outputUri,
  );
  const reporter = new JobReporter(storage, spec.jobId);
  const started = Date.now();
  const end = async (result: Outcome): Promise<void> => {
    const done = {
      ...result,
      finishedAt: new Date().toISOString(),
      runtimeSeconds: (Date.now() - started) / 1000,
    };
    await reporter.finish(done as JobResult);
  };
  deps.onProgress?.(5, "Loading the model");
  await reporter.progress("running", "predicting", 5, "Loading the model", true);
  // The first of "work done" and "out of time" decides both the stored result and the answer.
  const outcome = firstDecision<PredictResponse>();
  predict(spec, storage, deps).then(
    (out) =>
      outcome.decide(async () => {
        const summary = {
          ...out.summary,
          numPredictions: out.numPredictions,
          executionTime: out.executionTime,
        };
        await end({ status: "succeeded", outputUri: out.outputUri, summary });
        deps.onProgress?.(100, "Done");
        return { status: "succeeded", jobId: spec.jobId, ...out };
      }),
    (error: unknown) =>
      outcome.decide(async () => {
        deps.logger.warn({ err: error, jobId: spec.jobId }, "prediction failed");
        const response = toErrorResponse(error);
        await end({ status: "failed", error: response });
        return { status: "failed", jobId: spec.jobId, error: response };
      }),
  );
  const timer = deps.timeLeftMs
    ? setTimeout(
        () =>
          outcome.decide(async () => {
            const error = new LambdaTimeoutError("The prediction ran out of time.", {
              jobId: spec.jobId,
            }).toJSON();
            await end({ status: "failed", error });
            return { status: "failed", jobId: spec.jobId, error };
          }),
        Math.max(0, deps.timeLeftMs()),
      )
    : undefined;
  try {
    return await outcome.result;
  } finally {
    clearTimeout(timer);
  }
}

/** A promise settled by the first `decide` call; later calls are ignored. */
function firstDecision<T>(): { result: Promise<T>; decide: (make: () => Promise<T>) => void } {
  let settle!: (value: Promise<T>) => void;
  const result = new Promise<T>((resolve) => {
    settle = resolve;
  });
  let decided = false;
  return {
    result,
    decide(make) {
      if (decided) return;
      decided = true;
      settle(make());
    },
  };
}

async function predict(spec: PredictJobSpec, storage: CloudStorageProvider, deps: PredictEntryDeps) {
  // Cloud predictions carry their own per-job key; MODEL_SIGNING_KEY is only for workers on the bot's host.
  const signingKey = spec.jobKey ?? deps.config.modelSigningKey;
  if (!signingKey)
    throw new AppError("The prediction request carries no job key.", {}, { recovery: "Update the bot." });
  const workDir = join(tmpdir(), `sma-predict-${spec.jobId}-${process.pid}`);
  try {
    return await runPredictJob(spec, { storage, signingKey, workDir });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
