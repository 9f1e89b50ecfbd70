/**
 * Reading a user's table where it cannot hurt anyone else: the contract the workflows use. The one
 * implementation today is a sandboxed child process on this machine (local/ingest.ts); a queue of remote
 * workers can take its place behind the same interface. Uploads, stored datasets, /stats and the drift check
 * all go through it: the bot's event loop never parses a user's table.
 */
import type { DatasetDescription, DriftReport } from "../ml/index.js";
import type { ColumnSummary, StatsOutcome, StatsOverview } from "../ml/stats/index.js";
import type { Analysis } from "./job-spec.js";

export interface IngestRequest {
  /** Unique per attempt: a repeated call with the same id (after a restart) finds that attempt. */
  jobId: string;
  userId: number;
  /** The staged file on this machine; left where it is, whatever happens. */
  filePath: string;
  /** The name the user gave it (its extension picks the reader). */
  fileName: string;
}

export interface AnalyzeRequest<A extends Analysis = Analysis> extends IngestRequest {
  /** What to compute on the table once read. */
  analysis: A;
  /** A folder on this machine for the chart the analysis draws (the caller stores it, then removes it). */
  outputDir: string;
}

/** What each analysis finds, as plain JSON-ready data (NaN and ±Infinity kept as numbers). */
export interface AnalysisResults {
  /** The description an ingest gives, the summary card's numbers and the strongest correlations. */
  overview: {
    description: DatasetDescription;
    summary: ColumnSummary[];
    correlations: StatsOverview["correlations"];
  };
  /** The test's report, or why it could not run on these columns. */
  test: { outcome: StatsOutcome };
  /** Undefined when the profile is of a version this code does not know. */
  drift: { report?: DriftReport };
}

export interface AnalyzeOutput<A extends Analysis = Analysis> {
  result: AnalysisResults[A["op"]];
  /**
   * The chart the analysis drew (an overview's heatmap, a test's chart) as a PNG in the request's outputDir.
   * A repeated call finds the file gone when an earlier call already took it.
   */
  chartPath?: string;
}

export interface IngestPort {
  /**
   * Reads, profiles and describes a staged file. Throws the reader's DataError (limits, unreadable, empty,
   * malformed), or IngestLimitError when the sandbox ran out of memory or time.
   */
  describe(request: IngestRequest): Promise<DatasetDescription>;
  /**
   * Reads a staged file within the same limits and computes an analysis on it (statistics, a test, drift).
   * Throws as `describe` does, plus the analysis' own errors (SchemaMismatchError for a drift check on a
   * table that does not fit the model).
   */
  analyze<A extends Analysis>(request: AnalyzeRequest<A>): Promise<AnalyzeOutput<A>>;
}
