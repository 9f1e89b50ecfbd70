/**
 * The prediction handler: one function behind every entry point (local child process, AWS Lambda, RunPod
 * Serverless). It loads a signed model, checks the input schema, writes the full predictions file to the
 * output URI (with a column flagging rows outside the training domain, when the model has a training
 * profile) and returns counts, time and summary statistics.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { PredictJobSpec } from "../cloud/job-spec.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import { modelIdOf, readSignedModel } from "../cloud/signed-model.js";
import { outsideTrainingDomain, predictFrame, readTable, writeCsv } from "../ml/index.js";
import type { Frame } from "../ml/types.js";
import { scopeFor } from "./storage.js";

export interface PredictDeps {
  storage: CloudStorageProvider;
  /** The job's key (a cloud worker's per-job key) or MODEL_SIGNING_KEY (this machine). */
  signingKey: string;
  workDir: string;
}

export interface PredictOutput {
  outputUri: string;
  numPredictions: number;
  executionTime: number;
  summary: Record<string, unknown>;
}

export async function runPredictJob(spec: PredictJobSpec, deps: PredictDeps): Promise<PredictOutput> {
  const started = performance.now();
  const { storage } = deps;
  const scope = (uri: string) => scopeFor(storage, uri, spec);
  await mkdir(deps.workDir, { recursive: true });

  // Read from the spec's URI (a cloud worker's is the copy staged in its job folder), but bound to the user and
  // model the spec names: a model copied under another id or user is refused.
  const modelId = spec.modelId ?? modelIdOf(spec.modelUri);
  const modelDir = await storage.downloadDirectory(
    spec.modelUri,
    join(deps.workDir, "model"),
    scope(spec.modelUri),
  );
  const { model } = await readSignedModel(modelDir, deps.signingKey, { userId: spec.userId, modelId });

  const dataPath = join(deps.workDir, basename(spec.dataUri));
  await storage.downloadFile(spec.dataUri, dataPath, scope(spec.dataUri));
  const frame = await readTable(new Uint8Array(await readFile(dataPath)), { fileName: dataPath });
  const result = predictFrame(model, frame, {
    probabilities: spec.probabilities,
    featureColumns: spec.featureColumns,
  });

  const extra: Array<{ name: string; values: ArrayLike<number | string> }> = [
    { name: spec.predictionColumn, values: result.predictions },
  ];
  if (result.probabilities && result.classes) {
    result.classes.forEach((cls, j) => {
      extra.push({
        name: `${spec.predictionColumn}_p_${cls}`,
        values: result.probabilities!.map((row) => row[j]),
      });
    });
  }
  const outside = outsideTrainingDomain(model, frame);
  if (outside)
    extra.push({
      name: flagColumnName(frame, extra),
      values: Array.from(outside, (f) => (f ? "true" : "false")),
    });
  const outPath = join(deps.workDir, "predictions.csv");
  await writeFile(outPath, writeCsv(frame, extra));
  await storage.uploadFile(outPath, spec.outputUri, scope(spec.outputUri));

  return {
    outputUri: spec.outputUri,
    numPredictions: result.predictions.length,
    executionTime: (performance.now() - started) / 1000,
    summary: {
      task: model.task,
      ...summarize(result.predictions),
      renamedColumns: result.schema.renamed,
      ignoredColumns: result.schema.ignored,
      ...(outside ? { outsideTrainingDomain: outside.reduce((s, f) => s + f, 0) } : {}),
    },
  };
}

/** The flag column's name, with a suffix if the data (or a prediction column) already has it. */
export const OUTSIDE_DOMAIN_COLUMN = "outside_training_domain";

function flagColumnName(frame: Frame, extra: Array<{ name: string }>): string {
  const taken = new Set([...frame.columns, ...extra].map((c) => c.name.toLowerCase()));
  let name = OUTSIDE_DOMAIN_COLUMN;
  for (let k = 2; taken.has(name); k++) name = `${OUTSIDE_DOMAIN_COLUMN}_${k}`;
  return name;
}

/** Distribution of class labels, or mean/std/min/median/max of numbers. */
export function summarize(values: Array<number | string>): Record<string, unknown> {
  if (values.length === 0) return { count: 0 };
  if (typeof values[0] === "string") {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    const distribution = [...counts].sort((a, b) => b[1] - a[1]).map(([label, count]) => ({ label, count }));
    return { count: values.length, distribution };
  }
  const nums = (values as number[]).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = nums.length;
  const mean = nums.reduce((s, v) => s + v, 0) / n;
  const variance = nums.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, n - 1);
  const median = n % 2 ? nums[(n - 1) / 2] : (nums[n / 2 - 1] + nums[n / 2]) / 2;
  return { count: values.length, mean, std: Math.sqrt(variance), min: nums[0], median, max: nums[n - 1] };
}
