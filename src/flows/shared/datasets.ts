/**
 * Turning an uploaded file into a stored dataset and a compact summary for the workflow context.
 * The file is parsed once here (to reject bad input before anything is stored) and stored as sent.
 */
import { readFile, rm } from "node:fs/promises";
import { basename } from "node:path";
import { profileFrame, readTable, suggestSchema } from "../../ml/index.js";
import type { Frame } from "../../ml/types.js";
import type { DatasetSummary, FlowPorts } from "../ports.js";

export interface UploadedFile {
  userId: number;
  /** Local path where the bot put the downloaded file. */
  stagingPath: string;
  fileName: string;
}

/** The largest number of columns we describe in context; pickers page through them. */
const MAX_COLUMNS_IN_CONTEXT = 1000;

export async function ingestDataset(
  ports: Pick<FlowPorts, "storage" | "limits">,
  upload: UploadedFile,
): Promise<{ summary: DatasetSummary; frame: Frame }> {
  const bytes = new Uint8Array(await readFile(upload.stagingPath));
  const frame = await readTable(bytes, { fileName: upload.fileName, limits: ports.limits });
  const profile = profileFrame(frame);
  const suggestion = suggestSchema(frame);
  const uri = await ports.storage.uploadDataset(upload.userId, upload.stagingPath, upload.fileName);
  await rm(upload.stagingPath, { force: true });
  const summary: DatasetSummary = {
    datasetId: datasetIdOf(uri),
    uri,
    fileName: upload.fileName,
    sizeBytes: bytes.byteLength,
    nRows: profile.nRows,
    nColumns: profile.nColumns,
    missingCells: profile.missingCells,
    columns: profile.columns.slice(0, MAX_COLUMNS_IN_CONTEXT).map((c) => ({
      name: c.name,
      type: c.type,
      missingPct: round(c.missingPct, 1),
      unique: c.unique,
    })),
    suggestion,
  };
  return { summary, frame };
}

function datasetIdOf(uri: string): string {
  return basename(uri).replace(/\.[^.]+$/, "");
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
