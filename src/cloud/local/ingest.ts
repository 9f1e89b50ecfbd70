/**
 * LocalIngest: each upload is read in its own child process (the job runner and worker that run training),
 * with a heap cap (INGEST_MEMORY_MB) and a wall-clock limit (INGEST_TIMEOUT_SECONDS), at a lower CPU priority
 * than the bot. A sandbox that dies or overruns becomes IngestLimitError naming the limit it hit.
 */
import { z } from "zod";
import { errorFromResponse, IngestLimitError, UnreadableFileError } from "../../errors.js";
import type { DataLimits, DatasetDescription } from "../../ml/index.js";
import type { IngestPort, IngestRequest } from "../ingest-port.js";
import type { JobQueue } from "../job-queue.js";
import type { IngestJobSpec, JobResult } from "../job-spec.js";

export interface SandboxLimits {
  /** Heap of a sandbox (--max-old-space-size). */
  memoryMb: number;
  /** Longest a sandbox may run once started. */
  timeoutSeconds: number;
}

/**
 * What a sandbox may hand back: checked before it reaches a workflow's context, so even a sandbox that went
 * wrong cannot store something malformed or oversized there.
 */
const descriptionSchema = z.object({
  nRows: z.number().int().nonnegative(),
  nColumns: z.number().int().nonnegative(),
  missingCells: z.number().nonnegative(),
  columns: z
    .array(
      z.object({
        name: z.string().max(100_000),
        type: z.enum(["numeric", "integer", "boolean", "categorical", "datetime", "text", "identifier"]),
        missingPct: z.number(),
        unique: z.number().int().nonnegative(),
        task: z.enum(["regression", "classification"]).optional(),
        targetProblem: z.string().max(2000).optional(),
      }),
    )
    .max(1000),
  suggestion: z.object({
    target: z.string().nullable(),
    task: z.enum(["regression", "classification"]).nullable(),
    features: z.array(z.string()).max(1000),
    confidence: z.number(),
    reason: z.string(),
    excluded: z
      .array(
        z.object({
          column: z.string(),
          reason: z.enum(["identifier", "freeText", "nearUnique", "constant", "mostlyEmpty"]),
          distinct: z.number().int().nonnegative(),
          rows: z.number().int().nonnegative(),
        }),
      )
      .max(1000)
      .optional(),
  }),
});

/** How long an ingest may wait for a free sandbox before its spec's deadline passes. */
const QUEUE_ALLOWANCE_MS = 10 * 60_000;

/**
 * A sandbox's environment: where the data lives, how to find node and a scratch folder, and nothing else.
 * No token, signing key or cloud key: a hostile file meets a process that holds nothing worth stealing.
 */
export function sandboxEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = env;
  return { PATH, HOME, TMPDIR, DATA_DIR: dataDir, LOG_LEVEL: "warn" };
}

/** The runner options that make a LocalJobRunner a sandbox for ingest. */
export function sandboxRunnerOptions(limits: SandboxLimits) {
  return {
    nodeArgs: [`--max-old-space-size=${limits.memoryMb}`],
    maxRunMs: limits.timeoutSeconds * 1000,
    niceness: 10,
    lostJobs: "fail" as const,
  };
}

export class LocalIngest implements IngestPort {
  constructor(
    private readonly runner: JobQueue,
    private readonly limits: { data: DataLimits; sandbox: SandboxLimits },
  ) {}

  async describe(request: IngestRequest): Promise<DatasetDescription> {
    const now = Date.now();
    const spec: IngestJobSpec = {
      kind: "ingest",
      jobId: request.jobId,
      userId: request.userId,
      filePath: request.filePath,
      fileName: request.fileName.slice(0, 200),
      limits: this.limits.data,
      deadline: new Date(now + QUEUE_ALLOWANCE_MS + this.limits.sandbox.timeoutSeconds * 1000).toISOString(),
      createdAt: new Date(now).toISOString(),
    };
    await this.runner.submit(spec);
    const result = await this.runner.finished(request.jobId);
    if (result.status !== "succeeded") throw this.errorOf(result.error);
    const description = descriptionSchema.safeParse(result.summary);
    if (!description.success)
      throw new UnreadableFileError("Reading this file gave an unusable description.");
    return description.data satisfies DatasetDescription;
  }

  /** The reader's own errors as they are; the sandbox's death or overrun named by the limit it hit. */
  private errorOf(error: Extract<JobResult, { status: "failed" | "cancelled" }>["error"]) {
    const { memoryMb, timeoutSeconds } = this.limits.sandbox;
    const reason = error.details?.reason;
    if (reason === "deadline") {
      return new IngestLimitError(
        `Reading this file took longer than ${timeoutSeconds} s, the limit for one file (INGEST_TIMEOUT_SECONDS).`,
        { limit: "time", seconds: timeoutSeconds },
      );
    }
    if (reason === "crashed") {
      return new IngestLimitError(
        `Reading this file stopped before it finished: it needed more than the ${memoryMb} MB of memory one file may use (INGEST_MEMORY_MB).`,
        { limit: "memory", megabytes: memoryMb },
      );
    }
    return errorFromResponse(error);
  }
}
