/**
 * The storage a worker uses, chosen by the URI of its job (s3:// → S3, runpod:// → a RunPod volume, file://).
 * Local jobs skip loading the cloud SDKs, which takes seconds: every local job is a fresh process.
 */
import { LocalStorageManager } from "../cloud/local/storage.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";

export async function storageForUri(
  uri: string,
  config: Config,
  logger?: Logger,
): Promise<CloudStorageProvider> {
  if (uri.startsWith("file://")) return new LocalStorageManager(config.dataDir, logger);
  const { CloudProviderFactory } = await import("../cloud/provider-factory.js");
  return CloudProviderFactory.storageForUri(uri, config, logger);
}
