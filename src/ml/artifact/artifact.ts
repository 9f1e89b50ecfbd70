/**
 * The model directory as files: model.json (+ model.bin when large arrays exist), metadata.json and
 * signature.json. The signature is HMAC-SHA256 over the SHA-256 of every other file, so a changed, added
 * or removed file is detected; it is checked before anything is parsed, and loading never executes code.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ModelError, ModelIntegrityError } from "../../errors.js";
import { MODEL_REGISTRY } from "../registry.js";
import type { ModelDocument, ModelMetadata } from "../types.js";
import { decodeTyped, encodeTyped } from "./typed-json.js";

export const MODEL_FILE = "model.json";
export const SIDECAR_FILE = "model.bin";
export const METADATA_FILE = "metadata.json";
export const SIGNATURE_FILE = "signature.json";
const ALGORITHM = "HMAC-SHA256";

interface Signature {
  algorithm: typeof ALGORITHM;
  files: Record<string, string>;
  hmac: string;
}

/** model.json (+ optional binary sidecar) and metadata.json, HMAC-SHA256 signed with signingKey. */
export function serializeModel(
  model: ModelDocument,
  metadata: ModelMetadata,
  signingKey: string,
): Record<string, Uint8Array> {
  requireKey(signingKey);
  const { json, sidecar } = encodeTyped(model);
  const files: Record<string, Uint8Array> = {
    [MODEL_FILE]: utf8(JSON.stringify(json)),
    [METADATA_FILE]: utf8(JSON.stringify(metadata, null, 2)),
  };
  if (sidecar) files[SIDECAR_FILE] = sidecar;
  const digests = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((name) => [name, sha256(files[name])]),
  );
  const signature: Signature = { algorithm: ALGORITHM, files: digests, hmac: hmacOf(digests, signingKey) };
  files[SIGNATURE_FILE] = utf8(JSON.stringify(signature, null, 2));
  return files;
}

/** Verifies the signature first (ModelIntegrityError if missing/tampered), then parses. Never executes code. */
export function deserializeModel(
  files: Record<string, Uint8Array>,
  signingKey: string,
): { model: ModelDocument; metadata: ModelMetadata } {
  requireKey(signingKey);
  verify(files, signingKey);
  const raw = parseJson(files[MODEL_FILE], MODEL_FILE);
  const model = decodeTyped(raw, files[SIDECAR_FILE] ?? null) as ModelDocument;
  checkDocument(model);
  const metadata = parseJson(files[METADATA_FILE], METADATA_FILE) as ModelMetadata;
  return { model, metadata };
}

function verify(files: Record<string, Uint8Array>, key: string): void {
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
  const expected = Buffer.from(hmacOf(sig.files, key), "hex");
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
}

function checkDocument(m: ModelDocument): void {
  if (m === null || typeof m !== "object" || m.format !== "sma-model")
    throw new ModelError("This is not a model file of this bot.");
  if (m.version !== 1)
    throw new ModelError(`Model format version ${String(m.version)} is not supported by this bot.`);
  if (!MODEL_REGISTRY.some((s) => s.id === m.modelType))
    throw new ModelError(`Unknown model type '${String(m.modelType)}'.`);
  if (m.task !== "regression" && m.task !== "classification")
    throw new ModelError("The model file names no valid task.");
  if (!Array.isArray(m.features)) throw new ModelError("The model file lists no features.");
}

function hmacOf(digests: Record<string, string>, key: string): string {
  const canonical = Object.keys(digests)
    .sort()
    .map((name) => `${name}:${digests[name]}\n`)
    .join("");
  return createHmac("sha256", key).update(canonical).digest("hex");
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
