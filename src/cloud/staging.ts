/**
 * Moving a job's files between the bot's storage ("home") and a provider's storage. Cloud compute reads and
 * writes only its own provider's storage (an EC2 worker cannot read the bot's disk), and only inside the job's
 * own folder, jobs/{jobId}/:
 *
 *   input.{csv|…}   the dataset, staged before launch
 *   model/          the model: written by a training worker, or staged for a prediction worker
 *
 * Whatever a worker produced is checked before it is kept: a trained model must carry a valid signature made
 * with the job's key (job-keys.ts) for the job's owner, and is then re-signed with the bot's own key and stored
 * under the user's prefix at home, charts, log and result record included. When the job has ended, its folder is removed
 * (releaseJob), so staged data does not pile up in a bucket or on a fixed-size volume.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CloudStorageError } from "../errors.js";
import { resignModel } from "../ml/index.js";
import { jobSigningKey } from "./job-keys.js";
import { JOB_FILES, JOB_STAGING, type TrainJobSpec } from "./job-spec.js";
import type { AccessScope, CloudStorageProvider, TrainingStatus } from "./provider-interface.js";
import { readModelFiles } from "./signed-model.js";
import { datasetFormatOf, MODEL_METADATA_FILE } from "./storage-layout.js";

/** The storage that owns a URI (by scheme and container). */
export type StorageResolver = (uri: string) => CloudStorageProvider;

const PROBE = "probe";

/** The URI prefix of a storage: everything before the key. */
export function prefixOf(storage: CloudStorageProvider): string {
  return storage.uriFor(PROBE).slice(0, -PROBE.length);
}

