/**
 * A RunPod network volume as a pod or a Serverless worker sees it: files under its mount point, addressed with
 * the same `runpod://{volumeId}/{key}` URIs the bot uses over the volume's S3 API (runpod-api.md §5: the same
 * file is /workspace/k on a pod, /runpod-volume/k on Serverless, s3://{volumeId}/k over S3). Workers reach
 * the volume this way, so no storage key ever goes into their environment.
 */
import type { Logger } from "pino";
import { LocalObjectStore } from "../local/storage.js";
import type { CloudStorageProvider } from "../provider-interface.js";
import { StorageUriCodec } from "../storage-layout.js";
import { StorageManager } from "../storage-manager.js";

/** Where training pods mount the volume (the create input's volumeMountPath). */
export const POD_VOLUME_MOUNT = "/workspace";
/** Where RunPod mounts an endpoint's volume in Serverless workers. */
export const SERVERLESS_VOLUME_MOUNT = "/runpod-volume";

/**
 * The mount point of the volume in this worker: SMA_VOLUME_PATH (the bot sets it on the pods it creates), or
 * RunPod's Serverless mount when this is a Serverless worker; undefined elsewhere.
 */
export function volumeMountOf(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SMA_VOLUME_PATH) return env.SMA_VOLUME_PATH;
  return env.RUNPOD_WEBHOOK_GET_JOB ? SERVERLESS_VOLUME_MOUNT : undefined;
}

/** The volume id of a runpod:// URI. */
export function volumeIdOf(uri: string): string | undefined {
  return /^runpod:\/\/([^/]+)\//.exec(uri)?.[1];
}

export function mountedVolumeStorage(
  mountPath: string,
  volumeId: string,
  logger?: Logger,
): CloudStorageProvider {
  return new StorageManager(
    "runpod",
    new LocalObjectStore(mountPath),
    new StorageUriCodec("runpod", volumeId),
    logger,
  );
}
