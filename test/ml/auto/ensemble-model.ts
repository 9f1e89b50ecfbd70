/** A signed iris ensemble (logistic, naive Bayes, kNN) saved to a storage, for the prediction-path tests. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CloudStorageProvider } from "../../../src/cloud/provider-interface.js";
import { ensembleDocument } from "../../../src/ml/artifact/ensemble.js";
import { predictFrame, serializeModel, trainModel } from "../../../src/ml/index.js";
import type { ModelDocument } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";

/** Saves the ensemble under models/user_{userId}/{modelId}/; returns it with the labels it predicts in-process. */
export async function saveIrisEnsemble(
  storage: CloudStorageProvider,
  owner: { userId: number; modelId: string },
  signingKey: string,
): Promise<{ model: ModelDocument; expected: string[] }> {
  const frame = await loadFixture("iris");
  const train = (modelType: string) =>
    trainModel(frame, { modelType, task: "classification", target: "species", features: [], seed: 3 }).model;
  const model = ensembleDocument([
    { label: "Logistic regression", weight: 0.4, model: train("logistic") },
    { label: "Naive Bayes", weight: 0.35, model: train("naive_bayes") },
    { label: "k nearest neighbours (k=5)", weight: 0.25, model: train("knn") },
  ]);
  const metadata = {
    modelId: owner.modelId,
    name: "Iris ensemble",
    modelType: "auto",
    taskType: "classification" as const,
    target: "species",
    features: model.features.map((f) => f.name),
    trainedAt: new Date().toISOString(),
    metrics: {},
    trainedOn: "local",
  };
  const dir = await mkdtemp(join(tmpdir(), "sma-ensemble-"));
  try {
    for (const [name, bytes] of Object.entries(serializeModel(model, metadata, signingKey, owner))) {
      await writeFile(join(dir, name), bytes);
    }
    await storage.saveModel(owner.userId, owner.modelId, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { model, expected: predictFrame(model, frame).predictions as string[] };
}

/** The values of one column of a predictions CSV (no quoting in these files). */
export function csvColumn(csv: string, name: string): string[] {
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  const index = header.split(",").indexOf(name);
  if (index < 0) throw new Error(`No column ${name} in ${header}`);
  return rows.map((r) => r.split(",")[index]);
}