export function owns(storage: CloudStorageProvider, uri: string): boolean {
  return uri.startsWith(prefixOf(storage));
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sma-stage-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Copies one object between two storages (overwriting): predictions back to where the bot wants them. Each
 * side is checked against its own scope (a job's folder has none; a user's file has the user's).
 */
export async function copyObject(
  fromUri: string,
  toUri: string,
  from: CloudStorageProvider,
  to: CloudStorageProvider,
  scopes: { from?: AccessScope; to?: AccessScope } = {},
): Promise<string> {
  if (fromUri === toUri) return toUri;
  return withTempDir(async (dir) => {
    const local = join(dir, basename(fromUri) || "object");
    await from.downloadFile(fromUri, local, scopes.from);
    return to.uploadFile(local, toUri, scopes.to);
  });
}

/** The job's model folder in `storage`: jobs/{jobId}/model/. */
export function jobModelUri(storage: CloudStorageProvider, jobId: string): string {
  return `${storage.jobUri(jobId, JOB_STAGING.modelDir)}/`;
}

/** The whole job folder: jobs/{jobId}/. */
function jobFolderUri(storage: CloudStorageProvider, jobId: string): string {
  return storage.jobUri(jobId, PROBE).slice(0, -PROBE.length);
}

/** Copies the user's dataset into the job's folder (jobs/{jobId}/input.{format}); returns its URI there. */
export async function stageDataset(
  datasetUri: string,
  target: CloudStorageProvider,
  resolve: StorageResolver,
  job: { jobId: string; userId: number },
): Promise<string> {
  const format = datasetFormatOf(datasetUri) ?? "csv";
  const staged = target.jobUri(job.jobId, `${JOB_STAGING.inputPrefix}.${format}`);
  if (await target.exists(staged)) return staged;
  return withTempDir(async (dir) => {
    const local = join(dir, `input.${format}`);
    await resolve(datasetUri).downloadFile(datasetUri, local, { userId: job.userId });
    return target.uploadFile(local, staged);
  });
}

/**
 * Stages a stored model for a prediction worker: the model's files (not its charts), re-signed with the job's
 * key after the bot's own signature was checked for this owner. Returns the model folder URI in `target`.
 */
export async function stageModelForJob(
  modelUri: string,
  target: CloudStorageProvider,
  resolve: StorageResolver,
  job: { jobId: string; userId: number; modelId: string; signingKey: string },
): Promise<string> {
  const staged = jobModelUri(target, job.jobId);
  if (await target.exists(staged + MODEL_METADATA_FILE)) return staged;
  const owner = { userId: job.userId, modelId: job.modelId };
  const jobKey = jobSigningKey(job.signingKey, { jobId: job.jobId, ...owner });
  return withTempDir(async (dir) => {
    await resolve(modelUri).downloadDirectory(modelUri, dir, { userId: job.userId });
    const files = await readModelFiles(dir);
    await rm(join(dir, "charts"), { recursive: true, force: true });
    await writeModelFiles(dir, resignModel(files, { fromKey: job.signingKey, toKey: jobKey }, owner));
    return target.uploadDirectory(dir, staged);
  });
}

/** What taking a trained model home gives the workflow. */
export interface ModelAtHome {
  /** models/user_{id}/{modelId}/ in the bot's storage. */
  outputUri: string;
  /** The worker's summary, its charts now pointing at the copies at home. */
  summary: Record<string, unknown>;
}

/**
 * Takes a cloud worker's model in: checks its signature against the job's key for this job's owner, re-signs it
 * with the bot's key, and stores it (charts included) under the user's prefix at home, with the job's log.
 * Idempotent: a model already at home is not copied again. A model that fails the check is refused
 * (ModelIntegrityError) and never stored.
 */
export async function takeModelHome(
  spec: TrainJobSpec,
  summary: Record<string, unknown>,
  from: CloudStorageProvider,
  home: CloudStorageProvider,
  signingKey: string,
): Promise<ModelAtHome> {
  const owner = { userId: spec.userId, modelId: spec.modelId };
  const outputUri = home.modelUri(owner.userId, owner.modelId);
  if (!(await home.exists(outputUri + MODEL_METADATA_FILE, { userId: owner.userId }))) {
    // The key is derived from the bot's own key for this owner, never read from the (worker-writable) spec.
    const jobKey = jobSigningKey(signingKey, { jobId: spec.jobId, ...owner });
    await withTempDir(async (dir) => {
      await from.downloadDirectory(jobModelUri(from, spec.jobId), dir);
      const files = await readModelFiles(dir);
      await writeModelFiles(dir, resignModel(files, { fromKey: jobKey, toKey: signingKey }, owner));
      await home.saveModel(owner.userId, owner.modelId, dir);
    });
    await copyJobRecords(spec.jobId, from, home);
  }
  return { outputUri, summary: withChartsAt(summary, outputUri) };
}

/** Where a provider's finished models go: its own storage, the bot's storage, and the bot's key. */
export interface HomeDelivery {
  from: CloudStorageProvider;
  home: CloudStorageProvider;
  signingKey: string;
}

/** A complete status with its model taken home (takeModelHome); any other status as it is. */
export async function withModelHome(
  status: TrainingStatus,
  spec: TrainJobSpec | undefined,
  delivery: HomeDelivery,
): Promise<TrainingStatus> {
  if (status.status !== "complete" || !spec) return status;
  const { from, home, signingKey } = delivery;
  return { ...status, ...(await takeModelHome(spec, status.summary ?? {}, from, home, signingKey)) };
}

/** Removes the job's folder from the provider's storage: staged inputs, the worker's outputs, the channel. */
export async function releaseJob(storage: CloudStorageProvider, jobId: string): Promise<void> {
  await storage.deleteDirectory(jobFolderUri(storage, jobId));
}

async function writeModelFiles(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
}

/** The worker's log and result record, kept at home once the job's folder leaves the provider. */
async function copyJobRecords(jobId: string, from: CloudStorageProvider, home: CloudStorageProvider) {
  for (const file of [JOB_FILES.log, JOB_FILES.result]) {
    await copyObject(from.jobUri(jobId, file), home.jobUri(jobId, file), from, home).catch((error) => {
      // The model is what matters; a record that cannot be copied is only a loss of detail.
      if (!(error instanceof CloudStorageError)) throw error;
    });
  }
}

function withChartsAt(summary: Record<string, unknown>, modelUri: string): Record<string, unknown> {
  const charts = Array.isArray(summary.charts) ? (summary.charts as Array<{ name: string }>) : [];
  return {
    ...summary,
    charts: charts.map((c) => ({ ...c, uri: `${modelUri}charts/${c.name}.png` })),
  };
}
