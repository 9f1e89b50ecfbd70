/**
 * Turning an uploaded file (or a stored dataset) into a compact summary for the workflow context, and
 * analyzing a user's table (/stats, the drift check). Every table is read in the sandbox (the ingest port),
 * never in the bot process: bad input is refused before anything is stored, and nothing a file does can
 * stall or crash the bot. An upload is stored as it was sent, so a stored dataset is read again from the
 * very bytes the user sent, by the same readers.
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { AnalyzeOutput, IngestRequest } from "../../cloud/ingest-port.js";
import type { Analysis } from "../../cloud/job-spec.js";
import { IngestLimitError } from "../../errors.js";
import type { DatasetDescription } from "../../ml/index.js";
import type { DatasetSummary, FlowPorts } from "../ports.js";

/** A sandbox that ran out of memory or time is tried once more, then the user is told which limit. */
export const MAX_INGEST_ATTEMPTS = 2;

export interface DatasetSource {
  userId: number;
  fileName: string;
  /** A fresh upload on local disk: read, then stored. */
  stagingPath?: string;
  /** A dataset already in storage: downloaded and read. */
  datasetUri?: string;
  /** This attempt's ingest job (unique per attempt, so a restart finds the attempt it interrupted). */
  jobId: string;
  /** 1 for the first try; the staged file is removed after the last one, whatever its outcome. */
  attempt: number;
}

type SandboxPorts = Pick<FlowPorts, "storage" | "ingest" | "stagingDir">;

export async function ingestDataset(ports: SandboxPorts, source: DatasetSource): Promise<DatasetSummary> {
  const read = async (request: IngestRequest) => ({ description: await ports.ingest.describe(request) });
  return (await readDataset(ports, source, read)).dataset;
}

/**
 * Reads a source in the sandbox with `read` (whatever else it computes, it describes the table), then
 * stores an upload as it was sent. The staged upload is kept for one more attempt when the sandbox ran
 * out of memory or time.
 */
export async function readDataset<T extends { description: DatasetDescription }>(
  ports: SandboxPorts,
  source: DatasetSource,
  read: (request: IngestRequest) => Promise<T>,
): Promise<T & { dataset: DatasetSummary }> {
  const local = source.stagingPath ?? (await downloadStored(ports, source));
  let keepForRetry = false;
  try {
    const found = await read({
      jobId: source.jobId,
      userId: source.userId,
      filePath: local,
      fileName: source.fileName,
    });
    const { size } = await stat(local);
    const uri =
      source.datasetUri ?? (await ports.storage.uploadDataset(source.userId, local, source.fileName));
    const datasetId = basename(uri).replace(/\.[^.]+$/, "");
    const dataset = { ...found.description, datasetId, uri, fileName: source.fileName, sizeBytes: size };
    return { ...found, dataset };
  } catch (error) {
    keepForRetry =
      error instanceof IngestLimitError &&
      source.stagingPath !== undefined &&
      source.attempt < MAX_INGEST_ATTEMPTS;
    throw error;
  } finally {
    if (!keepForRetry) await rm(local, { force: true });
  }
}

/** An analysis' result, and the URI of the chart it drew once stored under the user's results. */
export type StoredAnalysis<A extends Analysis> = Omit<AnalyzeOutput<A>, "chartPath"> & { chartUri?: string };

/**
 * Runs an analysis of a staged file in the sandbox. The chart it drew is stored as
 * results/user_{userId}/{jobId}/{chartName}: a repeat of the same job (after a restart) finds the stored one.
 */
export async function analyzeStaged<A extends Analysis>(
  ports: SandboxPorts,
  request: IngestRequest,
  analysis: A,
  chartName: string,
): Promise<StoredAnalysis<A>> {
  const outputDir = join(ports.stagingDir, "analysis", request.jobId);
  await mkdir(outputDir, { recursive: true });
  let output: AnalyzeOutput<A>;
  try {
    output = await ports.ingest.analyze({ ...request, analysis, outputDir });
  } catch (error) {
    await rm(outputDir, { recursive: true, force: true });
    throw error;
  }
  const { chartPath, ...rest } = output;
  if (!chartPath) {
    await rm(outputDir, { recursive: true, force: true });
    return rest;
  }
  const chartUri = ports.storage.resultUri(request.userId, request.jobId, chartName);
  // The folder goes only once the chart is stored: a repeat finds either the file or the stored chart.
  if (await exists(chartPath))
    await ports.storage.uploadFile(chartPath, chartUri, { userId: request.userId });
  await rm(outputDir, { recursive: true, force: true });
  return { ...rest, chartUri };
}

/** Runs an analysis of a dataset in the user's storage: its stored bytes are staged and read in a sandbox. */
export async function analyzeStored<A extends Analysis>(
  ports: SandboxPorts,
  source: { userId: number; datasetUri: string; fileName: string; jobId: string },
  analysis: A,
  chartName = "chart.png",
): Promise<StoredAnalysis<A>> {
  const local = await downloadStored(ports, source);
  try {
    const request = {
      jobId: source.jobId,
      userId: source.userId,
      filePath: local,
      fileName: source.fileName,
    };
    return await analyzeStaged(ports, request, analysis, chartName);
  } finally {
    await rm(local, { force: true });
  }
}

/** A copy of a stored dataset in the staging folder (streamed, never parsed here). */
async function downloadStored(
  ports: Pick<FlowPorts, "storage" | "stagingDir">,
  source: { userId: number; datasetUri?: string },
): Promise<string> {
  const dir = join(ports.stagingDir, "datasets", String(source.userId));
  await mkdir(dir, { recursive: true });
  const unique = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const path = join(dir, `${unique}-${basename(source.datasetUri!)}`);
  await ports.storage.downloadFile(source.datasetUri!, path, { userId: source.userId });
  return path;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
