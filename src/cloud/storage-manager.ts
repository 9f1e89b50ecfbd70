/**
 * The one implementation of CloudStorageProvider (contracts in provider-interface.ts), over a small
 * ObjectStore. Local disk, S3 and RunPod volumes differ only in their ObjectStore and URI scheme, so the
 * layout, the user isolation and the dataset/model bookkeeping cannot drift apart between providers.
 */
import { basename, join } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { CloudStorageError, ObjectNotFoundError, UnreadableFileError, UploadError } from "../errors.js";
import type {
  AccessScope,
  CloudStorageProvider,
  DatasetInfo,
  ModelInfo,
  ProviderName,
} from "./provider-interface.js";
import {
  assertLocalFile,
  collect,
  contentTypeOf,
  listLocalFiles,
  mapLimit,
  partition,
} from "./storage-files.js";
import {
  checkRelativePath,
  checkStorageId,
  DATASET_FORMATS,
  type DatasetFormat,
  datasetFormatOf,
  datasetKey,
  datasetPrefix,
  generateDatasetId,
  jobKey,
  MODEL_METADATA_FILE,
  modelFileKey,
  modelPrefix,
  resultKey,
  type StorageUriCodec,
  sanitizeDisplayName,
} from "./storage-layout.js";

/** One object as a listing returns it. */
export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ObjectHead {
  size: number;
  lastModified: Date;
  /** The version's entity tag, where the backend has one (S3): what a cache compares. */
  etag?: string;
  /** User metadata, lower-case keys, ASCII values. */
  metadata: Record<string, string>;
}

/** What a write tells about the version it stored. */
export interface Stored {
  etag?: string;
}

export interface PutOptions {
  metadata?: Record<string, string>;
  contentType?: string;
}

/**
 * What a backend must offer. Keys reaching it have already passed the layout's checks. Reads of a missing
 * key throw ObjectNotFoundError; deletes of a missing key succeed.
 */
export interface ObjectStore {
  /** Resolves with the stored version's ETag where the backend gives one (S3), for a cache to label it. */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<Stored>;
  putBytes(key: string, data: Uint8Array, options?: PutOptions): Promise<Stored>;
  /** Streams to `localPath` through a temporary file, so a failed download leaves no partial file. */
  getToFile(key: string, localPath: string): Promise<void>;
  getBytes(key: string): Promise<Uint8Array>;
  head(key: string): Promise<ObjectHead | undefined>;
  /** Every object whose key starts with `prefix`, across all pages, in key order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  deleteObject(key: string): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
}

/** Object metadata written with every dataset (S3 user metadata is ASCII, so the name is URI-encoded). */
const META = {
  name: "original-name",
  format: "format",
  userId: "user-id",
  datasetId: "dataset-id",
  uploadedAt: "uploaded-at",
} as const;

/** metadata.json as listUserModels needs it; other fields the ML engine writes are kept but not required. */
const modelMetadataSchema = z.object({
  name: z.string().optional(),
  modelType: z.string(),
  taskType: z.enum(["regression", "classification"]),
  trainedAt: z.string(),
  metrics: z.record(z.string(), z.unknown()).default({}),
  trainedOn: z.string().optional(),
  cost: z.number().optional(),
});

/** `{modelId}/metadata.json` relative to models/user_{id}/ (charts and nested files are not models). */
const MODEL_METADATA_IN_DIR = /^[\w-]{1,80}\/metadata\.json$/;
const LIST_CONCURRENCY = 8;
const UPLOAD_CONCURRENCY = 4;

export class StorageManager implements CloudStorageProvider {
  constructor(
    readonly provider: ProviderName,
    protected readonly store: ObjectStore,
    readonly uris: StorageUriCodec,
    protected readonly logger?: Logger,
  ) {}

  async uploadDataset(userId: number, filePath: string, datasetName?: string): Promise<string> {
    const format = datasetFormatOf(datasetName ?? "") ?? datasetFormatOf(filePath);
    if (!format) {
      throw new UnreadableFileError("Unsupported file type.", {
        fileName: basename(datasetName ?? filePath),
      });
    }
    await assertLocalFile(filePath);
    const datasetId = generateDatasetId();
    const key = datasetKey(userId, datasetId, format);
    const name = sanitizeDisplayName(datasetName ?? basename(filePath));
    const metadata = {
      [META.name]: encodeURIComponent(name),
      [META.format]: format,
      [META.userId]: String(userId),
      [META.datasetId]: datasetId,
      [META.uploadedAt]: new Date().toISOString(),
    };
    await this.store.putFile(key, filePath, { metadata, contentType: contentTypeOf(key) });
    return this.uris.format(key);
  }

