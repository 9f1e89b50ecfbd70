/** S3 request builders that can be tested on their own (no client, no I/O). */
import type { PutBucketLifecycleConfigurationCommandInput, PutObjectCommandInput } from "@aws-sdk/client-s3";
import { ROOTS } from "../storage-layout.js";
import type { S3Encryption } from "./config.js";

/** Days after which an unfinished multipart upload is removed (its parts are billed until then). */
export const ABORT_INCOMPLETE_MULTIPART_DAYS = 1;

/** Server-side encryption headers for PutObject / CreateMultipartUpload; none for RunPod volumes. */
export function encryptionParams(
  encryption: S3Encryption | undefined,
): Pick<PutObjectCommandInput, "ServerSideEncryption" | "SSEKMSKeyId"> {
  if (encryption === undefined) return {};
  if (encryption.algorithm === "aws:kms") {
    return { ServerSideEncryption: "aws:kms", SSEKMSKeyId: encryption.kmsKeyId };
  }
  return { ServerSideEncryption: "AES256" };
}

/**
 * The bucket's lifecycle rules: datasets expire after `datasetExpiryDays`, results and the job channel after
 * `resultExpiryDays`, and unfinished multipart uploads are cleaned up. Models never expire.
 * PutBucketLifecycleConfiguration replaces the bucket's whole configuration, so every rule we want is here.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
 */
export function lifecycleConfigurationInput(
  bucket: string,
  days: { datasetExpiryDays: number; resultExpiryDays: number },
): PutBucketLifecycleConfigurationCommandInput {
  const expire = (id: string, prefix: string, expiryDays: number) => ({
    ID: id,
    Status: "Enabled" as const,
    Filter: { Prefix: `${prefix}/` },
    Expiration: { Days: expiryDays },
  });
  return {
    Bucket: bucket,
    LifecycleConfiguration: {
      Rules: [
        expire("sma-datasets-expiry", ROOTS.datasets, days.datasetExpiryDays),
        expire("sma-results-expiry", ROOTS.results, days.resultExpiryDays),
        expire("sma-jobs-expiry", ROOTS.jobs, days.resultExpiryDays),
        {
          ID: "sma-abort-incomplete-multipart",
          Status: "Enabled",
          Filter: { Prefix: "" },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_MULTIPART_DAYS },
        },
      ],
    },
  };
}
