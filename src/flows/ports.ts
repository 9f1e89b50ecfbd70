/**
 * The side-effect ports of the workflow machines. Machines are pure; these are provided by src/main.ts (real
 * providers) or by tests (fakes). Context holds only JSON: ids, URIs, numbers.
 */
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  CloudTrainingProvider,
  ProviderName,
} from "../cloud/provider-interface.js";
import type { ColumnType, DataLimits, SchemaSuggestion, Task } from "../ml/types.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A compact description of an uploaded dataset, small enough for workflow context. */
export interface DatasetSummary {
  datasetId: string;
  uri: string;
  fileName: string;
  sizeBytes: number;
  nRows: number;
  nColumns: number;
  missingCells: number;
  columns: Array<{ name: string; type: ColumnType; missingPct: number; unique: number }>;
  suggestion: SchemaSuggestion;
}

/** A trained model as the prediction flow offers it. */
export interface ModelChoice {
  modelId: string;
  /** The model directory's URI. */
  uri: string;
  name: string;
  modelType: string;
  task: Task;
  target: string;
  features: string[];
  trainedAt: string;
  /** Main held-out metric, e.g. { name: "r2", value: 0.48 }. */
  metric?: { name: string; value: number };
}

export interface FlowPorts {
  storage: CloudStorageProvider;
  training(provider: ProviderName): CloudTrainingProvider;
  prediction(provider: ProviderName): CloudPredictionProvider;
  clock: Clock;
  /** Limits applied when reading an uploaded file. */
  limits: Partial<DataLimits>;
  /** Local folder for files on their way in (uploads) and out (predictions to send back). */
  stagingDir: string;
  /** Minutes a job may run before it is stopped. */
  jobDeadlineMinutes: number;
  /** Milliseconds between job status polls. */
  pollIntervalMs: number;
}

export type ErrorInfo = { code: number; errorClass: string; message: string; recovery: string };
