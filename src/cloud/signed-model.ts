/**
 * Reading a signed model directory: the prediction handler, the drift check and staging use it. Every load
 * checks the signature for the owner (user id and model id) the model was found under, never the one the files
 * claim, so a model copied to another user's prefix or another model id is refused.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { deserializeModel, type ModelOwner } from "../ml/index.js";
import type { ModelDocument, ModelMetadata } from "../ml/types.js";
import type { CloudStorageProvider } from "./provider-interface.js";

/** The model id of a model directory URI (…/models/user_1/{modelId}/). */
export const modelIdOf = (modelUri: string): string => basename(modelUri.replace(/\/+$/, ""));

/** The top-level files of a model directory: charts/ is a folder of pictures, not part of the signed model. */
export async function readModelFiles(dir: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) files[entry.name] = new Uint8Array(await readFile(join(dir, entry.name)));
  }
  return files;
}

/** Verifies a downloaded model directory for `owner`, then parses it (loading never runs code). */
export async function readSignedModel(
  dir: string,
  signingKey: string,
  owner: ModelOwner,
): Promise<{ model: ModelDocument; metadata: ModelMetadata }> {
  return deserializeModel(await readModelFiles(dir), signingKey, owner);
}

/** Downloads the owner's stored model into `localDir`, then verifies and parses it. */
export async function loadSignedModel(
  storage: CloudStorageProvider,
  owner: ModelOwner,
  localDir: string,
  signingKey: string,
): Promise<{ model: ModelDocument; metadata: ModelMetadata }> {
  return readSignedModel(await storage.loadModel(owner.userId, owner.modelId, localDir), signingKey, owner);
}
