/**
 * The side-effect ports of the workflow machines. Machines are pure; these are provided by src/main.ts (real
 * providers) or by tests (fakes). Context holds only JSON: ids, URIs, numbers.
 */
import type { IngestPort } from "../cloud/ingest-port.js";
import type { ComputeOffer, ComputePort, OfferRequest } from "../cloud/offers.js";
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  CloudTrainingProvider,
  ProviderName,
} from "../cloud/provider-interface.js";
import type { DatasetDescription, Task } from "../ml/index.js";
import type { BudgetState } from "../state/user-data.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A compact description of an uploaded dataset, small enough for workflow context. */
export interface DatasetSummary extends DatasetDescription {
  datasetId: string;
  uri: string;
  fileName: string;
  sizeBytes: number;
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

/** Feedback on a typed input, translated by the bot: a key and its parameters. */
export interface Notice {
  key: string;
  params?: Record<string, string | number>;
}

export interface StoredDatasetChoice {
  datasetId: string;
  uri: string;
  name: string;
  sizeBytes: number;
  uploadedAt: string;
}

export interface TemplateChoice {
  name: string;
  kind: "training" | "prediction";
  config: Record<string, unknown>;
  createdAt: string;
}

export type { BudgetState };

/** Per-user data that outlives workflows (src/state/user-data.ts behind it). */
export interface UserDataPort {
  listTemplates(userId: number, kind: TemplateChoice["kind"]): Promise<TemplateChoice[]>;
  saveTemplate(userId: number, template: Omit<TemplateChoice, "createdAt">): Promise<void>;
  deleteTemplate(userId: number, name: string): Promise<void>;
  budget(userId: number): Promise<BudgetState>;
  /** Lowers (or restores) the user's caps; values above the operator's caps are clamped to them. */
  setBudget(
    userId: number,
    caps: Partial<Pick<BudgetState, "perTrainingJob" | "perPrediction" | "monthly">>,
  ): Promise<void>;
  /** Adds a job's actual cost to this month's spend, once per job id (a repeated call is a no-op). */
  recordJobCost(userId: number, jobId: string, dollars: number, provider?: string): Promise<void>;
  /** Display names given to models (the signed artifacts keep their original metadata). */
  modelNames(userId: number): Promise<Record<string, string>>;
  setModelName(userId: number, modelId: string, name: string): Promise<void>;
}

export interface FlowPorts {
  storage: CloudStorageProvider;
  userData: UserDataPort;
  compute: ComputePort;
  training(provider: ProviderName): CloudTrainingProvider;
  prediction(provider: ProviderName): CloudPredictionProvider;
  clock: Clock;
  /**
   * Reads every user table in a sandbox (never on the bot's event loop), within the configured limits:
   * uploads, stored datasets, /stats and the drift check.
   */
  ingest: IngestPort;
  /** Local folder for files on their way in (uploads) and out (predictions to send back). */
  stagingDir: string;
  /** Checks the signature of the models read in the bot (the training profile for the drift check). */
  modelSigningKey: string;
  /** Minutes a job may run before it is stopped. */
  jobDeadlineMinutes: number;
  /** Milliseconds between job status polls. */
  pollIntervalMs: number;
}

export type { ComputeOffer, ComputePort, IngestPort, OfferRequest };

export type ErrorInfo = { code: number; errorClass: string; message: string; recovery: string };
