/**
 * S3Manager: the storage layout in an S3 bucket (contracts in ../provider-interface.ts). Adds what only AWS
 * offers: presigned GET links for results and the bucket lifecycle rules.
 */
import { GetObjectCommand, PutBucketLifecycleConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { Logger } from "pino";
import type { Config } from "../../config.js";
import { CloudStorageError } from "../../errors.js";
import type { AccessScope } from "../provider-interface.js";
import { type CacheOptions, CachingObjectStore } from "../storage-cache.js";
import { StorageUriCodec } from "../storage-layout.js";
import { StorageManager } from "../storage-manager.js";
import { createS3Client } from "./client.js";
import { awsCredentialsFrom, type S3Settings, s3SettingsFrom } from "./config.js";
import { mapS3Error, S3ObjectStore } from "./object-store.js";
import { lifecycleConfigurationInput } from "./requests.js";

/** SigV4 presigned URLs are valid for at most seven days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export class S3Manager extends StorageManager {
  readonly bucket: string;

  constructor(
    readonly client: S3Client,
    readonly settings: S3Settings,
    logger?: Logger,
    /** A local read-through cache, when the bucket is the bot's own storage (STORAGE=s3). */
    cache?: CacheOptions,
  ) {
    const bucket = new S3ObjectStore({
      client,
      bucket: settings.bucket,
      encryption: settings.encryption,
      batchDelete: true,
    });
    const store = cache ? new CachingObjectStore(bucket, cache) : bucket;
    super("aws", store, new StorageUriCodec("s3", settings.bucket), logger);
    this.bucket = settings.bucket;
  }

  /** From the environment config; CloudConfigurationError when S3_BUCKET is missing or invalid. */
  static fromConfig(config: Pick<Config, "aws">, logger?: Logger, cache?: CacheOptions): S3Manager {
    const settings = s3SettingsFrom(config.aws);
    const client = createS3Client({
      region: settings.region,
      credentials: awsCredentialsFrom(config.aws),
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      checksumWhenRequired: settings.checksumWhenRequired,
    });
    return new S3Manager(client, settings, logger, cache);
  }

  /** A time-limited GET link for one of the caller's objects (results, mostly). */
  async presignGetUrl(storageUri: string, expiresSeconds: number, scope?: AccessScope): Promise<string> {
    const key = this.uris.parse(storageUri, scope);
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGN_SECONDS) {
      throw new CloudStorageError("Link lifetime must be between 1 second and 7 days.", { expiresSeconds });
    }
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: expiresSeconds,
      });
    } catch (error) {
      throw mapS3Error(error, "read", key);
    }
  }

  /** Sets dataset and result expiry from config (S3_DATASET_EXPIRY_DAYS, S3_RESULT_EXPIRY_DAYS). */
  async applyLifecycleRules(): Promise<void> {
    const input = lifecycleConfigurationInput(this.bucket, this.settings);
    try {
      await this.client.send(new PutBucketLifecycleConfigurationCommand(input));
    } catch (error) {
      throw mapS3Error(error, "write", "(bucket lifecycle)");
    }
  }
}
