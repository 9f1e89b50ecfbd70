import type { ComputeMetrics, TrainingJob, TrainingStatus } from "../../cloud/provider-interface.js";
import type { Task } from "../../ml/types.js";
import type { ComputeOffer, DatasetSummary, ErrorInfo } from "../ports.js";

export interface TrainingInput {
  workflowId: string;
  userId: number;
  chatId: number;
  startedAt: string;
  /** Start from a saved template (its name). */
  template?: string;
  /** The user's language when the workflow began (chart titles). */
  language?: "en" | "pt";
}

export interface TrainingJobState {
  jobId: string;
  modelId: string;
  provider: ComputeOffer["provider"];
  computeType: string;
  hourlyRate: number;
  deadline: string;
  launchedAt?: string;
  status: TrainingStatus["status"];
  progress: number;
  phase?: string;
  message?: string;
  queuePosition?: number;
  logTail: string[];
  costSoFar: number;
  runtimeSeconds: number;
  /** Offers tried before this one, with why they failed ("RTX A5000: no capacity"). */
  attempts: Array<{ offer: string; reason: string }>;
  /** While running, the machine's own figures (GPU use and memory on pods). */
  metrics?: ComputeMetrics;
  /** After a failure, the tail of the machine's own log (an EC2 instance's boot log). */
  diagnostics?: string[];
}

/**
 * A job that has ended (completed, failed, cancelled) whose compute is being terminated: the workflow stays
 * here, retrying, until the provider confirms, and only then tells the user how the job ended.
 */
export interface TrainingEnding {
  outcome: "complete" | "failed" | "cancelled";
  /** Termination attempts that failed so far, and the last reason. */
  attempts: number;
  lastError?: string;
}

export interface TrainingResult {
  modelId: string;
  modelUri: string;
  name: string;
  summary: Record<string, unknown>;
  runtimeSeconds: number;
  cost: number;
  trainedOn: string;
}

/** The settings a template keeps: everything the user chose after the data. */
export interface TrainingTemplateConfig {
  target: string;
  task: Task;
  features: string[];
  modelType: string;
  hyperparameters: Record<string, unknown>;
}

import type { ModelCategory } from "../shared/models.js";
import type { FlowContext, FlowEvent } from "../shared/skeleton.js";

export type { ModelCategory };

export interface TrainingContext extends TrainingInput, FlowContext {
  templateConfig?: TrainingTemplateConfig;
  dataset?: DatasetSummary;
  target?: string;
  task?: Task;
  features?: string[];
  category?: ModelCategory;
  modelType?: string;
  /** The model type's display name ("Random forest"), for the screens. */
  modelName?: string;
  hyperparameters: Record<string, unknown>;
  /** The parameter whose custom value the user is typing. */
  editingParam?: string;
  /**
   * The user's choice on the confirmation screen: when the chosen machine has no capacity, an interruptible
   * (spot) one may be tried. Off unless the user turns it on; failover never goes on-demand → spot silently.
   */
  allowSpot?: boolean;
  job?: TrainingJobState;
  /** Set from the moment the job ended until its compute is confirmed gone. */
  ending?: TrainingEnding;
  result?: TrainingResult;
  launches: number;
  /** What /history shows once the workflow has ended. */
  summary?: Record<string, unknown>;
}

export type TrainingEvent =
  | FlowEvent
  | { type: "user.changeTarget" }
  | { type: "user.chooseFeatures" }
  | { type: "user.setTask"; task: Task }
  | { type: "user.pickTarget"; column: string }
  | { type: "user.toggleFeature"; column: string }
  | { type: "user.setFeatures"; columns: string[] }
  | { type: "user.featuresDone" }
  | { type: "user.pickCategory"; category: ModelCategory }
  | { type: "user.pickModel"; modelType: string }
  | { type: "user.setParam"; name: string; value: unknown }
  | { type: "user.editParam"; name: string }
  | { type: "user.resetParams" }
  | { type: "user.paramsDone" }
  | { type: "user.allowSpot"; allow: boolean }
  | { type: "user.launch" }
  | { type: "user.nameModel" }
  | { type: "job.progress"; status: TrainingStatus }
  | { type: "job.log"; lines: string[] }
  | { type: "job.completed"; status: TrainingStatus }
  | { type: "job.failed"; error: ErrorInfo; diagnostics?: string[] }
  | { type: "terminate.retrying"; attempt: number; reason: string }
  | { type: "terminate.confirmed"; cost: number };

export interface LaunchInput {
  jobId: string;
  modelId: string;
  userId: number;
  /** The chosen offer first, then the fallbacks in rank order. */
  offers: ComputeOffer[];
  datasetUri: string;
  modelType: string;
  task: Task;
  target: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
  language?: "en" | "pt";
}

export interface LaunchOutput {
  job: TrainingJob;
  offer: ComputeOffer;
  attempts: Array<{ offer: string; reason: string }>;
}

export interface TerminateInput {
  jobId: string;
  provider: ComputeOffer["provider"];
  userId: number;
  /** Dollars known so far, in case the provider can no longer say. */
  costSoFar: number;
}

export interface MonitorInput {
  jobId: string;
  userId: number;
  provider: ComputeOffer["provider"];
  deadline: string;
  /** Dollars: the job is stopped when its cost reaches this. */
  maxCost: number;
}
