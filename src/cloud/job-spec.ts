/**
 * The worker ↔ bot channel: one JSON spec per job, and the progress/result objects the worker writes next to
 * it under `jobs/{jobId}/`. The same zod schemas are used by the bot (to write and read) and by every worker
 * (locally, on EC2, on RunPod, in Lambda), so the two sides cannot drift apart.
 */
import { z } from "zod";

/** Job ids appear in storage keys, pod names and EC2 client tokens: short, URL-safe, unique. */
export const jobIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{5,62}$/, "job ids are lowercase letters, digits and '-'");

/**
 * A cloud worker's per-job signing key (job-keys.ts): 64 hex characters. Absent for jobs on this machine, whose
 * worker signs with MODEL_SIGNING_KEY itself.
 */
const jobKeySchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .optional();

export const trainJobSpecSchema = z.object({
  kind: z.literal("train"),
  jobId: jobIdSchema,
  userId: z.number().int().positive(),
  modelId: z.string().regex(/^[\w-]{1,80}$/),
  modelName: z.string().max(100).optional(),
  datasetUri: z.string().min(1),
  /**
   * Where the model directory goes: the user's models/user_1/{modelId}/ on this machine, the job's own
   * jobs/{jobId}/model/ for a cloud worker (the bot checks it and stores it under the user's prefix).
   */
  outputUri: z.string().min(1),
  jobKey: jobKeySchema,
  modelType: z.string().min(1),
  task: z.enum(["regression", "classification"]),
  target: z.string().min(1),
  features: z.array(z.string()).min(1),
  hyperparameters: z.record(z.string(), z.unknown()).default({}),
  testSize: z.number().gt(0).lt(1).default(0.2),
  seed: z.number().int().default(42),
  scaling: z.enum(["standard", "minmax", "robust", "none"]).default("standard"),
  /** Language of the chart titles. */
  language: z.enum(["en", "pt"]).default("en"),
  /** The engine's backend: "gpu" on GPU compute (CPU fallback when no adapter), "auto" by data size. */
  device: z.enum(["auto", "cpu", "gpu"]).default("auto"),
  /** Where it runs, recorded in the model's metadata ("local", "aws:m5.large", "runpod:NVIDIA RTX A5000"). */
  trainedOn: z.string().default("local"),
  /** ISO time after which the worker gives up and exits. */
  deadline: z.iso.datetime(),
  createdAt: z.iso.datetime(),
});
export type TrainJobSpec = z.infer<typeof trainJobSpecSchema>;
export type TrainJobSpecInput = z.input<typeof trainJobSpecSchema>;

export const predictJobSpecSchema = z.object({
  kind: z.literal("predict"),
  jobId: jobIdSchema,
  userId: z.number().int().positive(),
  /** The model directory: the user's own, or a copy staged under jobs/{jobId}/model/ for a cloud worker. */
  modelUri: z.string().min(1),
  /** The model's id (its signature is bound to it); by default the last segment of modelUri. */
  modelId: z
    .string()
    .regex(/^[\w-]{1,80}$/)
    .optional(),
  jobKey: jobKeySchema,
  dataUri: z.string().min(1),
  outputUri: z.string().min(1),
  predictionColumn: z.string().min(1).max(100).default("prediction"),
  featureColumns: z.array(z.string()).optional(),
  probabilities: z.boolean().default(false),
  deadline: z.iso.datetime(),
  createdAt: z.iso.datetime(),
});
export type PredictJobSpec = z.infer<typeof predictJobSpecSchema>;
export type PredictJobSpecInput = z.input<typeof predictJobSpecSchema>;

/** The fields of a job that reads a staged file in a sandbox, and the limits it reads it within. */
const stagedFileFields = {
  jobId: jobIdSchema,
  userId: z.number().int().positive(),
  filePath: z.string().min(1),
  fileName: z.string().min(1).max(200),
  limits: z.object({
    maxBytes: z.number().positive(),
    maxRows: z.number().int().positive(),
    maxColumns: z.number().int().positive(),
    maxCellLength: z.number().int().positive(),
    maxCells: z.number().int().positive(),
    maxDecompressedBytes: z.number().positive(),
  }),
  deadline: z.iso.datetime(),
  createdAt: z.iso.datetime(),
};

/**
 * Reading an upload in a sandbox: the staged file is on the disk of the machine that downloaded it, so an
 * ingest job always runs there (locally), never on cloud compute.
 */
export const ingestJobSpecSchema = z.object({ kind: z.literal("ingest"), ...stagedFileFields });
export type IngestJobSpec = z.infer<typeof ingestJobSpecSchema>;

