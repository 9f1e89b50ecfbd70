/**
 * The storage a worker uses, chosen by the URI of its job (s3:// → S3, runpod:// → a RunPod volume, file://).
 * A job of the bot's own S3 storage (STORAGE=s3, on a fleet worker) reads through this host's cache.
 * A RunPod volume is read through its mount when the worker has one (pods, Serverless), so pods need no
 * storage key. Local jobs skip loading the cloud SDKs, which takes seconds: every local job is a fresh process.
 */
import { LocalStorageManager } from "../cloud/local/storage.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import { mountedVolumeStorage, volumeIdOf, volumeMountOf } from "../cloud/runpod/volume-mount.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";

export async function storageForUri(
  uri: string,
  config: Config,
  logger?: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CloudStorageProvider> {
  if (uri.startsWith("file://")) return new LocalStorageManager(config.dataDir, logger);
  if (config.storage.kind === "s3" && uri.startsWith(`s3://${config.aws.s3Bucket}/`)) {
    const { createUserStorage } = await import("../cloud/storage-user.js");
    return createUserStorage(config, logger);
  }
  const mount = volumeMountOf(env);
  const volumeId = volumeIdOf(uri);
  if (mount && volumeId) return mountedVolumeStorage(mount, volumeId, logger);
  const { CloudProviderFactory } = await import("../cloud/provider-factory.js");
  return CloudProviderFactory.storageForUri(uri, config, logger);
}

/**
 * The access scope of one of a job's URIs: none for the job's own staging folder (jobs/{jobId}/…), the user's
 * prefix for everything else, so a spec can never point a worker at another user's files.
 */
export function scopeFor(
  storage: CloudStorageProvider,
  uri: string,
  job: { jobId: string; userId: number },
): { userId: number } | undefined {
  const ownFolder = storage.jobUri(job.jobId, "x").slice(0, -1);
  return uri.startsWith(ownFolder) ? undefined : { userId: job.userId };
}
