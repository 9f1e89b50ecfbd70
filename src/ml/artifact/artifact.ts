/**
 * The model directory as files: model.json (+ model.bin when large arrays exist), metadata.json and
 * signature.json. The signature is HMAC-SHA256 over the model's owner (user id and model id) and the SHA-256
 * of every other file, so a changed, added or removed file is detected, and so is a model copied under
 * another user's prefix or another model id: the loader passes the owner the model was found under, and the
 * signature only verifies for the owner it was made for. It is checked before anything is parsed, and
 * loading never executes code.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ModelError, ModelIntegrityError } from "../errors.js";
import { MODEL_REGISTRY } from "../registry.js";
import type { ModelDocument, ModelMetadata } from "../types.js";
import {
  checkEnsemble,
  checkEnsembleSize,
  ENSEMBLE_LIMITS,
  type EnsembleLimits,
  isEnsemble,
} from "./ensemble.js";
import { decodeTyped, encodeTyped } from "./typed-json.js";

export const MODEL_FILE = "model.json";
export const SIDECAR_FILE = "model.bin";
export const METADATA_FILE = "metadata.json";
export const SIGNATURE_FILE = "signature.json";
const ALGORITHM = "HMAC-SHA256";
/** Version 2 binds the owner; version 1 (no `version` field) signed the files only and is refused. */
const SIGNATURE_VERSION = 2;

/** Whose model this is: the user id and model id of the directory it is stored in. */
export interface ModelOwner {
  userId: number;
  modelId: string;
}

interface Signature {
  algorithm: typeof ALGORITHM;
  version: typeof SIGNATURE_VERSION;
  /** Null only for models made outside any user's storage (engine tests, benchmarks). */
  owner: ModelOwner | null;
  files: Record<string, string>;
  hmac: string;
}

/**
 * model.json (+ optional binary sidecar) and metadata.json, HMAC-SHA256 signed with signingKey for `owner`.
 * Every model a user can store is signed for its owner; only engine tests and benchmarks leave it out.
 */
export function serializeModel(
  model: ModelDocument,
  metadata: ModelMetadata,
  signingKey: string,
  owner?: ModelOwner,
): Record<string, Uint8Array> {
  requireKey(signingKey);
  const { json, sidecar } = encodeTyped(model);
  const modelJson = utf8(JSON.stringify(json));
  if (isEnsemble(model)) checkEnsembleSize(modelJson.length + (sidecar?.length ?? 0));
  const files: Record<string, Uint8Array> = {
    [MODEL_FILE]: modelJson,
    [METADATA_FILE]: utf8(JSON.stringify(metadata, null, 2)),
  };
  if (sidecar) files[SIDECAR_FILE] = sidecar;
  const digests = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((name) => [name, sha256(files[name])]),
  );
  files[SIGNATURE_FILE] = signatureFile(digests, owner ?? null, signingKey);
  return files;
}

/**
 * Verifies the signature first (ModelIntegrityError if missing, tampered, or made for another owner than
 * `owner`), then parses. Never executes code. Every load of a stored model passes the owner it was found
 * under; without one only the files' integrity is checked. An ensemble is held to `limits` (members, bytes).
 */
export function deserializeModel(
  files: Record<string, Uint8Array>,
  signingKey: string,
  owner?: ModelOwner,
  limits: EnsembleLimits = ENSEMBLE_LIMITS,
): { model: ModelDocument; metadata: ModelMetadata } {
  requireKey(signingKey);
  verify(files, signingKey, owner);
  const raw = parseJson(files[MODEL_FILE], MODEL_FILE) as ModelDocument;
  // An ensemble's size is checked before its arrays are decoded.
  if (raw !== null && typeof raw === "object" && isEnsemble(raw))
    checkEnsembleSize(files[MODEL_FILE].length + (files[SIDECAR_FILE]?.length ?? 0), limits);
  const model = decodeTyped(raw, files[SIDECAR_FILE] ?? null) as ModelDocument;
  checkDocument(model);
  if (isEnsemble(model)) checkEnsemble(model, checkDocument, limits);
  const metadata = parseJson(files[METADATA_FILE], METADATA_FILE) as ModelMetadata;
  return { model, metadata };
}

/**
 * The same model files signed with another key: verified with `fromKey` for `owner` first. How a model a
 * cloud worker signed with its per-job key becomes a model signed with the bot's own key.
 */
