/**
 * One small factory of AWS SDK clients, so every client gets the same region, credentials, endpoint,
 * timeouts and retry budget. EC2 and Lambda managers add their own `create…Client` here.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentials } from "./config.js";

export interface AwsClientOptions {
  region: string;
  credentials: AwsCredentials;
  /** Custom endpoint (s3rver, MinIO, RunPod's per-data-center S3 API). */
  endpoint?: string;
  /** SDK attempts per call, first try included. */
  maxAttempts?: number;
  /** Time to open a TCP connection. */
  connectionTimeoutMs?: number;
  /** Socket inactivity limit: a stalled transfer fails instead of hanging. */
  socketTimeoutMs?: number;
}

export interface S3ClientOptions extends AwsClientOptions {
  forcePathStyle?: boolean;
  /** WHEN_REQUIRED for S3-compatible servers that mishandle aws-chunked bodies (reference/stack.md §2). */
  checksumWhenRequired?: boolean;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;

/** The configuration every AWS client shares. */
export function baseClientConfig(options: AwsClientOptions) {
  const { accessKeyId, secretAccessKey, sessionToken, profile } = options.credentials;
  return {
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, sessionToken } }
      : profile
        ? { profile }
        : {}),
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
    },
  };
}

export function createS3Client(options: S3ClientOptions): S3Client {
  const whenRequired = "WHEN_REQUIRED" as const;
  return new S3Client({
    ...baseClientConfig(options),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.checksumWhenRequired
      ? { requestChecksumCalculation: whenRequired, responseChecksumValidation: whenRequired }
      : {}),
  });
}

export function createEc2Client(options: AwsClientOptions): EC2Client {
  return new EC2Client(baseClientConfig(options));
}
