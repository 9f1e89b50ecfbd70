/** A signed model trained in-process and saved to a storage, for prediction tests. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jobSigningKey } from "../../../src/cloud/job-keys.js";
import type { CloudStorageProvider } from "../../../src/cloud/provider-interface.js";
import { readTable, serializeModel, trainModel } from "../../../src/ml/index.js";
import type { ModelMetadata } from "../../../src/ml/types.js";

export const IRIS_FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

/** Trains logistic regression on iris and saves it under models/user_{userId}/{modelId}/; returns its URI. */
export async function saveIrisModel(
  storage: CloudStorageProvider,
  userId: number,
  modelId: string,
  signingKey: string,
): Promise<string> {
  const dir = await irisModelDir(userId, modelId, signingKey);
  try {
    return await storage.saveModel(userId, modelId, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What a cloud worker leaves behind: the iris model signed with the job's key (derived from `masterKey`) in
 * the job's folder, jobs/{jobId}/model/; returns that folder's URI.
 */
export async function writeJobModel(
  storage: CloudStorageProvider,
  job: { jobId: string; userId: number; modelId: string },
  masterKey: string,
): Promise<string> {
  const dir = await irisModelDir(job.userId, job.modelId, jobSigningKey(masterKey, job));
  try {
    return await storage.uploadDirectory(dir, `${storage.jobUri(job.jobId, "model")}/`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function irisModelDir(userId: number, modelId: string, signingKey: string): Promise<string> {
  const frame = await readTable(new Uint8Array(await readFile(fixturePath("iris.csv"))), {
    fileName: "iris.csv",
  });
  const trained = trainModel(frame, {
    modelType: "logistic",
    task: "classification",
    target: "species",
    features: IRIS_FEATURES,
    hyperparameters: {},
    testSize: 0.2,
    seed: 42,
    scaling: "standard",
  });
  const metadata: ModelMetadata = {
    modelId,
    name: "Iris logistic",
    modelType: "logistic",
    taskType: "classification",
    target: "species",
    features: IRIS_FEATURES,
    trainedAt: new Date().toISOString(),
    metrics: trained.metrics,
    trainedOn: "local",
    importance: trained.importance,
    facts: trained.facts,
  };
  const dir = await mkdtemp(join(tmpdir(), "sma-model-"));
  const owner = { userId, modelId };
  for (const [name, bytes] of Object.entries(serializeModel(trained.model, metadata, signingKey, owner))) {
    await writeFile(join(dir, name), bytes);
  }
  return dir;
}
