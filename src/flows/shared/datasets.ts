/**
 * Turning an uploaded file (or a stored dataset) into a compact summary for the workflow context. The file is
 * parsed here, so bad input is refused before anything is stored; an upload is then stored as it was sent.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { detectTask, profileFrame, readTable, suggestSchema } from "../../ml/index.js";
import type { Frame, Task } from "../../ml/types.js";
import type { DatasetSummary, FlowPorts } from "../ports.js";

export interface DatasetSource {
  userId: number;
  fileName: string;
  /** A fresh upload on local disk: read, then stored. */
  stagingPath?: string;
  /** A dataset already in storage: downloaded and read. */
  datasetUri?: string;
}

/** The largest number of columns described in context; more than MAX_COLUMNS is refused when reading. */
const MAX_COLUMNS_IN_CONTEXT = 1000;

export async function ingestDataset(
  ports: Pick<FlowPorts, "storage" | "limits" | "stagingDir">,
  source: DatasetSource,
): Promise<{ summary: DatasetSummary; frame: Frame }> {
  const local = source.stagingPath ?? (await downloadStored(ports, source));
  try {
    const bytes = new Uint8Array(await readFile(local));
    const frame = await readTable(bytes, { fileName: source.fileName, limits: ports.limits });
    const uri =
      source.datasetUri ?? (await ports.storage.uploadDataset(source.userId, local, source.fileName));
    return { summary: summarize(frame, uri, source.fileName, bytes.byteLength), frame };
  } finally {
    await rm(local, { force: true });
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
  source: DatasetSource,
): Promise<string> {
  const dir = join(ports.stagingDir, "datasets", String(source.userId));
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${Date.now()}-${basename(source.datasetUri!)}`);
  await ports.storage.downloadFile(source.datasetUri!, path, { userId: source.userId });
  return path;
}

function summarize(frame: Frame, uri: string, fileName: string, sizeBytes: number): DatasetSummary {
  const profile = profileFrame(frame);
  return {
    datasetId: basename(uri).replace(/\.[^.]+$/, ""),
    uri,
    fileName,
    sizeBytes,
    nRows: profile.nRows,
    nColumns: profile.nColumns,
    missingCells: profile.missingCells,
    columns: profile.columns.slice(0, MAX_COLUMNS_IN_CONTEXT).map((c) => ({
      name: c.name,
      type: c.type,
      missingPct: Math.round(c.missingPct * 10) / 10,
      unique: c.unique,
      ...targetInfo(frame, c.name, c.type),
    })),
    suggestion: suggestSchema(frame),
  };
}

/** Whether the column could be a target, and for which task; ids and free text never are. */
function targetInfo(frame: Frame, name: string, type: string): { task?: Task; targetProblem?: string } {
  if (type === "identifier") return { targetProblem: "it looks like an identifier" };
  if (type === "text") return { targetProblem: "it is free text" };
  try {
    return { task: detectTask(frame, name) };
  } catch (error) {
    return { targetProblem: error instanceof Error ? error.message : String(error) };
  }
}
