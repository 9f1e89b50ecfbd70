/**
 * One job, start to end: read the spec, run it, and always write result.json before returning, on success,
 * on failure, past the deadline, and when asked to stop (SIGTERM). Used by the worker entry point (main.ts)
 * on this machine, in the worker image on EC2 and on RunPod pods.
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobChannel } from "../cloud/job-channel.js";
import { isSandboxJob, type JobResult, type JobSpec, jobSpecSchema } from "../cloud/job-spec.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import type { Config } from "../config.js";
import { AppError, CloudTrainingError, toErrorResponse } from "../errors.js";
import type { Logger } from "../logger.js";
import { JobReporter } from "./reporter.js";
import { storageForUri } from "./storage.js";

type Outcome = JobResult extends infer R
  ? R extends unknown
    ? Omit<R, "finishedAt" | "runtimeSeconds">
    : never
  : never;

export const EXIT = { ok: 0, failed: 1, deadline: 3, cancelled: 143 } as const;

/** Runs the job at `specUri`; resolves with the process exit code once result.json is written. */
export async function runJobFromSpec(specUri: string, config: Config, logger: Logger): Promise<number> {
  const storage = await storageForUri(specUri, config, logger);
  const spec = jobSpecSchema.parse(
    JSON.parse(Buffer.from(await storage.readBytes(specUri)).toString("utf8")),
  );
  // A container restarted after its job ended (a pod whose self-termination did not go through) must not
  // train again: the result stands, and the worker only exits (and asks its compute to go away again).
  const previous = await new JobChannel(storage).readResult(spec.jobId).catch(() => undefined);
  if (previous) {
    logger.warn({ jobId: spec.jobId, status: previous.status }, "job already ended; not running it again");
    return previous.status === "succeeded" ? EXIT.ok : EXIT.failed;
  }
  const reporter = new JobReporter(storage, spec.jobId);
  const started = Date.now();
  const finish = async (result: Outcome, code: number) => {
    const runtimeSeconds = (Date.now() - started) / 1000;
    await reporter.finish({ ...result, finishedAt: new Date().toISOString(), runtimeSeconds } as JobResult);
    return code;
  };

  const msLeft = Date.parse(spec.deadline) - Date.now();
  const deadline = new Promise<number>((resolve) => {
    setTimeout(
      () => {
        const error = new CloudTrainingError("The job ran past its deadline and was stopped.", {
          deadline: spec.deadline,
        });
        resolve(finish({ status: "failed", error: error.toJSON() }, EXIT.deadline));
      },
      Math.max(0, msLeft),
    ).unref();
  });
  const cancelled = new Promise<number>((resolve) => {
    process.once("SIGTERM", () => {
      // Also what a spot interruption looks like from inside: the provider tells the two apart.
      const error = new AppError(
        "The job was stopped (SIGTERM).",
        { signal: "SIGTERM" },
        { recovery: "Start it again when you are ready." },
      );
      resolve(finish({ status: "cancelled", error: error.toJSON() }, EXIT.cancelled));
    });
  });
  const work = (async () => {
    try {
      await reporter.progress("running", "starting", 1, "Starting", true);
      // A cloud job signs with its own key; the ingest sandbox signs nothing.
      const signingKey = isSandboxJob(spec) ? undefined : (spec.jobKey ?? config.modelSigningKey);
      const { outputUri, summary } = await run(spec, storage, reporter, signingKey);
      return finish({ status: "succeeded", outputUri, summary }, EXIT.ok);
    } catch (error) {
      logger.warn({ err: error, jobId: spec.jobId }, "job failed");
      return finish({ status: "failed", error: toErrorResponse(error) }, EXIT.failed);
    }
  })();
  return Promise.race([work, deadline, cancelled]);
}

/** Each kind of job is loaded on demand: an ingest sandbox starts for every upload and needs little. */
async function run(
  spec: JobSpec,
  storage: CloudStorageProvider,
  reporter: JobReporter,
  signingKey: string | undefined,
): Promise<{ outputUri: string; summary: Record<string, unknown> }> {
  if (spec.kind === "ingest") return (await import("./ingest-job.js")).runIngestJob(spec, reporter);
  if (spec.kind === "analyze") return (await import("./analyze-job.js")).runAnalyzeJob(spec, reporter);
  if (!signingKey) {
    throw new AppError(
      "The worker has no signing key: the spec carries none and MODEL_SIGNING_KEY is not set.",
      {},
      { recovery: "Cloud jobs carry their own key; on this machine, set MODEL_SIGNING_KEY." },
    );
  }
  const workDir = join(tmpdir(), `sma-job-${spec.jobId}-${process.pid}`);
  try {
    if (spec.kind === "train") {
      const { runTrainJob } = await import("./train-job.js");
      return await runTrainJob(spec, { storage, reporter, signingKey, workDir });
    }
    const { runPredictJob } = await import("./predict-handler.js");
    const out = await runPredictJob(spec, { storage, signingKey, workDir });
    return {
      outputUri: out.outputUri,
      summary: { ...out.summary, numPredictions: out.numPredictions, executionTime: out.executionTime },
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
