/**
 * AWS settings for the storage layer, derived from the one environment schema (src/config.ts). Credentials
 * are kept apart from settings, so settings can be logged and shown; credentials never are.
 */
import { z } from "zod";
import type { Config } from "../../config.js";
import { CloudConfigurationError } from "../../errors.js";

/** Static keys, a named profile, or neither (then the SDK's default chain: instance role, SSO …). */
export interface AwsCredentials {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  profile?: string;
}

/** SSE-S3 by default; SSE-KMS with a key when KMS_KEY_ID is set. */
export const s3EncryptionSchema = z.discriminatedUnion("algorithm", [
  z.object({ algorithm: z.literal("AES256") }),
  z.object({ algorithm: z.literal("aws:kms"), kmsKeyId: z.string().min(1) }),
]);
export type S3Encryption = z.infer<typeof s3EncryptionSchema>;

export const s3SettingsSchema = z.object({
  bucket: z
    .string({ message: "S3_BUCKET is not set" })
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      "S3_BUCKET must be a valid bucket name (3-63 lowercase chars)",
    ),
  region: z.string().min(1),
  /** A custom endpoint (s3rver, MinIO, RunPod); path style is then usually required. */
  endpoint: z.url().optional(),
  forcePathStyle: z.boolean(),
  /** requestChecksumCalculation / responseChecksumValidation = WHEN_REQUIRED, for S3-compatible servers. */
  checksumWhenRequired: z.boolean(),
  encryption: s3EncryptionSchema,
  datasetExpiryDays: z.number().int().positive(),
  resultExpiryDays: z.number().int().positive(),
});
export type S3Settings = z.infer<typeof s3SettingsSchema>;

export function awsCredentialsFrom(aws: Config["aws"]): AwsCredentials {
  return {
    accessKeyId: aws.accessKeyId,
    secretAccessKey: aws.secretAccessKey,
    sessionToken: aws.sessionToken,
    profile: aws.profile,
  };
}

/**
 * True when the operator asked for AWS: S3_BUCKET is set (every AWS feature keeps its files there). The
 * credentials then come from the SDK's default provider chain: static keys, AWS_PROFILE (and SSO), web
 * identity, the ECS task role or the EC2 instance role, whichever the environment offers.
 */
export function isAwsConfigured(aws: Config["aws"]): boolean {
  return Boolean(aws.s3Bucket);
}

/** Where the default chain will find credentials, as far as the environment tells (for `npm run doctor`). */
export function credentialSourceOf(aws: Config["aws"], env: NodeJS.ProcessEnv = process.env): string {
  if (aws.accessKeyId && aws.secretAccessKey)
    return aws.sessionToken ? "environment (temporary keys)" : "environment (access keys)";
  if (aws.profile) return `profile "${aws.profile}" (shared config, SSO)`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return "web identity token";
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI)
    return "container role (ECS)";
  return "default chain (shared config, SSO, or the instance role)";
}

/** S3 settings, or CloudConfigurationError naming the variable to fix. */
export function s3SettingsFrom(aws: Config["aws"]): S3Settings {
  const parsed = s3SettingsSchema.safeParse({
    bucket: aws.s3Bucket,
    region: aws.region,
    endpoint: aws.s3Endpoint,
    forcePathStyle: aws.s3ForcePathStyle,
    checksumWhenRequired: aws.checksumWhenRequired,
    encryption: aws.kmsKeyId ? { algorithm: "aws:kms", kmsKeyId: aws.kmsKeyId } : { algorithm: "AES256" },
    datasetExpiryDays: aws.datasetExpiryDays,
    resultExpiryDays: aws.resultExpiryDays,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join("; ");
    throw new CloudConfigurationError(`AWS S3 storage is not configured: ${problems}.`, { provider: "aws" });
  }
  return parsed.data;
}
