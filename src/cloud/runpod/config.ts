/**
 * RunPod settings derived from the environment (src/config.ts). Credentials are kept apart from settings.
 * Facts: ../../../shared/reference/runpod-api.md §1 (GraphQL) and §5 (S3-compatible volume API).
 */
import type { Config } from "../../config.js";
import { CloudConfigurationError, MissingCredentialError } from "../../errors.js";

/** Data centers whose network volumes have an S3 API (runpod-api.md §5, 2026-08). */
export const RUNPOD_S3_DATA_CENTERS = [
  "EU-CZ-1",
  "EU-RO-1",
  "EUR-IS-1",
  "EUR-NO-1",
  "US-CA-2",
  "US-GA-2",
  "US-IL-1",
  "US-KS-2",
  "US-MD-1",
  "US-MO-1",
  "US-MO-2",
  "US-NC-1",
  "US-NC-2",
  "US-NE-1",
  "US-WA-1",
] as const;

const DEFAULT_API_TIMEOUT_MS = 30_000;

export interface RunPodApiSettings {
  apiUrl: string;
  apiKey: string;
  /** Per request; the client aborts after it. */
  timeoutMs: number;
}

export interface RunPodStorageSettings {
  /** The network volume id: the S3 bucket name. */
  volumeId: string;
  /** `https://s3api-{dc}.runpod.io/`, or RUNPOD_STORAGE_ENDPOINT. */
  endpoint: string;
  /** The data center id, lower case ("lowercase for Boto3" in RunPod's own example). */
  region: string;
  /** WHEN_REQUIRED checksums: S3-compatible servers mishandle the SDK's aws-chunked bodies. */
  checksumWhenRequired: boolean;
}

/** The volume's "S3 API key" (Console → Settings → S3 API Keys), not the GraphQL API key. */
export interface RunPodStorageCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function hasRunPodCredentials(runpod: Config["runpod"]): boolean {
  return Boolean(runpod.apiKey);
}

/** `EU-RO-1` → `https://s3api-eu-ro-1.runpod.io/`; refuses data centers without an S3 API. */
export function runpodS3Endpoint(dataCenterId: string): string {
  const dc = dataCenterId.toUpperCase();
  if (!(RUNPOD_S3_DATA_CENTERS as readonly string[]).includes(dc)) {
    throw new CloudConfigurationError(
      `RunPod data center ${dataCenterId} has no S3 API for network volumes. Use a volume in one of ` +
        `${RUNPOD_S3_DATA_CENTERS.join(", ")}, or set RUNPOD_STORAGE_ENDPOINT.`,
      { provider: "runpod", dataCenterId },
    );
  }
  return `https://s3api-${dc.toLowerCase()}.runpod.io/`;
}

function regionOf(runpod: Config["runpod"], endpoint: string): string {
  if (runpod.dataCenterId) return runpod.dataCenterId.toLowerCase();
  const fromHost = /^https?:\/\/s3api-([a-z0-9-]+)\.runpod\.io/i.exec(endpoint)?.[1];
  return fromHost?.toLowerCase() ?? "us-east-1";
}

export function runpodApiSettingsFrom(config: Pick<Config, "runpod">): RunPodApiSettings {
  const { apiKey, apiUrl } = config.runpod;
  if (!apiKey) throw new MissingCredentialError("RUNPOD_API_KEY is not set.", { provider: "runpod" });
  return { apiUrl, apiKey, timeoutMs: DEFAULT_API_TIMEOUT_MS };
}

export function runpodStorageFrom(config: Pick<Config, "runpod">): {
  settings: RunPodStorageSettings;
  credentials: RunPodStorageCredentials;
} {
  const runpod = config.runpod;
  if (!runpod.networkVolumeId) {
    throw new CloudConfigurationError("RUNPOD_NETWORK_VOLUME_ID is not set.", { provider: "runpod" });
  }
  if (!runpod.storageAccessKey || !runpod.storageSecretKey) {
    throw new MissingCredentialError(
      "RUNPOD_STORAGE_ACCESS_KEY and RUNPOD_STORAGE_SECRET_KEY must be set (an S3 API key from the console).",
      { provider: "runpod" },
    );
  }
  const endpoint =
    runpod.storageEndpoint ?? (runpod.dataCenterId ? runpodS3Endpoint(runpod.dataCenterId) : undefined);
  if (!endpoint) {
    throw new CloudConfigurationError("Set RUNPOD_DATA_CENTER_ID (or RUNPOD_STORAGE_ENDPOINT).", {
      provider: "runpod",
    });
  }
  return {
    settings: {
      volumeId: runpod.networkVolumeId,
      endpoint,
      region: regionOf(runpod, endpoint),
      checksumWhenRequired: true,
    },
    credentials: { accessKeyId: runpod.storageAccessKey, secretAccessKey: runpod.storageSecretKey },
  };
}
