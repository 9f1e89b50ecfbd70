/**
 * The prediction handler: one function behind every entry point (local child process, AWS Lambda, RunPod
 * Serverless). It loads a signed model, checks the input schema, writes the full predictions file to the
 * output URI and returns counts, time and summary statistics.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { PredictJobSpec } from "../cloud/job-spec.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import { deserializeModel, predictFrame, readTable, writeCsv } from "../ml/index.js";
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

  const modelId = spec.modelId ?? basename(spec.modelUri.replace(/\/+$/, ""));
  const modelDir = await storage.downloadDirectory(
    spec.modelUri,
    join(deps.workDir, "model"),
    scope(spec.modelUri),
  );
  const files: Record<string, Uint8Array> = {};
  for (const entry of await readdir(modelDir, { withFileTypes: true })) {
    // Only the files: charts/ is a folder of pictures, not part of the signed model.
    if (entry.isFile()) files[entry.name] = new Uint8Array(await readFile(join(modelDir, entry.name)));
  }
  // Bound to the user and model the spec names: a model copied under another id or user is refused.
  const { model } = deserializeModel(files, deps.signingKey, { userId: spec.userId, modelId });

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
    },
  };
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
