/** The storage a worker uses, chosen by the scheme of the job's spec URI. */
import { LocalStorageManager } from "../cloud/local/storage.js";
import type { CloudStorageProvider } from "../cloud/provider-interface.js";
import type { Config } from "../config.js";
import { CloudConfigurationError } from "../errors.js";
import type { Logger } from "../logger.js";

export function storageForUri(uri: string, config: Config, logger?: Logger): CloudStorageProvider {
  if (uri.startsWith("file://")) return new LocalStorageManager(config.dataDir, logger);
  throw new CloudConfigurationError(`No storage for ${uri.split(":")[0]} URIs in this worker yet.`, {});
}
