/**
 * The ingest job: reads an uploaded file, profiles it and suggests a schema, inside a sandboxed child process
 * (a memory cap and a time limit set by whoever started it). Whatever a hostile file does to this process,
 * the bot's own event loop never parsed a byte of it. The description is the job's result summary.
 */
import { readFile, stat } from "node:fs/promises";
import type { AnalyzeJobSpec, IngestJobSpec } from "../cloud/job-spec.js";
import { DataLimitError } from "../errors.js";
// Not ../ml/index.js: that loads the chart renderer, and a sandbox starts for every upload.
import { describeFrame } from "../ml/describe.js";
import { readTable } from "../ml/io/read-table.js";
import type { Frame } from "../ml/types.js";
import type { JobReporter } from "./reporter.js";

export async function runIngestJob(
  spec: IngestJobSpec,
  reporter: JobReporter,
): Promise<{ outputUri: string; summary: Record<string, unknown> }> {
  const frame = await readStagedTable(spec, reporter);
  await reporter.progress("running", "profiling", 60, "Profiling the columns");
  const description = describeFrame(frame);
  return { outputUri: "", summary: description as unknown as Record<string, unknown> };
}

/** The staged file as a table, within the spec's limits (every sandbox job reads its file this way). */
export async function readStagedTable(
  spec: IngestJobSpec | AnalyzeJobSpec,
  reporter: JobReporter,
): Promise<Frame> {
  const { size } = await stat(spec.filePath);
  // Checked before the bytes are read into memory.
  if (size > spec.limits.maxBytes) {
    throw new DataLimitError(`The file is ${size} bytes; the limit is ${spec.limits.maxBytes}.`, {
      bytes: size,
      limit: spec.limits.maxBytes,
    });
  }
  await reporter.progress("running", "reading", 10, "Reading the file");
  const frame = await readTable(new Uint8Array(await readFile(spec.filePath)), {
    fileName: spec.fileName,
    limits: spec.limits,
  });
  reporter.log(`read ${frame.nRows} rows × ${frame.columns.length} columns`);
  return frame;
}
