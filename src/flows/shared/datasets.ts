/**
 * Turning an uploaded file (or a stored dataset) into a compact summary for the workflow context. The file is
 * read in a sandbox (the ingest port), so bad input is refused before anything is stored, and nothing the
 * file does can stall or crash the bot; an upload is then stored as it was sent.
 */
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { IngestLimitError } from "../../errors.js";
import { readTable } from "../../ml/index.js";
import type { Frame } from "../../ml/types.js";
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

export async function ingestDataset(
  ports: Pick<FlowPorts, "storage" | "ingest" | "stagingDir">,
  source: DatasetSource,
): Promise<DatasetSummary> {
  const local = source.stagingPath ?? (await downloadStored(ports, source));
  let keepForRetry = false;
  try {
    const description = await ports.ingest.describe({
      jobId: source.jobId,
      userId: source.userId,
      filePath: local,
      fileName: source.fileName,
    });
    const { size } = await stat(local);
    const uri =
      source.datasetUri ?? (await ports.storage.uploadDataset(source.userId, local, source.fileName));
    const datasetId = basename(uri).replace(/\.[^.]+$/, "");
    return { ...description, datasetId, uri, fileName: source.fileName, sizeBytes: size };
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

/** A stored dataset of the user's, read into a table (for /stats tests and the drift check). */
export async function readStoredFrame(
  ports: Pick<FlowPorts, "storage" | "limits" | "stagingDir">,
  source: { userId: number; datasetUri: string; fileName: string },
): Promise<Frame> {
  const local = await downloadStored(ports, source);
  try {
    return await readTable(new Uint8Array(await readFile(local)), {
      fileName: source.fileName,
      limits: ports.limits,
    });
  } finally {
    await rm(local, { force: true });
  }
}

async function downloadStored(
  ports: Pick<FlowPorts, "storage" | "stagingDir">,
  source: { userId: number; datasetUri?: string },
): Promise<string> {
  const dir = join(ports.stagingDir, "datasets", String(source.userId));
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${Date.now()}-${basename(source.datasetUri!)}`);
  await ports.storage.downloadFile(source.datasetUri!, path, { userId: source.userId });
  return path;
}