  async saveModel(userId: number, modelId: string, modelDir: string): Promise<string> {
    await this.putDirectory(modelDir, modelPrefix(userId, modelId), "Model", { modelId });
    return this.uris.formatDirectory(modelPrefix(userId, modelId));
  }

  async loadModel(userId: number, modelId: string, localDir: string): Promise<string> {
    await this.getDirectory(modelPrefix(userId, modelId), localDir, "Model", { modelId });
    return localDir;
  }

  async uploadDirectory(localDir: string, directoryUri: string, scope?: AccessScope): Promise<string> {
    const prefix = this.directoryKey(directoryUri, scope);
    await this.putDirectory(localDir, prefix, "Directory", {});
    return this.uris.formatDirectory(prefix);
  }

  async downloadDirectory(directoryUri: string, localDir: string, scope?: AccessScope): Promise<string> {
    await this.getDirectory(this.directoryKey(directoryUri, scope), localDir, "Directory", {});
    return localDir;
  }

  async deleteDirectory(directoryUri: string, scope?: AccessScope): Promise<void> {
    const objects = await collect(this.store.list(this.directoryKey(directoryUri, scope)));
    await this.store.deleteMany(objects.map((o) => o.key));
  }

  /** The key prefix of a directory URI ("…/models/user_1/m-1/" → "models/user_1/m-1/"). */
  private directoryKey(directoryUri: string, scope?: AccessScope): string {
    return `${this.uris.parse(directoryUri.replace(/\/+$/, ""), scope)}/`;
  }

  private async putDirectory(
    localDir: string,
    prefix: string,
    what: string,
    details: Record<string, unknown>,
  ) {
    const files = await listLocalFiles(localDir).catch((cause) => {
      throw new UploadError(`${what} directory not found.`, details, { cause });
    });
    if (files.length === 0) throw new UploadError(`${what} directory is empty.`, details);
    const paths = files.map((file) => {
      try {
        return checkRelativePath(file);
      } catch {
        throw new UploadError("A file name is not storable (use letters, digits, '_', '-', '.').", {
          ...details,
          file: file.slice(0, 100),
        });
      }
    });
    // metadata.json goes last: a model shows up in listUserModels only once all its files are stored.
    const [meta, rest] = partition(paths, (p) => p === MODEL_METADATA_FILE);
    const upload = (p: string) =>
      this.store.putFile(prefix + p, join(localDir, ...p.split("/")), { contentType: contentTypeOf(p) });
    await mapLimit(rest, UPLOAD_CONCURRENCY, upload);
    await mapLimit(meta, 1, upload);
  }

  private async getDirectory(
    prefix: string,
    localDir: string,
    what: string,
    details: Record<string, unknown>,
  ) {
    const objects = await collect(this.store.list(prefix));
    if (objects.length === 0) throw new ObjectNotFoundError(`${what} not found.`, details);
    await mapLimit(objects, UPLOAD_CONCURRENCY, (object) => {
      const relative = checkRelativePath(object.key.slice(prefix.length));
      return this.store.getToFile(object.key, join(localDir, ...relative.split("/")));
    });
  }

  /** Newest first. */
  async listUserDatasets(userId: number): Promise<DatasetInfo[]> {
    const prefix = datasetPrefix(userId);
    const objects = (await collect(this.store.list(prefix))).filter((o) => parseDatasetFile(o.key, prefix));
    const infos = await mapLimit(objects, LIST_CONCURRENCY, async (object) => {
      const file = parseDatasetFile(object.key, prefix)!;
      const head = await this.store.head(object.key);
      const meta = head?.metadata ?? {};
      return {
        name: decodeName(meta[META.name]) ?? `${file.datasetId}.${file.format}`,
        datasetId: file.datasetId,
        uri: this.uris.format(object.key),
        size: object.size,
        uploadedAt: meta[META.uploadedAt] ?? object.lastModified.toISOString(),
        format: file.format,
      } satisfies DatasetInfo;
    });
    return infos.sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
  }

