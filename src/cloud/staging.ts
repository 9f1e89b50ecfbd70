/**
 * Moving a user's objects between storages. Cloud compute reads and writes only its own provider's storage (an
 * EC2 worker cannot read the bot's local disk), so a provider stages a dataset or a model into its storage
 * before launching, and copies what the worker produced back to the bot's storage afterwards. Keys stay the
 * same on both sides (datasets/user_{id}/…, models/user_{id}/…), and every copy is checked against the
 * caller's user id like any other access.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CloudStorageError } from "../errors.js";
import type { CloudStorageProvider } from "./provider-interface.js";
import { MODEL_METADATA_FILE } from "./storage-layout.js";

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

function keyIn(storage: CloudStorageProvider, uri: string): string {
  const prefix = prefixOf(storage);
  if (!uri.startsWith(prefix)) throw new CloudStorageError("The object is not in this storage.", {});
  return uri.slice(prefix.length);
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
 * Copies one object (a dataset, a predictions file) from wherever `uri` lives into `target`, under the same
 * key, unless it is already there. Returns its URI in `target`.
 */
export async function stageObject(
  uri: string,
  target: CloudStorageProvider,
  resolve: StorageResolver,
  userId: number,
): Promise<string> {
  if (owns(target, uri)) return uri;
  const source = resolve(uri);
  const destination = target.uriFor(keyIn(source, uri));
  if (await target.exists(destination, { userId })) return destination;
  return copyObject(uri, destination, source, target, userId);
}

/** Copies one object between two storages (overwriting): the worker's output back to where the bot wants it. */
export async function copyObject(
  fromUri: string,
  toUri: string,
  from: CloudStorageProvider,
  to: CloudStorageProvider,
  userId: number,
): Promise<string> {
  if (fromUri === toUri) return toUri;
  return withTempDir(async (dir) => {
    const local = join(dir, basename(fromUri) || "object");
    await from.downloadFile(fromUri, local, { userId });
    return to.uploadFile(local, toUri, { userId });
  });
}

/** The model id at the end of a model directory URI (…/models/user_1/{modelId}/). */
export function modelIdOf(modelUri: string): string {
  return basename(modelUri.replace(/\/+$/, ""));
}

/**
 * Copies a model directory between storages unless the target already has it (metadata.json is written
 * last, so its presence means the whole model is there). Returns the directory URI in `to`.
 */
export async function copyModel(
  userId: number,
  modelId: string,
  from: CloudStorageProvider,
  to: CloudStorageProvider,
): Promise<string> {
  const targetUri = to.modelUri(userId, modelId);
  if (prefixOf(from) === prefixOf(to)) return targetUri;
  if (await to.exists(targetUri + MODEL_METADATA_FILE, { userId })) return targetUri;
  return withTempDir(async (dir) => {
    await from.loadModel(userId, modelId, dir);
    return to.saveModel(userId, modelId, dir);
  });
}

/** Stages a model given by its URI into `target`; returns its directory URI there. */
export async function stageModel(
  modelUri: string,
  target: CloudStorageProvider,
  resolve: StorageResolver,
  userId: number,
): Promise<string> {
  if (owns(target, modelUri)) return modelUri;
  return copyModel(userId, modelIdOf(modelUri), resolve(modelUri), target);
}
