/** Context, events and actor inputs of the stats workflow. Everything here is JSON. */
import type {
  ColumnSummary,
  CorrelationPair,
  StatsProblem,
  StatsReport,
  StatsTestId,
} from "../../ml/stats/index.js";
import type { DatasetSummary } from "../ports.js";
import type { DatasetSource } from "../shared/datasets.js";
import type { FlowContext, FlowEvent } from "../shared/skeleton.js";

export interface StatsInput {
  workflowId: string;
  userId: number;
  chatId: number;
  startedAt: string;
  /** Chart titles and axis labels. */
  language?: "en" | "pt";
  /** A stored dataset to open at once (from /datasets). */
  datasetId?: string;
}

/** What the first look at the data found: the summary card and the correlations (heatmap stored as a PNG). */
export interface StatsOverviewResult {
  dataset: DatasetSummary;
  summary: ColumnSummary[];
  correlations: { columns: string[]; omitted: number; sampledRows?: number; strongest: CorrelationPair[] };
  /** The correlation heatmap in storage; absent with fewer than two numeric columns. */
  heatmapUri?: string;
}

export type TestOutcome =
  | { ok: true; report: StatsReport; chartUri: string }
  | { ok: false; problem: StatsProblem };

/** The shared steps' fields (skeleton.ts) and the stats workflow's own. */
export interface StatsContext extends StatsInput, FlowContext {
  dataset?: DatasetSummary;
  overview?: Omit<StatsOverviewResult, "dataset">;
  test?: StatsTestId;
  /** Columns chosen so far for the test, in the order of its roles. */
  picked: string[];
  /** Tests run so far (names each result's files). */
  runs: number;
  result?: { report: StatsReport; chartUri: string };
  summary?: Record<string, unknown>;
}

/** The shared steps' events that stats uses (no templates, no offers), and its own. */
export type StatsEvent =
  | Extract<
      FlowEvent,
      {
        type:
          | "user.fileReceived"
          | "user.chooseUpload"
          | "user.browseDatasets"
          | "user.pickDataset"
          | "user.typedText"
          | "user.page"
          | "user.back"
          | "user.done"
          | "user.cancel";
      }
    >
  | { type: "user.pickTest"; test: StatsTestId }
  | { type: "user.pickColumn"; column: string }
  | { type: "user.anotherTest" };

export interface DescribeInput extends DatasetSource {
  workflowId: string;
  language?: "en" | "pt";
}

export interface TestInput {
  userId: number;
  /** Names the result's files. */
  jobId: string;
  datasetUri: string;
  fileName: string;
  test: StatsTestId;
  columns: string[];
  language?: "en" | "pt";
}
