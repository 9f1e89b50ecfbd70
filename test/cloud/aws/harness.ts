/** An AWS world for tests: s3rver as the bucket, S3Manager on it, and the config a worker would get. */
import { S3Manager } from "../../../src/cloud/aws/storage.js";
import { type Config, loadConfig } from "../../../src/config.js";
import { S3RVER_CREDENTIALS, type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";

export const BUCKET = "sma-test-bucket";
export const SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789";
export const USER_ID = 777;

export interface AwsWorld {
  s3: S3rverHandle;
  /** What a worker's environment holds (S3 on s3rver, the signing key). */
  env: Record<string, string>;
  config: Config;
  storage: S3Manager;
  close(): Promise<void>;
}

export async function startAwsWorld(): Promise<AwsWorld> {
  const s3 = await startS3rver([BUCKET]);
  const env = {
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    S3_CHECKSUM_WHEN_REQUIRED: "true",
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    MODEL_SIGNING_KEY: SIGNING_KEY,
    LOG_LEVEL: "silent",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const config = loadConfig(env);
  const storage = S3Manager.fromConfig(config);
  return {
    s3,
    env,
    config,
    storage,
    async close() {
      storage.client.destroy();
      await s3.close();
    },
  };
}