  /** Newest first. A model whose metadata.json is missing or malformed is skipped and logged. */
  async listUserModels(userId: number): Promise<ModelInfo[]> {
    const prefix = modelPrefix(userId);
    const metadataKeys = (await collect(this.store.list(prefix)))
      .map((o) => o.key)
      .filter((key) => MODEL_METADATA_IN_DIR.test(key.slice(prefix.length)));
    const infos = await mapLimit(metadataKeys, LIST_CONCURRENCY, async (key) => {
      const modelId = key.slice(prefix.length).split("/")[0];
      const parsed = modelMetadataSchema.safeParse(await this.readJson(key).catch(() => undefined));
      if (!parsed.success) {
        this.logger?.warn({ userId, modelId }, "skipping a model with unreadable metadata.json");
        return undefined;
      }
      const meta = parsed.data;
      return {
        modelId,
        name: meta.name ?? modelId,
        uri: this.modelUri(userId, modelId),
        modelType: meta.modelType,
        taskType: meta.taskType,
        trainedAt: meta.trainedAt,
        metrics: meta.metrics as ModelInfo["metrics"],
        trainedOn: meta.trainedOn,
        cost: meta.cost,
      } satisfies ModelInfo;
    });
    return infos.filter((i) => i !== undefined).sort((a, b) => b.trainedAt.localeCompare(a.trainedAt));
  }

  async getModelMetadata(userId: number, modelId: string): Promise<Record<string, unknown>> {
    const value = await this.readJson(modelFileKey(userId, modelId, MODEL_METADATA_FILE));
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new CloudStorageError("The model's metadata.json is not a JSON object.", { modelId });
    }
    return value as Record<string, unknown>;
  }

  async deleteModel(userId: number, modelId: string): Promise<void> {
    const objects = await collect(this.store.list(modelPrefix(userId, modelId)));
    if (objects.length === 0) throw new ObjectNotFoundError("Model not found.", { modelId });
    await this.store.deleteMany(objects.map((o) => o.key));
  }

  async deleteDataset(userId: number, datasetId: string): Promise<void> {
    const prefix = `${datasetPrefix(userId)}${checkStorageId("dataset", datasetId)}.`;
    const keys = (await collect(this.store.list(prefix)))
      .map((o) => o.key)
      .filter((key) => DATASET_FORMATS.some((format) => key === prefix + format));
    if (keys.length === 0) throw new ObjectNotFoundError("Dataset not found.", { datasetId });
    await this.store.deleteMany(keys);
  }

  async downloadFile(storageUri: string, localPath: string, scope?: AccessScope): Promise<void> {
    await this.store.getToFile(this.uris.parse(storageUri, scope), localPath);
  }

  async uploadFile(localPath: string, storageUri: string, scope?: AccessScope): Promise<string> {
    const key = this.uris.parse(storageUri, scope);
    await assertLocalFile(localPath);
    await this.store.putFile(key, localPath, { contentType: contentTypeOf(key) });
    return this.uris.format(key);
  }

  async readBytes(storageUri: string, scope?: AccessScope): Promise<Uint8Array> {
    return this.store.getBytes(this.uris.parse(storageUri, scope));
  }

  async writeBytes(storageUri: string, data: Uint8Array | string, scope?: AccessScope): Promise<string> {
    const key = this.uris.parse(storageUri, scope);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await this.store.putBytes(key, bytes, { contentType: contentTypeOf(key) });
    return this.uris.format(key);
  }

  async exists(storageUri: string, scope?: AccessScope): Promise<boolean> {
    return (await this.store.head(this.uris.parse(storageUri, scope))) !== undefined;
  }

  async delete(storageUri: string, scope?: AccessScope): Promise<void> {
    await this.store.deleteObject(this.uris.parse(storageUri, scope));
  }

  uriFor(key: string): string {
    return this.uris.format(key);
  }

  jobUri(jobId: string, file: string): string {
    return this.uris.format(jobKey(jobId, file));
  }

  resultUri(userId: number, jobId: string, fileName?: string): string {
    return this.uris.format(resultKey(userId, jobId, fileName));
  }

  modelUri(userId: number, modelId: string): string {
    return this.uris.formatDirectory(modelPrefix(userId, modelId));
  }

  private async readJson(key: string): Promise<unknown> {
    const text = new TextDecoder().decode(await this.store.getBytes(key));
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new CloudStorageError("Stored JSON is malformed.", { key }, { cause });
    }
  }
}

function parseDatasetFile(
  key: string,
  prefix: string,
): { datasetId: string; format: DatasetFormat } | undefined {
  const match = /^([\w-]{1,80})\.([a-z]+)$/.exec(key.slice(prefix.length));
  const format = DATASET_FORMATS.find((f) => f === match?.[2]);
  return match && format ? { datasetId: match[1], format } : undefined;
}

function decodeName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return sanitizeDisplayName(decodeURIComponent(value));
  } catch {
    return undefined;
  }
}
