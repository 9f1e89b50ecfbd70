/**
 * The provider API of ../shared/seed/CLOUD_API_REFERENCE.md §2, in TypeScript: async and camelCase.
 * Contracts are documented here once; implementations link back instead of repeating them.
 *
 * Every user-facing operation takes the caller's user id, which comes from the Telegram update and never
 * from user input; a key or URI outside `…/user_{userId}/…` is refused with StoragePermissionError.
 */
import type { Metrics, Task } from "../ml/types.js";
import type { JobState } from "./job-spec.js";

export type ProviderName = "local" | "aws" | "runpod";

export interface DatasetInfo {
  /** Display name (sanitized file name). */
  name: string;
  datasetId: string;
  uri: string;
  size: number;
  uploadedAt: string;
  format: "csv" | "tsv" | "xlsx" | "parquet";
}

export interface ModelInfo {
  modelId: string;
  name: string;
  uri: string;
  modelType: string;
  taskType: Task;
  trainedAt: string;
  metrics: Metrics;
  trainedOn?: string;
  cost?: number;
}

/** Options accepted by URI-level operations. */
export interface AccessScope {
  /** When given, the URI must lie under this user's prefix (datasets/, models/, results/). */
  userId?: number;
}

export interface CloudStorageProvider {
  readonly provider: ProviderName;

  /** Uploads a local file as a dataset; returns its URI. `datasetName` defaults to the file name. */
  uploadDataset(userId: number, filePath: string, datasetName?: string): Promise<string>;
  /** Uploads every file of `modelDir` under models/user_{userId}/{modelId}/; returns the directory URI. */
  saveModel(userId: number, modelId: string, modelDir: string): Promise<string>;
  /** Downloads the model directory into `localDir` (created if missing); returns that path. */
  loadModel(userId: number, modelId: string, localDir: string): Promise<string>;
  listUserDatasets(userId: number): Promise<DatasetInfo[]>;
  listUserModels(userId: number): Promise<ModelInfo[]>;
  /** The model's metadata.json, or ObjectNotFoundError. */
  getModelMetadata(userId: number, modelId: string): Promise<Record<string, unknown>>;
  deleteModel(userId: number, modelId: string): Promise<void>;
  deleteDataset(userId: number, datasetId: string): Promise<void>;

  /** Streams an object to a local file (never buffers a large file whole). */
  downloadFile(storageUri: string, localPath: string, scope?: AccessScope): Promise<void>;
  /** Uploads a local file to the URI (multipart above 5 MB where the backend supports it). */
  uploadFile(localPath: string, storageUri: string, scope?: AccessScope): Promise<string>;
  /** Small objects (job specs, progress, results) as bytes. */
  readBytes(storageUri: string, scope?: AccessScope): Promise<Uint8Array>;
  writeBytes(storageUri: string, data: Uint8Array | string, scope?: AccessScope): Promise<string>;
  exists(storageUri: string, scope?: AccessScope): Promise<boolean>;
  delete(storageUri: string, scope?: AccessScope): Promise<void>;

  /** Uploads every file under `localDir` below a directory URI (ending in "/"); metadata.json goes last. */
  uploadDirectory(localDir: string, directoryUri: string, scope?: AccessScope): Promise<string>;
  /** Downloads every object below a directory URI into `localDir`; ObjectNotFoundError when there is none. */
  downloadDirectory(directoryUri: string, localDir: string, scope?: AccessScope): Promise<string>;
  /** Deletes every object below a directory URI (nothing there is not an error). */
  deleteDirectory(directoryUri: string, scope?: AccessScope): Promise<void>;

  /** URI of a key in this storage, e.g. `s3://bucket/key`, `runpod://volume/key`, `file:///abs/key`. */
  uriFor(key: string): string;
  /** The job channel directory of the design: `jobs/{jobId}/`. */
  jobUri(jobId: string, file: string): string;
  /** URI of a user's predictions file: results/user_{userId}/{jobId}/{fileName}. */
  resultUri(userId: number, jobId: string, fileName?: string): string;
  /** URI of a user's model directory: models/user_{userId}/{modelId}/. */
  modelUri(userId: number, modelId: string): string;

  /** A time-limited download link, where the backend supports it (S3 yes; RunPod volumes and local no). */
  presignGetUrl?(storageUri: string, expiresSeconds: number, scope?: AccessScope): Promise<string>;
}

/** The seed's training config, plus the job id that makes a launch idempotent. */
export interface TrainingLaunchConfig {
  /** Fixed before the launch starts; used as a client token or a resource name. */
  jobId: string;
  computeType: string;
  datasetUri: string;
  modelId: string;
  modelName?: string;
  userId: number;
  modelType: string;
  taskType: Task;
  targetColumn: string;
  featureColumns: string[];
  hyperparameters: Record<string, unknown>;
  testSize?: number;
  preprocessing?: { scaling?: "standard" | "minmax" | "robust" | "none" };
  /** ISO time by which the job must have ended; compute self-destructs after it. */
  deadline: string;
  /** Language of the chart titles the worker renders. */
  language?: "en" | "pt";
  /** Use a spot/interruptible offer where the provider has one. */
  spot?: boolean;
  /** The offer's estimated minutes, for TrainingJob.estimatedCost (else the time left to the deadline). */
  estimatedMinutes?: number;
}

