/**
 * The training job: what runs inside any compute (a local child process, an EC2 instance, a RunPod pod).
 * It reads everything it needs through storage, trains with src/ml in a thread (fit-thread.ts) while this
 * loop keeps reporting, and writes the signed model directory to the spec's output URI.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { TrainJobSpec } from "../cloud/job-spec.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import { getModelSpec, renderCharts, serializeModel } from "../ml/index.js";
import type { ModelMetadata, TrainResult } from "../ml/types.js";
import { fitInThread } from "./fit-thread.js";
import type { JobReporter } from "./reporter.js";
import { scopeFor } from "./storage.js";

export interface TrainJobDeps {
  storage: CloudStorageProvider;
  reporter: JobReporter;
  /** The job's key (a cloud worker's per-job key) or MODEL_SIGNING_KEY (this machine). */
  signingKey: string;
  /** A private scratch folder for this job. */
  workDir: string;
}

export interface TrainJobOutput {
  outputUri: string;
  summary: Record<string, unknown>;
}

/** Importance entries kept in the summary (the full list is in metadata.json). */
const TOP_FEATURES = 20;

export async function runTrainJob(spec: TrainJobSpec, deps: TrainJobDeps): Promise<TrainJobOutput> {
  const { storage, reporter } = deps;
  await mkdir(deps.workDir, { recursive: true });
  reporter.log(`training ${spec.modelType} on ${spec.features.length} features to predict ${spec.target}`);
  await reporter.progress("running", "preparing", 2, "Downloading the dataset", true);

  const dataPath = join(deps.workDir, basename(spec.datasetUri));
  await storage.downloadFile(spec.datasetUri, dataPath, scopeFor(storage, spec.datasetUri, spec));
  await reporter.progress("running", "preparing", 5, "Reading the dataset", true);

  let loggedTenth = 0;
  const { result, compute } = await fitInThread(
    dataPath,
    {
      modelType: spec.modelType,
      task: spec.task,
      target: spec.target,
      features: spec.features,
      hyperparameters: spec.hyperparameters,
      testSize: spec.testSize,
      seed: spec.seed,
      scaling: spec.scaling,
    },
    {
      onAdapter: (line) => reporter.log(line),
      onRead: ({ nRows, nColumns }) => {
        reporter.log(`read ${nRows} rows × ${nColumns} columns`);
        void reporter.progress("running", "preparing", 8, `Read ${nRows} rows`);
      },
      onProgress: (p) => {
        // Training reports 0–100 of its own; it occupies 10–90 of the job. Every tenth goes to the log too.
        void reporter.progress("running", p.phase, 10 + p.percent * 0.8, p.message);
        const tenth = Math.floor(p.percent / 10);
        if (p.phase === "training" && tenth > loggedTenth) {
          loggedTenth = tenth;
          reporter.log(p.message);
        }
      },
    },
    spec.device,
  );
  if (compute.device === "gpu") reporter.log(`trained on the GPU: ${compute.label}`);
  else if (compute.fallback) reporter.log(`trained on the CPU: ${compute.fallback}`, "warn");
  reporter.log(`fitted in ${result.fitSeconds.toFixed(2)} s`);
  await reporter.progress("running", "saving", 92, "Saving the model", true);

  const metadata: ModelMetadata = {
    modelId: spec.modelId,
    name: spec.modelName ?? defaultModelName(spec.modelType, new Date(spec.createdAt)),
    modelType: spec.modelType,
    taskType: spec.task,
    target: spec.target,
    features: result.model.features.map((f) => f.name),
    trainedAt: new Date().toISOString(),
    metrics: result.metrics,
    trainedOn: spec.trainedOn,
    importance: result.importance,
    facts: result.facts,
  };
  const winner = result.leaderboard?.find((e) => e.winner);
  if (winner) metadata.modelLabel = winner.label;
  const modelDir = join(deps.workDir, "model");
  await mkdir(modelDir, { recursive: true });
  const owner = { userId: spec.userId, modelId: spec.modelId };
  for (const [name, bytes] of Object.entries(
    serializeModel(result.model, metadata, deps.signingKey, owner),
  )) {
    await writeFile(join(modelDir, name), bytes);
  }
  const charts = await writeCharts(result, spec, modelDir, reporter);
  const outputUri = await storage.uploadDirectory(
    modelDir,
    spec.outputUri,
    scopeFor(storage, spec.outputUri, spec),
  );
  return {
    outputUri,
    summary: {
      modelId: spec.modelId,
      name: metadata.name,
      modelType: spec.modelType,
      task: spec.task,
      target: spec.target,
      metrics: result.metrics,
      importance: result.importance.slice(0, TOP_FEATURES),
      facts: result.facts,
      fitSeconds: result.fitSeconds,
      compute,
      classes: result.model.classes,
      charts: charts.map((c) => ({ ...c, uri: `${outputUri}charts/${c.name}.png` })),
      leaderboard: result.leaderboard,
    },
  };
}

/** The result card's charts, rendered here so the bot only forwards PNGs (charts/*.png in the model folder). */
async function writeCharts(
  result: TrainResult,
  spec: TrainJobSpec,
  modelDir: string,
  reporter: JobReporter,
): Promise<Array<{ name: string; caption: string }>> {
  try {
    const charts = renderCharts(result, { language: spec.language });
    await mkdir(join(modelDir, "charts"), { recursive: true });
    for (const chart of charts) await writeFile(join(modelDir, "charts", `${chart.name}.png`), chart.png);
    return charts.map((c) => ({ name: c.name, caption: c.title }));
  } catch (error) {
    // A chart is a nicety: the model is what matters.
    reporter.log(`charts not rendered: ${error instanceof Error ? error.message : String(error)}`, "warn");
    return [];
  }
}

/** "Linear regression - Nov 28 2026", the original's default naming. */
export function defaultModelName(modelType: string, at: Date): string {
  const display = getModelSpec(modelType).displayName;
  const date = at.toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    year: "numeric",
    timeZone: "UTC",
  });
  return `${display} - ${date.replace(",", "")}`;
}