export function resignModel(
  files: Record<string, Uint8Array>,
  keys: { fromKey: string; toKey: string },
  owner: ModelOwner,
): Record<string, Uint8Array> {
  requireKey(keys.fromKey);
  requireKey(keys.toKey);
  const sig = verify(files, keys.fromKey, owner);
  return { ...files, [SIGNATURE_FILE]: signatureFile(sig.files, owner, keys.toKey) };
}

function signatureFile(digests: Record<string, string>, owner: ModelOwner | null, key: string): Uint8Array {
  const signature: Signature = {
    algorithm: ALGORITHM,
    version: SIGNATURE_VERSION,
    owner,
    files: digests,
    hmac: hmacOf(digests, owner, key),
  };
  return utf8(JSON.stringify(signature, null, 2));
}

function verify(files: Record<string, Uint8Array>, key: string, owner: ModelOwner | undefined): Signature {
  const sigBytes = files[SIGNATURE_FILE];
  if (!sigBytes)
    throw new ModelIntegrityError("This model is not signed (signature.json is missing); it was refused.");
  let sig: Signature;
  try {
    sig = JSON.parse(new TextDecoder().decode(sigBytes)) as Signature;
  } catch {
    throw new ModelIntegrityError("The model's signature file is unreadable; the model was refused.");
  }
  if (
    sig?.algorithm !== ALGORITHM ||
    typeof sig.hmac !== "string" ||
    typeof sig.files !== "object" ||
    sig.files === null
  ) {
    throw new ModelIntegrityError(
      "The model's signature file is not in the expected format; the model was refused.",
    );
  }
  if (sig.version !== SIGNATURE_VERSION) {
    throw new ModelIntegrityError(
      "This model was signed by an older version of the bot, without its owner; it was refused. Train it again.",
    );
  }
  // The owner comes from where the model was found, never from the file itself.
  const expectedOwner = owner ?? sig.owner ?? null;
  if (owner && !sameOwner(owner, sig.owner)) {
    throw new ModelIntegrityError(
      "This model was signed for another user or another model id: it was copied or moved, and was refused.",
      { modelId: owner.modelId },
    );
  }
  const expected = Buffer.from(hmacOf(sig.files, expectedOwner, key), "hex");
  const given = Buffer.from(sig.hmac, "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ModelIntegrityError(
      "The model's signature does not match: it was changed or signed with another key.",
    );
  }
  for (const required of [MODEL_FILE, METADATA_FILE]) {
    if (!(required in sig.files))
      throw new ModelIntegrityError(`The signature does not cover ${required}; refused.`);
  }
  for (const [name, digest] of Object.entries(sig.files)) {
    const bytes = files[name];
    if (!bytes) throw new ModelIntegrityError(`The model file ${name} is missing.`, { file: name });
    if (sha256(bytes) !== digest)
      throw new ModelIntegrityError(`The model file ${name} was changed after signing.`, { file: name });
  }
  return sig;
}

function sameOwner(a: ModelOwner, b: ModelOwner | null | undefined): boolean {
  return Boolean(b) && a.userId === b!.userId && a.modelId === b!.modelId;
}

function checkDocument(m: ModelDocument): void {
  if (m === null || typeof m !== "object" || m.format !== "sma-model")
    throw new ModelError("This is not a model file of this bot.");
  if (m.version !== 1)
    throw new ModelError(`Model format version ${String(m.version)} is not supported by this bot.`);
  if (!isEnsemble(m) && !MODEL_REGISTRY.some((s) => s.id === m.modelType))
    throw new ModelError(`Unknown model type '${String(m.modelType)}'.`);
  if (m.task !== "regression" && m.task !== "classification")
    throw new ModelError("The model file names no valid task.");
  if (!Array.isArray(m.features)) throw new ModelError("The model file lists no features.");
}

function hmacOf(digests: Record<string, string>, owner: ModelOwner | null, key: string): string {
  const header = `sma-model/${SIGNATURE_VERSION}\nuser:${owner?.userId ?? ""}\nmodel:${owner?.modelId ?? ""}\n`;
  const canonical = Object.keys(digests)
    .sort()
    .map((name) => `${name}:${digests[name]}\n`)
    .join("");
  return createHmac("sha256", key)
    .update(header + canonical)
    .digest("hex");
}

function requireKey(key: string): void {
  if (typeof key !== "string" || key.length === 0) {
    throw new ModelIntegrityError("No model signing key is configured (MODEL_SIGNING_KEY).");
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function parseJson(bytes: Uint8Array | undefined, name: string): unknown {
  if (!bytes) throw new ModelIntegrityError(`The model file ${name} is missing.`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelError(`The model file ${name} is not valid JSON.`);
  }
}
