/**
 * The prediction machine's actors. runPrediction is idempotent by job id: the provider writes to a fixed
 * output URI, so a run repeated after a restart overwrites the same file.
 */
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import type { Metrics, Task } from "../../ml/types.js";
import type { DatasetSummary, FlowPorts, ModelChoice, StoredDatasetChoice } from "../ports.js";
import { safePromise } from "../shared/actors.js";
import { type DatasetSource, ingestDataset } from "../shared/datasets.js";
import { assertLiveBudget, quoteJob } from "../shared/quote.js";
import type { PredictionOutcome, PredictionTemplateConfig, RunInput } from "./types.js";

const PREVIEW_ROWS = 8;
const MAX_MODELS_OFFERED = 50;

export function predictionActors(ports: FlowPorts) {
  return {
    loadSources: safePromise(async ({ userId }: { userId: number }) => {
      const [models, datasets, templates] = await Promise.all([
        listModelChoices(ports, userId),
        ports.storage.listUserDatasets(userId),
        ports.userData.listTemplates(userId, "prediction"),
      ]);
      const datasetChoices: StoredDatasetChoice[] = datasets
        .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))
        .slice(0, 50)
        .map((d) => ({
          datasetId: d.datasetId,
          uri: d.uri,
          name: d.name,
          sizeBytes: d.size,
          uploadedAt: d.uploadedAt,
        }));
      return { models, datasets: datasetChoices, templates };
    }),

    ingestDataset: safePromise((source: DatasetSource) => ingestDataset(ports, source)),

    quotePrediction: safePromise((input: { userId: number; modelType: string; dataset: DatasetSummary }) =>
      quoteJob(ports, "prediction", input),
    ),

    runPrediction: safePromise(async (input: RunInput, signal: AbortSignal): Promise<PredictionOutcome> => {
      await assertLiveBudget(ports, input.userId, "prediction", input.estimatedCost ?? 0);
      const fileName = predictionsFileName(input.inputFileName);
      const outputUri = ports.storage.resultUri(input.userId, input.jobId, fileName);
      const result = await ports.prediction(input.provider).invokePrediction(
        {
          jobId: input.jobId,
          userId: input.userId,
          modelUri: input.modelUri,
          dataUri: input.dataUri,
          outputUri,
          predictionColumnName: input.predictionColumn,
          nRows: input.nRows,
          dataSizeBytes: input.dataSizeBytes,
        },
        signal,
      );
      if (result.cost > 0)
        await ports.userData.recordJobCost(input.userId, input.jobId, result.cost, input.provider);
      const outbox = join(ports.stagingDir, "outbox", input.jobId);
      await mkdir(outbox, { recursive: true });
      const localPath = join(outbox, fileName);
      await ports.storage.downloadFile(result.outputUri, localPath, { userId: input.userId });
      return { ...result, localPath, fileName, preview: await readPreview(localPath) };
    }),

    saveTemplate: safePromise(
      async (input: { userId: number; name: string; config: PredictionTemplateConfig }) =>
        ports.userData.saveTemplate(input.userId, {
          name: input.name,
          kind: "prediction",
          config: input.config as unknown as Record<string, unknown>,
        }),
    ),
  };
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
