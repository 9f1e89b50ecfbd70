/**
 * How a worker talks back: jobs/{jobId}/progress.json (rewritten as it goes), log.jsonl (the whole log so far,
 * rewritten with each flush, since object stores cannot append) and result.json (written once, at the end).
 */

import {
  JOB_FILES,
  type JobLogLine,
  type JobProgress,
  type JobResult,
  type JobState,
} from "../cloud/job-spec.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";

/** Progress writes closer together than this are coalesced (the bot polls every second or two). */
const MIN_PROGRESS_INTERVAL_MS = 500;

export class JobReporter {
  private readonly lines: JobLogLine[] = [];
  private lastWrite = 0;
  private pending?: JobProgress;
  private chain: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    private readonly storage: CloudStorageProvider,
    private readonly jobId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  log(message: string, level = "info"): void {
    this.lines.push({ at: this.now().toISOString(), level, message });
  }

  /** Records progress; written at most every MIN_PROGRESS_INTERVAL_MS unless `force`. */
  progress(state: JobState, phase: string, percent: number, message: string, force = false): Promise<void> {
    this.pending = {
      state,
      phase,
      percent: Math.max(0, Math.min(100, percent)),
      message,
      updatedAt: this.now().toISOString(),
    };
    if (!force && Date.now() - this.lastWrite < MIN_PROGRESS_INTERVAL_MS) return this.chain;
    return this.flush();
  }

  flush(): Promise<void> {
    const progress = this.pending;
    this.pending = undefined;
    this.lastWrite = Date.now();
    const log = this.lines.map((l) => JSON.stringify(l)).join("\n") + (this.lines.length ? "\n" : "");
    this.chain = this.chain.then(async () => {
      if (progress) await this.write(JOB_FILES.progress, JSON.stringify(progress));
      await this.write(JOB_FILES.log, log);
    });
    return this.chain;
  }

  /** Writes result.json once; later calls are ignored so a deadline and a late success cannot both land. */
  async finish(result: JobResult): Promise<boolean> {
    if (this.finished) return false;
    this.finished = true;
    const state: JobState = result.status === "succeeded" ? "succeeded" : result.status;
    this.log(
      result.status === "succeeded" ? "job finished" : `job ${result.status}: ${result.error.message}`,
    );
    await this.progress(
      state,
      "done",
      result.status === "succeeded" ? 100 : (this.pending?.percent ?? 0),
      result.status,
      true,
    );
    await this.flush();
    await this.chain;
    await this.write(JOB_FILES.result, JSON.stringify(result));
    return true;
  }

  private async write(file: string, body: string): Promise<void> {
    await this.storage.writeBytes(this.storage.jobUri(this.jobId, file), body);
  }
}