const chartLanguage = z.enum(["en", "pt"]);
const columnTypeSchema = z.enum([
  "numeric",
  "integer",
  "boolean",
  "categorical",
  "datetime",
  "text",
  "identifier",
]);

/** What an analysis job computes on the table, besides reading it. */
export const analysisSchema = z.discriminatedUnion("op", [
  /** /stats' first look: the description, the summary card, the correlations and their heatmap. */
  z.object({ op: z.literal("overview"), maxColumns: z.number().int().positive(), language: chartLanguage }),
  /** One /stats test on the chosen columns, and its chart. */
  z.object({
    op: z.literal("test"),
    test: z.string().min(1).max(40),
    columns: z.array(z.string()).min(1).max(8),
    language: chartLanguage,
  }),
  /**
   * The drift of the table from a model's training profile: the model's features and profile, taken from a
   * model whose signature the bot checked (the sandbox holds no key to check one itself).
   */
  z.object({
    op: z.literal("drift"),
    features: z.array(
      z.object({ name: z.string(), type: columnTypeSchema, levels: z.array(z.string()).optional() }),
    ),
    trainingProfile: z.unknown(),
  }),
]);
export type Analysis = z.infer<typeof analysisSchema>;

/**
 * Statistics on a stored or uploaded table (/stats, the drift check at /predict), in the same sandbox as an
 * ingest job and for the same reason: the bot's event loop never parses user data. A chart it draws is left
 * as ANALYSIS_CHART in `outputDir`, for the bot to store under the user's prefix.
 */
export const analyzeJobSpecSchema = z.object({
  kind: z.literal("analyze"),
  ...stagedFileFields,
  outputDir: z.string().min(1),
  analysis: analysisSchema,
});
export type AnalyzeJobSpec = z.infer<typeof analyzeJobSpecSchema>;

/** The one chart an analysis job draws (the heatmap of an overview, a test's chart), as a PNG. */
export const ANALYSIS_CHART = "chart.png";

export const jobSpecSchema = z.discriminatedUnion("kind", [
  trainJobSpecSchema,
  predictJobSpecSchema,
  ingestJobSpecSchema,
  analyzeJobSpecSchema,
]);

/** Jobs that read a user's file in a sandbox: they run on this machine, hold no key and sign nothing. */
export function isSandboxJob(spec: JobSpec): spec is IngestJobSpec | AnalyzeJobSpec {
  return spec.kind === "ingest" || spec.kind === "analyze";
}
export type JobSpec = z.infer<typeof jobSpecSchema>;

export const jobStateSchema = z.enum(["queued", "starting", "running", "succeeded", "failed", "cancelled"]);
export type JobState = z.infer<typeof jobStateSchema>;

/** jobs/{jobId}/progress.json, rewritten by the worker as it goes. */
export const jobProgressSchema = z.object({
  state: jobStateSchema,
  phase: z.string(),
  percent: z.number().min(0).max(100),
  message: z.string(),
  updatedAt: z.iso.datetime(),
  queuePosition: z.number().int().min(0).optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

const errorResponseSchema = z.object({
  error_code: z.number(),
  error_class: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  recovery_suggestion: z.string(),
  timestamp: z.string(),
});

/** jobs/{jobId}/result.json, written once when the worker ends, whatever the outcome. */
export const jobResultSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("succeeded"),
    finishedAt: z.iso.datetime(),
    runtimeSeconds: z.number().min(0),
    /** Training: the model directory URI; prediction: the predictions file URI. */
    outputUri: z.string(),
    /** Training: metrics, importance, facts. Prediction: counts and summary statistics. */
    summary: z.record(z.string(), z.unknown()),
  }),
  z.object({
    status: z.enum(["failed", "cancelled"]),
    finishedAt: z.iso.datetime(),
    runtimeSeconds: z.number().min(0),
    error: errorResponseSchema,
  }),
]);
export type JobResult = z.infer<typeof jobResultSchema>;

/** One line of jobs/{jobId}/log.jsonl. */
export const jobLogLineSchema = z.object({ at: z.iso.datetime(), level: z.string(), message: z.string() });
export type JobLogLine = z.infer<typeof jobLogLineSchema>;

export const JOB_FILES = {
  spec: "spec.json",
  progress: "progress.json",
  log: "log.jsonl",
  result: "result.json",
} as const;

/** Where a cloud job's inputs and outputs are staged, below jobs/{jobId}/ (removed when the job ends). */
export const JOB_STAGING = {
  /** The dataset, as `input.{csv|tsv|xlsx|parquet}`. */
  inputPrefix: "input",
  /** The model directory the worker writes, or the model a prediction worker reads. */
  modelDir: "model",
} as const;
