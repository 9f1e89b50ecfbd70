/** Context, events and actor inputs of the stats workflow. Everything here is JSON. */
import type {
  ColumnSummary,
  CorrelationPair,
  StatsProblem,
  StatsReport,
  StatsTestId,
} from "../../ml/stats/index.js";
import type { DatasetSummary, ErrorInfo, Notice, StoredDatasetChoice } from "../ports.js";
import type { DatasetSource } from "../shared/datasets.js";

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

export interface StatsContext extends StatsInput {
  history: string[];
  page: number;
  datasets?: StoredDatasetChoice[];
  upload?: {
    stagingPath: string;
    fileName: string;
    sizeBytes: number;
    messageId?: number;
    storedUri?: string;
    /** Which sandbox attempt at reading it this is (1 when absent). */
    attempt?: number;
  };
  /** Sandbox reads started in this workflow: the next one's job id. */
  ingests?: number;
  dataset?: DatasetSummary;
  overview?: Omit<StatsOverviewResult, "dataset">;
  test?: StatsTestId;
  /** Columns chosen so far for the test, in the order of its roles. */
  picked: string[];
  /** Tests run so far (names each result's files). */
  runs: number;
  result?: { report: StatsReport; chartUri: string };
  notice?: Notice;
  error?: ErrorInfo;
  summary?: Record<string, unknown>;
}

export type StatsEvent =
  | {
      type: "user.fileReceived";
      stagingPath: string;
      fileName: string;
      sizeBytes: number;
      messageId?: number;
    }
  | { type: "user.chooseUpload" }
  | { type: "user.browseDatasets" }
  | { type: "user.pickDataset"; datasetId: string }
  | { type: "user.pickTest"; test: StatsTestId }
  | { type: "user.pickColumn"; column: string }
  | { type: "user.typedText"; text: string }
  | { type: "user.anotherTest" }
  | { type: "user.page"; page: number }
  | { type: "user.back" }
  | { type: "user.done" }
  | { type: "user.cancel"; replaced?: boolean };

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
