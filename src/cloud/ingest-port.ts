/**
 * Reading an uploaded file where it cannot hurt anyone else: the contract the workflows use. The one
 * implementation today is a sandboxed child process on this machine (local/ingest.ts); a queue of remote
 * workers can take its place behind the same interface.
 */
import type { DatasetDescription } from "../ml/index.js";

export interface IngestRequest {
  /** Unique per attempt: a repeated call with the same id (after a restart) finds that attempt. */
  jobId: string;
  userId: number;
  /** The staged file on this machine; left where it is, whatever happens. */
  filePath: string;
  /** The name the user gave it (its extension picks the reader). */
  fileName: string;
}

export interface IngestPort {
  /**
   * Reads, profiles and describes a staged file. Throws the reader's DataError (limits, unreadable, empty,
   * malformed), or IngestLimitError when the sandbox ran out of memory or time.
   */
  describe(request: IngestRequest): Promise<DatasetDescription>;
}
