/** The storage a worker uses, chosen by the URI of its job (s3:// → S3, runpod:// → a RunPod volume, file://). */
import { CloudProviderFactory } from "../cloud/provider-factory.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";

export function storageForUri(uri: string, config: Config, logger?: Logger): CloudStorageProvider {
  return CloudProviderFactory.storageForUri(uri, config, logger);
}
