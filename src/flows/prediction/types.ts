import type { PredictionResult } from "../../cloud/provider-interface.js";
import type { FeatureDrift } from "../../ml/index.js";
import type { ComputeOffer, DatasetSummary, ModelChoice } from "../ports.js";
import type { FlowContext, FlowEvent } from "../shared/skeleton.js";

export interface PredictionInput {
  workflowId: string;
  userId: number;
  chatId: number;
  startedAt: string;
  /** Preselected model ("Predict now", /models). */
  modelId?: string;
  /** Start from a saved prediction template (its name). */
  template?: string;
}

export interface PredictionOutcome extends PredictionResult {
  /** Local copy of the predictions file, ready to send. */
  localPath: string;
  fileName: string;
  /** The first rows, for the result card's preview table. */
  preview: { columns: string[]; rows: string[][] };
  /** Set when the chosen cloud provider failed and this machine ran the prediction instead: why. */
  fallback?: { provider: ComputeOffer["provider"]; reason: string };
}

/** How the data differs from the model's training data: the features that drift, worst first (at most 5). */
export interface DriftSummary {
  rows: number;
  checked: number;
  drifting: FeatureDrift[];
  /** Drifting features beyond the ones listed. */
  more: number;
}

export interface PredictionTemplateConfig {
  modelId: string;
  predictionColumn: string;
}

export interface PredictionContext extends PredictionInput, FlowContext {
  models: ModelChoice[];
  dataset?: DatasetSummary;
  /** Models whose features the data has, and what the others lack. */
  compatible?: string[];
  missingByModel?: Record<string, string[]>;
  model?: ModelChoice;
  predictionColumn?: string;
  /** The column name fixed by a template (skips the column step). */
  templateColumn?: string;
  /** The user's message with the data, which the predictions file answers. */
  replyTo?: number;
  jobId?: string;
  runs: number;
  result?: PredictionOutcome;
  /** The drift found when the user pressed Run (absent: none found, or a model without a training profile). */
  drift?: DriftSummary;
  summary?: Record<string, unknown>;
}

export type PredictionEvent =
  | FlowEvent
  | { type: "user.pickModel"; modelId: string }
  | { type: "user.useDefaultColumn" }
  | { type: "user.run" }
  | { type: "user.predictAnyway" };

export interface DriftInput {
  userId: number;
  modelUri: string;
  dataUri: string;
  fileName: string;
}

export interface RunInput {
  jobId: string;
  userId: number;
  provider: ComputeOffer["provider"];
  modelUri: string;
  dataUri: string;
  inputFileName: string;
  predictionColumn: string;
  /** Size of the input, so providers pick a synchronous call for small inputs. */
  nRows: number;
  dataSizeBytes: number;
  /** Dollars, as quoted: checked again against the caps just before it runs. */
  estimatedCost?: number;
}
