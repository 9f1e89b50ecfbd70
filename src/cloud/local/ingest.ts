/**
 * LocalIngest: each upload, and each table /stats or the drift check reads, is read in its own child process
 * (the job runner and worker that run training), with a heap cap (INGEST_MEMORY_MB) and a wall-clock limit
 * (INGEST_TIMEOUT_SECONDS), at a lower CPU priority than the bot. A sandbox that dies or overruns becomes
 * IngestLimitError naming the limit it hit.
 */
import { join } from "node:path";
import { errorFromResponse, IngestLimitError, UnreadableFileError } from "../../errors.js";
import type { DataLimits, DatasetDescription } from "../../ml/index.js";
import type { AnalyzeOutput, AnalyzeRequest, IngestPort, IngestRequest } from "../ingest-port.js";
import type { JobQueue } from "../job-queue.js";
import {
  ANALYSIS_CHART,
  type Analysis,
  type AnalyzeJobSpec,
  type IngestJobSpec,
  type JobResult,
} from "../job-spec.js";
import { decodeNonFinite } from "../json-numbers.js";
import { analysisResultSchemas, descriptionSchema } from "./sandbox-results.js";

export interface SandboxLimits {
  /** Heap of a sandbox (--max-old-space-size). */
  memoryMb: number;
  /** Longest a sandbox may run once started. */
  timeoutSeconds: number;
}

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
    const summary = await this.run({ kind: "ingest", ...this.stagedFile(request) });
    const description = descriptionSchema.safeParse(summary);
    if (!description.success)
      throw new UnreadableFileError("Reading this file gave an unusable description.");
    return description.data satisfies DatasetDescription;
  }

  async analyze<A extends Analysis>(request: AnalyzeRequest<A>): Promise<AnalyzeOutput<A>> {
    const { analysis, outputDir } = request;
    const summary = await this.run({ kind: "analyze", ...this.stagedFile(request), outputDir, analysis });
    const result = analysisResultSchemas[analysis.op].safeParse(decodeNonFinite(summary.result));
    if (!result.success) throw new UnreadableFileError("Analyzing this file gave an unusable result.");
    const output: AnalyzeOutput<A> = { result: result.data as AnalyzeOutput<A>["result"] };
    if (summary.chart === true) output.chartPath = join(outputDir, ANALYSIS_CHART);
    return output;
  }

  /** The spec fields every sandbox job shares: the file, the reader's limits and the deadline. */
  private stagedFile(request: IngestRequest) {
    const now = Date.now();
    return {
      jobId: request.jobId,
      userId: request.userId,
      filePath: request.filePath,
      fileName: request.fileName.slice(0, 200),
      limits: this.limits.data,
      deadline: new Date(now + QUEUE_ALLOWANCE_MS + this.limits.sandbox.timeoutSeconds * 1000).toISOString(),
      createdAt: new Date(now).toISOString(),
    };
  }

  /** Runs a job in a sandbox (or finds the run of an earlier attempt under its id); its result summary. */
  private async run(spec: IngestJobSpec | AnalyzeJobSpec): Promise<Record<string, unknown>> {
    await this.runner.submit(spec);
    const result = await this.runner.finished(spec.jobId);
    // Read: the job's folder has served its purpose (a failed clean-up leaves it, and fails nothing).
    await this.runner.forget(spec.jobId).catch(() => undefined);
    if (result.status !== "succeeded") throw this.errorOf(result.error);
    return result.summary;
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
