/**
 * RunPodStorageManager: the storage layout on a RunPod network volume through its S3-compatible API
 * (runpod-api.md §5). Same code path as S3Manager, configured differently: bucket = volume id, path-style
 * addressing, a per-data-center endpoint, no SSE headers, no batch delete, and no presigned URLs (the
 * method is absent, so `presignGetUrl?.()` callers fall back to sending the file).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import { createS3Client } from "../aws/client.js";
import { S3ObjectStore } from "../aws/object-store.js";
import { StorageUriCodec } from "../storage-layout.js";
import { StorageManager } from "../storage-manager.js";
import { type RunPodStorageCredentials, type RunPodStorageSettings, runpodStorageFrom } from "./config.js";

export function createRunPodS3Client(
  settings: RunPodStorageSettings,
  credentials: RunPodStorageCredentials,
): S3Client {
  return createS3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: true,
    checksumWhenRequired: settings.checksumWhenRequired,
    credentials,
    // runpod-api.md §5: 502s during transfers; the docs advise more retries.
    maxAttempts: 6,
  });
}

export class RunPodStorageManager extends StorageManager {
  readonly volumeId: string;

  constructor(
    readonly client: S3Client,
    settings: RunPodStorageSettings,
    logger?: Logger,
  ) {
    const store = new S3ObjectStore({ client, bucket: settings.volumeId, batchDelete: false });
    super("runpod", store, new StorageUriCodec("runpod", settings.volumeId), logger);
    this.volumeId = settings.volumeId;
  }

  static fromConfig(config: Pick<Config, "runpod">, logger?: Logger): RunPodStorageManager {
    const { settings, credentials } = runpodStorageFrom(config);
    return new RunPodStorageManager(createRunPodS3Client(settings, credentials), settings, logger);
  }
}
