/**
 * The prediction machine's actors. runPrediction is idempotent by job id: the provider writes to a fixed
 * output URI, so a run repeated after a restart overwrites the same file.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PredictionRequest, PredictionResult } from "../../cloud/provider-interface.js";
import { loadSignedModel, modelIdOf } from "../../cloud/signed-model.js";
import type { Metrics, Task } from "../../ml/types.js";
import type { DatasetSummary, FlowPorts, ModelChoice } from "../ports.js";
import { safePromise, saveTemplateActor } from "../shared/actors.js";
import { analyzeStored, type DatasetSource, ingestDataset } from "../shared/datasets.js";
import { toErrorInfo } from "../shared/errors.js";
import { assertLiveBudget, quoteJob } from "../shared/quote.js";
import { listDatasetChoices } from "../shared/sources.js";
import type {
  DriftInput,
  DriftSummary,
  PredictionOutcome,
  PredictionTemplateConfig,
  RunInput,
} from "./types.js";

const PREVIEW_ROWS = 8;
const MAX_MODELS_OFFERED = 50;
/** Drifting features described in the warning, worst first. */
const MAX_DRIFT_SHOWN = 5;

export function predictionActors(ports: FlowPorts) {
  return {
    loadSources: safePromise(async ({ userId }: { userId: number }) => {
      const [models, datasets, templates] = await Promise.all([
        listModelChoices(ports, userId),
        listDatasetChoices(ports, userId),
        ports.userData.listTemplates(userId, "prediction"),
      ]);
      return { models, datasets, templates };
    }),

    ingestDataset: safePromise((source: DatasetSource) => ingestDataset(ports, source)),

    quotePrediction: safePromise((input: { userId: number; modelType: string; dataset: DatasetSummary }) =>
      quoteJob(ports, "prediction", input),
    ),

    checkDrift: safePromise(async (input: DriftInput): Promise<DriftSummary | null> => {
      await mkdir(ports.stagingDir, { recursive: true });
      const dir = await mkdtemp(join(ports.stagingDir, "drift-"));
      try {
        const owner = { userId: input.userId, modelId: modelIdOf(input.modelUri) };
        const { model } = await loadSignedModel(
          ports.storage,
          owner,
          join(dir, "model"),
          ports.modelSigningKey,
        );
        if (!model.trainingProfile) return null;
        const { features, trainingProfile } = model;
        const source = { ...input, datasetUri: input.dataUri, jobId: `drift-${randomUUID()}` };
        const { result } = await analyzeStored(ports, source, { op: "drift", features, trainingProfile });
        const report = result.report;
        if (!report || report.drifting.length === 0) return null;
        const shown = report.drifting.slice(0, MAX_DRIFT_SHOWN);
        return {
          rows: report.rows,
          checked: report.checked,
          drifting: shown,
          more: report.drifting.length - shown.length,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),

    runPrediction: safePromise(async (input: RunInput, signal: AbortSignal): Promise<PredictionOutcome> => {
      await assertLiveBudget(ports, input.userId, "prediction", input.estimatedCost ?? 0);
      const fileName = predictionsFileName(input.inputFileName);
      const request: PredictionRequest = {
        jobId: input.jobId,
        userId: input.userId,
        modelUri: input.modelUri,
        dataUri: input.dataUri,
        outputUri: ports.storage.resultUri(input.userId, input.jobId, fileName),
        predictionColumnName: input.predictionColumn,
        nRows: input.nRows,
        dataSizeBytes: input.dataSizeBytes,
      };
      const { result, fallback } = await predictWithFallback(ports, input.provider, request, signal);
      // Only the provider that answered costs anything (this machine is free), so the cost is that one's.
      if (result.cost > 0)
        await ports.userData.recordJobCost(input.userId, input.jobId, result.cost, input.provider);
      const outbox = join(ports.stagingDir, "outbox", input.jobId);
      await mkdir(outbox, { recursive: true });
      const localPath = join(outbox, fileName);
      await ports.storage.downloadFile(result.outputUri, localPath, { userId: input.userId });
      return { ...result, localPath, fileName, preview: await readPreview(localPath), fallback };
    }),

    saveTemplate: saveTemplateActor<PredictionTemplateConfig>(ports, "prediction"),
  };
}

/**
 * Runs the prediction where the user chose; when a cloud provider fails (function missing, endpoint down,
 * timeout), this machine runs it instead and the reason is kept for the user. What the cloud job staged is
 * removed either way.
 */
async function predictWithFallback(
  ports: FlowPorts,
  providerName: RunInput["provider"],
  request: PredictionRequest,
  signal: AbortSignal,
): Promise<{ result: PredictionResult; fallback?: PredictionOutcome["fallback"] }> {
  if (providerName === "local")
    return { result: await ports.prediction("local").invokePrediction(request, signal) };
  let cloud: ReturnType<FlowPorts["prediction"]> | undefined;
  try {
    cloud = ports.prediction(providerName);
    return { result: await cloud.invokePrediction(request, signal) };
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = toErrorInfo(error).message;
    const local = await ports.prediction("local").invokePrediction(request, signal);
    return { result: local, fallback: { provider: providerName, reason } };
  } finally {
    await cloud?.releaseJob?.(request.jobId).catch(() => undefined);
  }
}

/** The user's models, newest first, with what the prediction flow needs to check compatibility. */
export async function listModelChoices(
  ports: Pick<FlowPorts, "storage" | "userData">,
  userId: number,
): Promise<ModelChoice[]> {
  const [models, names] = await Promise.all([
    ports.storage.listUserModels(userId),
    ports.userData.modelNames(userId),
  ]);
  models.sort((a, b) => b.trainedAt.localeCompare(a.trainedAt));
  const choices: ModelChoice[] = [];
  for (const m of models.slice(0, MAX_MODELS_OFFERED)) {
    const meta = (await ports.storage.getModelMetadata(userId, m.modelId)) as {
      name?: string;
      target?: string;
      features?: string[];
    };
    choices.push({
      modelId: m.modelId,
      uri: m.uri,
      name: names[m.modelId] ?? meta.name ?? m.name,
      modelType: m.modelType,
      task: m.taskType as Task,
      target: meta.target ?? "target",
      features: meta.features ?? [],
      trainedAt: m.trainedAt,
      metric: mainMetric(m.metrics),
    });
  }
  return choices;
}

export function mainMetric(metrics: Metrics): ModelChoice["metric"] {
  if (metrics.r2 !== undefined) return { name: "r2", value: metrics.r2 };
  if (metrics.accuracy !== undefined) return { name: "accuracy", value: metrics.accuracy };
  return undefined;
}

function predictionsFileName(inputFileName: string): string {
  const base =
    inputFileName
      .replace(/\.[^.]+$/, "")
      .replace(/[^\w.-]+/g, "_")
      .slice(0, 60) || "data";
  return `${base}_predictions.csv`;
}

/** The first lines of a CSV we wrote ourselves (simple quoting), split into cells for the preview table. */
async function readPreview(path: string): Promise<PredictionOutcome["preview"]> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const lines = buffer
      .subarray(0, bytesRead)
      .toString("utf8")
      .split(/\r?\n/)
      .slice(0, PREVIEW_ROWS + 1);
    const [header = "", ...rows] = lines.filter((l) => l.length > 0);
    return { columns: splitCsvLine(header), rows: rows.slice(0, PREVIEW_ROWS).map(splitCsvLine) };
  } finally {
    await handle.close();
  }
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}
