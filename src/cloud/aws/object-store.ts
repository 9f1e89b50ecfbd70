/**
 * The ObjectStore of ../storage-manager.ts over the S3 protocol. AWS S3 and RunPod volumes both use it;
 * they differ only in options (encryption, batch delete) and in the client's endpoint.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  BucketNotFoundError,
  CloudStorageError,
  DownloadError,
  InvalidCredentialError,
  ObjectNotFoundError,
  UploadError,
} from "../../errors.js";
import { writeStreamAtomically } from "../storage-files.js";
import type { ObjectHead, ObjectStore, PutOptions, Stored, StoredObject } from "../storage-manager.js";
import type { S3Encryption } from "./config.js";
import { encryptionParams } from "./requests.js";

/** Uploads above this size go multipart (the S3 minimum part size). */
export const MULTIPART_PART_SIZE_BYTES = 5 * 1024 * 1024;
const MULTIPART_QUEUE_SIZE = 2;
/** DeleteObjects takes at most 1,000 keys per call. */
const DELETE_BATCH_SIZE = 1000;

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Server-side encryption for writes; undefined sends no SSE headers (RunPod rejects them). */
  encryption?: S3Encryption;
  /** DeleteObjects is available (AWS); otherwise keys are deleted one by one (RunPod). */
  batchDelete: boolean;
  partSizeBytes?: number;
}

type Operation = "read" | "write" | "list" | "delete";

const NOT_FOUND = new Set(["NoSuchKey", "NotFound"]);
const BAD_CREDENTIALS = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
]);

/** Maps an SDK error onto the seed's storage errors; the message names the operation, never a URL. */
export function mapS3Error(error: unknown, operation: Operation, key: string): Error {
  if (error instanceof CloudStorageError) return error;
  const name = (error as { name?: string }).name ?? "";
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const details = { key, code: name, status };
  if (name === "NoSuchBucket") return new BucketNotFoundError("Bucket or volume not found.", details);
  if (NOT_FOUND.has(name) || (status === 404 && operation === "read")) {
    return new ObjectNotFoundError("File not found.", details);
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new InvalidCredentialError("The storage credentials were rejected.", details, { cause: error });
  }
  const message = `Storage ${operation} failed (${name || `HTTP ${status ?? "error"}`}).`;
  if (operation === "write") return new UploadError(message, details, { cause: error });
  if (operation === "read") return new DownloadError(message, details, { cause: error });
  return new CloudStorageError(message, details, { cause: error });
}

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly options: S3ObjectStoreOptions) {}

  private get bucket(): string {
    return this.options.bucket;
  }

  private async call<T>(operation: Operation, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw mapS3Error(error, operation, key);
    }
  }

  private writeParams(key: string, options: PutOptions | undefined) {
    return {
      Bucket: this.bucket,
      Key: key,
      ContentType: options?.contentType,
      Metadata: options?.metadata,
      ...encryptionParams(this.options.encryption),
    };
  }

  /** One PutObject up to one part; multipart above, aborted on failure so no parts are left billing. */
  async putFile(key: string, localPath: string, options?: PutOptions): Promise<Stored> {
    const out = await this.call("write", key, () =>
      new Upload({
        client: this.options.client,
        params: { ...this.writeParams(key, options), Body: createReadStream(localPath) },
        partSize: this.options.partSizeBytes ?? MULTIPART_PART_SIZE_BYTES,
        queueSize: MULTIPART_QUEUE_SIZE,
        leavePartsOnError: false,
      }).done(),
    );
    return { etag: out.ETag };
  }

  async putBytes(key: string, data: Uint8Array, options?: PutOptions): Promise<Stored> {
    const out = await this.call("write", key, () =>
      this.options.client.send(new PutObjectCommand({ ...this.writeParams(key, options), Body: data })),
    );
    return { etag: out.ETag };
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    await this.call("read", key, async () => {
      const response = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      await writeStreamAtomically(response.Body as Readable, localPath);
    });
  }

  async getBytes(key: string): Promise<Uint8Array> {
    return this.call("read", key, async () => {
      const response = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    });
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const response = await this.options.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return {
        size: response.ContentLength ?? 0,
        lastModified: response.LastModified ?? new Date(0),
        etag: response.ETag,
        metadata: response.Metadata ?? {},
      };
    } catch (error) {
      const mapped = mapS3Error(error, "read", key);
      if (mapped instanceof ObjectNotFoundError) return undefined;
      throw mapped;
    }
  }

  /**
   * ListObjectsV2 over every page. RunPod lists directories as keys ending in "/" (skipped), and may hand
   * back the same continuation token twice (runpod-api.md §5): that is an error, not an endless loop.
   */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.call("list", prefix, () =>
        this.options.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key || item.Key.endsWith("/")) continue;
        yield { key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (token !== undefined && seen.has(token)) {
        throw new CloudStorageError("Storage listing repeated a page token; try again.", { prefix });
      }
      if (token !== undefined) seen.add(token);
    } while (token !== undefined);
  }

  async deleteObject(key: string): Promise<void> {
    await this.call("delete", key, () =>
      this.options.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (!this.options.batchDelete) {
      for (const key of keys) await this.deleteObject(key);
      return;
    }
    for (let start = 0; start < keys.length; start += DELETE_BATCH_SIZE) {
      const batch = keys.slice(start, start + DELETE_BATCH_SIZE);
      const response = await this.call("delete", batch[0], () =>
        this.options.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        throw new CloudStorageError("Some files could not be deleted.", {
          keys: failed.map((e) => e.Key),
          code: failed[0].Code,
        });
      }
    }
  }
}