export interface TrainingJob {
  jobId: string;
  status: "launching" | "queued" | "running" | "complete" | "failed";
  launchTime: string;
  computeType: string;
  /** Dollars, from the rate captured at launch and the estimated duration. */
  estimatedCost: number;
  /** Dollars per hour captured at launch; actual cost = runtime × this rate. */
  hourlyRate: number;
  /** Provider resource id (instance id, pod id, pid) when known. */
  resourceId?: string;
  /** ISO time by which the job must have ended (as launched; a re-launch returns the original). */
  deadline: string;
}

/** What a machine reports about itself while a job runs (pods: GPU and VRAM from RunPod's runtime). */
export interface ComputeMetrics {
  /** Percent. */
  gpuUtilization?: number;
  vramUsedGb?: number;
  vramTotalGb?: number;
  /** Percent. */
  cpuUtilization?: number;
}

export interface TrainingStatus {
  jobId: string;
  status: "launching" | "queued" | "running" | "complete" | "failed" | "cancelled";
  runtimeSeconds: number;
  /** 0..100 */
  progress: number;
  phase?: string;
  message?: string;
  queuePosition?: number;
  currentEpoch?: number;
  /** Last 10 log lines. */
  logs: string[];
  /** Cost so far in dollars (0 for local). */
  costSoFar: number;
  /** Set when status is complete: the model directory URI. */
  outputUri?: string;
  /** Set when status is complete: what the worker reported (metrics, importance, facts). */
  summary?: Record<string, unknown>;
  /** Set when status is failed, in the seed's error format. */
  error?: { error_code: number; error_class: string; message: string; recovery_suggestion: string };
  /** While running, where the provider reports it: GPU use and memory of the machine. */
  metrics?: ComputeMetrics;
  /** Set when status is failed and the machine left a log of its own (an EC2 instance's boot log): its tail. */
  diagnostics?: string[];
}

export interface CloudTrainingProvider {
  readonly provider: ProviderName;
  /** Recommends a compute resource (instance type, GPU type, or "local"). Throws for unknown model types. */
  selectComputeType(
    datasetSizeMb: number,
    modelType: string,
    estimatedTrainingTimeMinutes?: number,
  ): Promise<string>;
  /** Starts the job. Idempotent by `config.jobId`: a second call finds the job the first one created. */
  launchTraining(config: TrainingLaunchConfig, signal?: AbortSignal): Promise<TrainingJob>;
  monitorTraining(jobId: string, signal?: AbortSignal): Promise<TrainingStatus>;
  /** Stops the job and its compute; resolves only once the provider confirms. "Not found" counts as done. */
  terminateTraining(jobId: string): Promise<string>;
  /** New log lines as they appear, until the job ends. */
  pollTrainingLogs(jobId: string, signal?: AbortSignal): AsyncIterable<string>;
  /**
   * Removes what the job staged in the provider's storage (its dataset copy, the worker's outputs), once the
   * job has ended and its compute is confirmed gone. Providers without staging leave it out.
   */
  releaseJob?(jobId: string): Promise<void>;
}

export interface PredictionRequest {
  /** Fixed by the caller so that a retried request finds the same job. */
  jobId: string;
  userId: number;
  modelUri: string;
  dataUri: string;
  outputUri: string;
  predictionColumnName?: string;
  featureColumns?: string[];
  probabilities?: boolean;
  /** Rows and bytes of the input, when known: small inputs run synchronously, large ones asynchronously. */
  nRows?: number;
  dataSizeBytes?: number;
}

export interface PredictionResult {
  success: boolean;
  outputUri: string;
  numPredictions: number;
  /** Seconds. */
  executionTime: number;
  /** Dollars. */
  cost: number;
  /** Summary statistics (regression) or class distribution (classification), as the worker computed them. */
  summary?: Record<string, unknown>;
}

export interface PredictionStatus {
  jobId: string;
  status: "pending" | "running" | "complete" | "failed";
  progress: number;
  result?: PredictionResult;
  error?: { error_code: number; error_class: string; message: string; recovery_suggestion: string };
}

export interface CloudPredictionProvider {
  readonly provider: ProviderName;
  invokePrediction(request: PredictionRequest, signal?: AbortSignal): Promise<PredictionResult>;
  /** For large inputs: returns a job id for checkJobStatus. */
  invokeAsync(request: PredictionRequest): Promise<string>;
  checkJobStatus(jobId: string): Promise<PredictionStatus>;
  /** Removes what the job staged in the provider's storage, once its predictions are home. */
  releaseJob?(jobId: string): Promise<void>;
}

/** Maps a worker's job state onto the seed's training status words. */
export function trainingStatusOf(state: JobState): TrainingStatus["status"] {
  switch (state) {
    case "queued":
      return "queued";
    case "starting":
      return "launching";
    case "running":
      return "running";
    case "succeeded":
      return "complete";
    case "failed":
      return "failed";
    case "cancelled":
      return "cancelled";
  }
}
