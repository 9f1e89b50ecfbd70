/**
 * What a user has, outside any workflow: models (with the names they gave them), datasets, templates and
 * history. The bot's /models, /datasets, /templates and /history screens use this; it talks to the ports.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import type { DatasetInfo, ModelInfo } from "../cloud/provider-interface.js";
import type { FeatureImportance, Metrics, Task } from "../ml/types.js";
import type { FlowPorts, ModelChoice, TemplateChoice } from "./ports.js";

/** A model's card in /models: what the prediction flow knows of it, and how it was trained. */
export interface ModelCard extends Omit<ModelChoice, "metric"> {
  /** Auto mode: what won (a candidate's label, or "Ensemble of …"). */
  modelLabel?: string;
  trainedOn: string;
  cost: number;
  metrics: Metrics;
  importance: FeatureImportance[];
}

export class Catalog {
  constructor(private readonly ports: Pick<FlowPorts, "storage" | "userData">) {}

  /** The user's models, newest first, with their display names. */
  async models(userId: number): Promise<Array<ModelInfo & { displayName: string }>> {
    const [models, names] = await Promise.all([
      this.ports.storage.listUserModels(userId),
      this.ports.userData.modelNames(userId),
    ]);
    return models
      .sort((a, b) => b.trainedAt.localeCompare(a.trainedAt))
      .map((m) => ({ ...m, displayName: names[m.modelId] ?? m.name }));
  }

  async model(userId: number, modelId: string): Promise<ModelCard> {
    const [meta, names] = await Promise.all([
      this.ports.storage.getModelMetadata(userId, modelId),
      this.ports.userData.modelNames(userId),
    ]);
    const m = meta as Record<string, unknown>;
    return {
      modelId,
      name: names[modelId] ?? String(m.name ?? modelId),
      modelType: String(m.modelType ?? ""),
      ...(typeof m.modelLabel === "string" ? { modelLabel: m.modelLabel } : {}),
      task: m.taskType as Task,
      target: String(m.target ?? ""),
      features: (m.features as string[]) ?? [],
      trainedAt: String(m.trainedAt ?? ""),
      trainedOn: String(m.trainedOn ?? "local"),
      cost: Number(m.cost ?? 0),
      metrics: (m.metrics as Metrics) ?? {},
      importance: (m.importance as FeatureImportance[]) ?? [],
      uri: this.ports.storage.modelUri(userId, modelId),
    };
  }

  rename(userId: number, modelId: string, name: string): Promise<void> {
    return this.ports.userData.setModelName(userId, modelId, name);
  }

  deleteModel(userId: number, modelId: string): Promise<void> {
    return this.ports.storage.deleteModel(userId, modelId);
  }

  /** The model directory as a zip: model.json, metadata.json, signature.json (and charts). */
  async modelArchive(userId: number, modelId: string): Promise<Uint8Array> {
    const dir = await mkdtemp(join(tmpdir(), "sma-model-"));
    try {
      const local = await this.ports.storage.loadModel(userId, modelId, dir);
      const files: Record<string, Uint8Array> = {};
      for (const name of await readdir(local, { recursive: true })) {
        const bytes = await readFile(join(local, name)).catch(() => undefined);
        if (bytes) files[`${modelId}/${name}`] = new Uint8Array(bytes);
      }
      return zipSync(files, { level: 6 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async datasets(userId: number): Promise<DatasetInfo[]> {
    const list = await this.ports.storage.listUserDatasets(userId);
    return list.sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
  }

  deleteDataset(userId: number, datasetId: string): Promise<void> {
    return this.ports.storage.deleteDataset(userId, datasetId);
  }

  async templates(userId: number): Promise<TemplateChoice[]> {
    const [training, prediction] = await Promise.all([
      this.ports.userData.listTemplates(userId, "training"),
      this.ports.userData.listTemplates(userId, "prediction"),
    ]);
    return [...training, ...prediction].sort((a, b) => a.name.localeCompare(b.name));
  }

  deleteTemplate(userId: number, name: string): Promise<void> {
    return this.ports.userData.deleteTemplate(userId, name);
  }
}
