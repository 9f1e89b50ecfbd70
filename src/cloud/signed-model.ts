/** A user's model from storage with its signature checked: the prediction handler and the drift check use it. */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { deserializeModel } from "../ml/index.js";
import type { ModelDocument, ModelMetadata } from "../ml/types.js";
import type { CloudStorageProvider } from "./provider-interface.js";

/** The model id of a model directory URI (…/models/user_1/{modelId}/). */
export const modelIdOf = (modelUri: string): string => basename(modelUri.replace(/\/+$/, ""));

/** Downloads the model directory into `localDir`, then verifies and parses it (loading never runs code). */
export async function loadSignedModel(
  storage: CloudStorageProvider,
  userId: number,
  modelId: string,
  localDir: string,
  signingKey: string,
): Promise<{ model: ModelDocument; metadata: ModelMetadata }> {
  const modelDir = await storage.loadModel(userId, modelId, localDir);
  const files: Record<string, Uint8Array> = {};
  for (const entry of await readdir(modelDir, { withFileTypes: true })) {
    // Only the files: charts/ is a folder of pictures, not part of the signed model.
    if (entry.isFile()) files[entry.name] = new Uint8Array(await readFile(join(modelDir, entry.name)));
  }
  return deserializeModel(files, signingKey);
}
