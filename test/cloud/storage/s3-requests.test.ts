/**
 * The S3 requests themselves, where s3rver cannot tell (it ignores SSE headers and has no lifecycle API):
 * checked with aws-sdk-client-mock, comparing whole inputs (the library's default match is partial).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { S3Settings } from "../../../src/cloud/aws/config.js";
import { S3ObjectStore } from "../../../src/cloud/aws/object-store.js";
import { S3Manager } from "../../../src/cloud/aws/storage.js";
import { RunPodStorageManager } from "../../../src/cloud/runpod/storage.js";
import {
  BucketNotFoundError,
  CloudStorageError,
  InvalidCredentialError,
  ObjectNotFoundError,
  UploadError,
} from "../../../src/errors.js";

const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const s3 = mockClient(client);

const settings: S3Settings = {
  bucket: "sma-bucket",
  region: "us-east-1",
  forcePathStyle: false,
  checksumWhenRequired: false,
  encryption: { algorithm: "AES256" },
  datasetExpiryDays: 90,
  resultExpiryDays: 30,
};

let work: string;
let csv: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "s3-requests-"));
  csv = join(work, "sales.csv");
  await writeFile(csv, "a,b\n1,2\n");
});
afterAll(() => rm(work, { recursive: true, force: true }));
beforeEach(() => s3.reset());

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status } });
}

describe("writes", () => {
  it("uploads a dataset with SSE-S3 and its metadata", async () => {
    s3.on(PutObjectCommand).resolves({});
    const uri = await new S3Manager(client, settings).uploadDataset(42, csv, "Sales Q1.csv");
    const key = uri.replace("s3://sma-bucket/", "");
    const [call] = s3.commandCalls(PutObjectCommand);
    const { Body, ...input } = call.args[0].input;
    expect(Body).toBeDefined();
    expect(input).toEqual({
      Bucket: "sma-bucket",
      Key: key,
      ContentType: "text/csv",
      ServerSideEncryption: "AES256",
      Metadata: {
        "original-name": "Sales%20Q1.csv",
        format: "csv",
        "user-id": "42",
        "dataset-id": key.slice("datasets/user_42/".length, -".csv".length),
        "uploaded-at": expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
  });

  it("uses SSE-KMS with the configured key", async () => {
    s3.on(PutObjectCommand).resolves({});
    const kms = { ...settings, encryption: { algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:k/1" } as const };
    await new S3Manager(client, kms).writeBytes("s3://sma-bucket/jobs/job-abcdef/spec.json", "{}");
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toEqual({
      Bucket: "sma-bucket",
      Key: "jobs/job-abcdef/spec.json",
      ContentType: "application/json",
      Metadata: undefined,
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "arn:aws:kms:k/1",
      Body: new TextEncoder().encode("{}"),
    });
  });

  it("sends no encryption headers to a RunPod volume", async () => {
    s3.on(PutObjectCommand).resolves({});
    const runpod = new RunPodStorageManager(client, {
      volumeId: "v3zskt9gvb",
      endpoint: "https://s3api-eu-ro-1.runpod.io/",
      region: "eu-ro-1",
      checksumWhenRequired: true,
    });
    await runpod.writeBytes("runpod://v3zskt9gvb/jobs/job-abcdef/spec.json", "{}");
    const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(input.Bucket).toBe("v3zskt9gvb");
    expect(input).not.toHaveProperty("ServerSideEncryption");
    expect(input).not.toHaveProperty("SSEKMSKeyId");
  });

  it("aborts the multipart upload when a part fails, so no parts are left billing", async () => {
    const big = join(work, "big.bin");
    await writeFile(big, randomBytes(11 * 1024 * 1024));
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "up-1" });
    s3.on(UploadPartCommand).resolvesOnce({ ETag: '"p1"' }).rejects(s3Error("InternalError", 500));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const store = new S3ObjectStore({ client, bucket: "sma-bucket", batchDelete: true });

    await expect(store.putFile("results/user_1/job-abcdef/big.bin", big)).rejects.toThrow(UploadError);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: "sma-bucket", Key: "results/user_1/job-abcdef/big.bin", UploadId: "up-1" },
    ]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});

describe("lifecycle rules", () => {
  it("expires datasets and results after the configured days and never touches models", async () => {
    s3.on(PutBucketLifecycleConfigurationCommand).resolves({});
    await new S3Manager(client, {
      ...settings,
      datasetExpiryDays: 45,
      resultExpiryDays: 7,
    }).applyLifecycleRules();
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0].args[0].input).toEqual({
      Bucket: "sma-bucket",
      LifecycleConfiguration: {
        Rules: [
          {
            ID: "sma-datasets-expiry",
            Status: "Enabled",
            Filter: { Prefix: "datasets/" },
            Expiration: { Days: 45 },
          },
          {
            ID: "sma-results-expiry",
            Status: "Enabled",
            Filter: { Prefix: "results/" },
            Expiration: { Days: 7 },
          },
          { ID: "sma-jobs-expiry", Status: "Enabled", Filter: { Prefix: "jobs/" }, Expiration: { Days: 7 } },
          {
            ID: "sma-abort-incomplete-multipart",
            Status: "Enabled",
            Filter: { Prefix: "" },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    });
  });

  it("reports a missing bucket as BucketNotFoundError", async () => {
    s3.on(PutBucketLifecycleConfigurationCommand).rejects(s3Error("NoSuchBucket", 404));
    await expect(new S3Manager(client, settings).applyLifecycleRules()).rejects.toThrow(BucketNotFoundError);
  });
});

describe("deletes and listings", () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `models/user_1/m-1/f${i}.png`);

  it("batches deletes by 1,000 on AWS", async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    await new S3ObjectStore({ client, bucket: "b1", batchDelete: true }).deleteMany(keys(1500));
    const batches = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length);
    expect(batches).toEqual([1000, 500]);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it("reports keys a batch delete could not remove", async () => {
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: "models/user_1/m-1/f0.png", Code: "AccessDenied" }],
    });
    await expect(
      new S3ObjectStore({ client, bucket: "b1", batchDelete: true }).deleteMany(keys(2)),
    ).rejects.toThrow(CloudStorageError);
  });

  it("deletes one by one where batch delete is missing (RunPod)", async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await new S3ObjectStore({ client, bucket: "vol", batchDelete: false }).deleteMany(keys(3));
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual(
      keys(3).map((Key) => ({ Bucket: "vol", Key })),
    );
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it("follows continuation tokens and stops on a token repeated by the server", async () => {
    const page = (key: string, next?: string) => ({
      Contents: [{ Key: key, Size: 1, LastModified: new Date(0) }, { Key: "datasets/user_1/dir/" }],
      IsTruncated: next !== undefined,
      NextContinuationToken: next,
    });
    s3.on(ListObjectsV2Command)
      .resolvesOnce(page("datasets/user_1/a.csv", "t1"))
      .resolvesOnce(page("datasets/user_1/b.csv", "t1"))
      .resolves(page("datasets/user_1/never.csv"));
    const store = new S3ObjectStore({ client, bucket: "vol", batchDelete: false });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const object of store.list("datasets/user_1/")) seen.push(object.key);
      })(),
    ).rejects.toThrow(/repeated a page token/);
    expect(seen).toEqual(["datasets/user_1/a.csv", "datasets/user_1/b.csv"]);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.ContinuationToken)).toEqual([
      undefined,
      "t1",
    ]);
  });
});

describe("error mapping", () => {
  it.each([
    ["NoSuchKey", 404, ObjectNotFoundError],
    ["NoSuchBucket", 404, BucketNotFoundError],
    ["InvalidAccessKeyId", 403, InvalidCredentialError],
    ["SignatureDoesNotMatch", 403, InvalidCredentialError],
    ["SlowDown", 503, CloudStorageError],
  ] as const)("%s → %s", async (name, status, expected) => {
    s3.on(GetObjectCommand).rejects(s3Error(name, status));
    const store = new S3ObjectStore({ client, bucket: "b1", batchDelete: true });
    const error = await store.getBytes("jobs/job-abcdef/result.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(expected);
    expect((error as CloudStorageError).details).toMatchObject({
      key: "jobs/job-abcdef/result.json",
      status,
    });
  });
});
