/**
 * The bot's own storage (STORAGE): where datasets, models, prediction results and local jobs' files live.
 * `local` keeps them in DATA_DIR, which every bot replica and worker of a fleet must then share. `s3` keeps
 * them in the S3 bucket (S3_BUCKET), in the same layout under each user's prefix, with a bounded read-through
 * cache in DATA_DIR/.cache/s3 (STORAGE_CACHE_MB): each host may have its own DATA_DIR.
 */
import { join, resolve } from "node:path";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { S3Manager } from "./aws/storage.js";
import { LocalStorageManager } from "./local/storage.js";
import { ROOTS } from "./storage-layout.js";
import type { StorageManager } from "./storage-manager.js";

export type UserStorageConfig = Pick<Config, "dataDir" | "storage" | "aws">;

const MB = 1024 * 1024;

export function createUserStorage(config: UserStorageConfig, logger?: Logger): StorageManager {
  if (config.storage.kind === "local") return new LocalStorageManager(config.dataDir, logger);
  return S3Manager.fromConfig(config, logger, {
    dir: join(resolve(config.dataDir), ".cache", "s3"),
    maxBytes: config.storage.cacheMb * MB,
    // A job's spec, progress and result change while it runs, and are read once: not worth a cache entry.
    cacheable: (key) => !key.startsWith(`${ROOTS.jobs}/`),
  });
}

/**
 * What every process of a fleet must agree on: the S3 location with STORAGE=s3 (each host caches on its
 * own disk), undefined with local storage (then they share DATA_DIR, checked by its marker file).
 */
export function sharedStorageLocation(config: UserStorageConfig): string | undefined {
  if (config.storage.kind === "local") return undefined;
  const endpoint = config.aws.s3Endpoint ? ` at ${config.aws.s3Endpoint}` : "";
  return `s3://${config.aws.s3Bucket}/${endpoint}`;
}
