/** Storage settings derived from the environment: S3 (bucket, SSE, checksums) and RunPod volumes. */
import { describe, expect, it } from "vitest";
import { s3SettingsFrom } from "../../../src/cloud/aws/config.js";
import {
  runpodApiSettingsFrom,
  runpodS3Endpoint,
  runpodStorageFrom,
} from "../../../src/cloud/runpod/config.js";
import { loadConfig } from "../../../src/config.js";
import { CloudConfigurationError, MissingCredentialError } from "../../../src/errors.js";

describe("S3 settings", () => {
  it("defaults to SSE-S3 and SDK checksums, with expiry days from the environment", () => {
    const settings = s3SettingsFrom(loadConfig({ S3_BUCKET: "sma-prod", S3_DATASET_EXPIRY_DAYS: "14" }).aws);
    expect(settings).toEqual({
      bucket: "sma-prod",
      region: "us-east-1",
      forcePathStyle: false,
      checksumWhenRequired: false,
      encryption: { algorithm: "AES256" },
      datasetExpiryDays: 14,
      resultExpiryDays: 30,
    });
  });

  it("switches to SSE-KMS, a custom endpoint and WHEN_REQUIRED checksums when configured", () => {
    const settings = s3SettingsFrom(
      loadConfig({
        S3_BUCKET: "sma-prod",
        KMS_KEY_ID: "arn:aws:kms:eu-west-1:1:key/abc",
        S3_ENDPOINT: "http://127.0.0.1:4569",
        S3_FORCE_PATH_STYLE: "true",
        S3_CHECKSUM_WHEN_REQUIRED: "1",
      }).aws,
    );
    expect(settings).toMatchObject({
      endpoint: "http://127.0.0.1:4569",
      forcePathStyle: true,
      checksumWhenRequired: true,
      encryption: { algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/abc" },
    });
  });

  it.each([
    [{}, /S3_BUCKET is not set/],
    [{ S3_BUCKET: "Bad_Bucket" }, /valid bucket name/],
  ])("refuses %j", (env, message) => {
    expect(() => s3SettingsFrom(loadConfig(env).aws)).toThrow(message);
    expect(() => s3SettingsFrom(loadConfig(env).aws)).toThrow(CloudConfigurationError);
  });
});

describe("RunPod settings", () => {
  const volume = {
    RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
    RUNPOD_STORAGE_ACCESS_KEY: "user_2abc",
    RUNPOD_STORAGE_SECRET_KEY: "rps_secret",
  };

  it("derives the per-data-center endpoint and a lower-case region", () => {
    expect(runpodS3Endpoint("EU-RO-1")).toBe("https://s3api-eu-ro-1.runpod.io/");
    expect(runpodS3Endpoint("us-ks-2")).toBe("https://s3api-us-ks-2.runpod.io/");
    const { settings, credentials } = runpodStorageFrom(
      loadConfig({ ...volume, RUNPOD_DATA_CENTER_ID: "EUR-IS-1" }),
    );
    expect(settings).toEqual({
      volumeId: "v3zskt9gvb",
      endpoint: "https://s3api-eur-is-1.runpod.io/",
      region: "eur-is-1",
      checksumWhenRequired: true,
    });
    expect(credentials).toEqual({ accessKeyId: "user_2abc", secretAccessKey: "rps_secret" });
  });

  it("prefers an explicit endpoint and reads the region from a RunPod host name", () => {
    const { settings } = runpodStorageFrom(
      loadConfig({ ...volume, RUNPOD_STORAGE_ENDPOINT: "https://s3api-us-ga-2.runpod.io/" }),
    );
    expect(settings).toMatchObject({ endpoint: "https://s3api-us-ga-2.runpod.io/", region: "us-ga-2" });
  });

  it("refuses data centers without an S3 API, and missing settings", () => {
    expect(() => runpodS3Endpoint("CA-MTL-1")).toThrow(/has no S3 API/);
    expect(() => runpodStorageFrom(loadConfig(volume))).toThrow(/RUNPOD_DATA_CENTER_ID/);
    expect(() => runpodStorageFrom(loadConfig({ RUNPOD_DATA_CENTER_ID: "EU-RO-1" }))).toThrow(
      /RUNPOD_NETWORK_VOLUME_ID/,
    );
    const { RUNPOD_STORAGE_SECRET_KEY: _, ...noSecret } = volume;
    expect(() => runpodStorageFrom(loadConfig({ ...noSecret, RUNPOD_DATA_CENTER_ID: "EU-RO-1" }))).toThrow(
      MissingCredentialError,
    );
    expect(() => runpodApiSettingsFrom(loadConfig({}))).toThrow(MissingCredentialError);
  });
});
