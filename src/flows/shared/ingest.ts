/**
 * Reading a file, as both workflows do it: one attempt per sandbox run, counted in the workflow context. A
 * sandbox that ran out of memory or time is tried once more; a restart re-runs the interrupted attempt under
 * the same job id (which finds it finished, running, or lost), so no restart can start a third.
 */
import type { ErrorInfo } from "../ports.js";
import { type DatasetSource, MAX_INGEST_ATTEMPTS } from "./datasets.js";

/** The context fields the reading step uses (both machines have them). */
export interface ReadingContext {
  workflowId: string;
  userId: number;
  /** Ingest attempts started in this workflow: the next attempt's job id. */
  ingests?: number;
  upload?: { stagingPath: string; fileName: string; storedUri?: string; attempt?: number };
}

/** The ingest actor's input for the current attempt. */
export function ingestInput(context: ReadingContext): DatasetSource {
  return {
    userId: context.userId,
    stagingPath: context.upload?.stagingPath || undefined,
    fileName: context.upload!.fileName,
    datasetUri: context.upload!.storedUri,
    jobId: `${context.workflowId}-i${context.ingests ?? 0}`,
    attempt: context.upload?.attempt ?? 1,
  };
}

/** Counts a new file's first attempt (assign it along with the upload). */
export function firstAttempt(context: ReadingContext): { ingests: number } {
  return { ingests: (context.ingests ?? 0) + 1 };
}

/** Whether a failed attempt is tried again: the sandbox gave up, and this was not the last try. */
export function canRetryIngest(context: ReadingContext, error: ErrorInfo): boolean {
  return error.errorClass === "IngestLimitError" && (context.upload?.attempt ?? 1) < MAX_INGEST_ATTEMPTS;
}

/** The same file's next attempt, under a new job id. */
export function nextAttempt<C extends ReadingContext>(context: C): Pick<C, "ingests" | "upload"> {
  const upload = { ...context.upload!, attempt: (context.upload?.attempt ?? 1) + 1 };
  return { ingests: (context.ingests ?? 0) + 1, upload } as Pick<C, "ingests" | "upload">;
}
