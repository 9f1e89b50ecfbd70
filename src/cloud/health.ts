/**
 * Provider health probes (seed §6 check_provider_health): one real, cheap call per provider, bounded by a
 * hard timeout that holds even if a client ignores its abort signal, so a probe never hangs the bot.
 */
import { DescribeRegionsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { AppError } from "../errors.js";
import type { ProviderName } from "./provider-interface.js";
import { withRetry } from "./retry.js";
import type { RunPodGraphqlClient } from "./runpod/client.js";

/** The seed's health status: healthy, or the reasons it is not. */
export interface HealthReport {
  healthy: boolean;
  errors: string[];
}

export const HEALTHY: HealthReport = Object.freeze({ healthy: true, errors: [] }) as HealthReport;

class ProbeTimeoutError extends Error {
  override name = "ProbeTimeoutError";
}

/**
 * Runs `probe` with an abort signal, and settles no later than `timeoutMs` whatever the probe does.
 */
export async function withHardTimeout<T>(
  probe: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ProbeTimeoutError(`${what} did not answer within ${timeoutMs / 1000} s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([probe(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short, secret-free description of a failed call. */
export function describeFailure(error: unknown): string {
  if (error instanceof AppError || error instanceof ProbeTimeoutError) return error.message;
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const text = [e.name && e.name !== "Error" ? e.name : undefined, code, e.message]
    .filter(Boolean)
    .join(": ");
  return (text || "unknown error").slice(0, 200);
}

/** RunPod: the `myself` query, retried on transient errors (myself: null, 5xx) until the timeout. */
export async function checkRunPodHealth(
  client: RunPodGraphqlClient,
  timeoutSeconds: number,
): Promise<HealthReport> {
  const timeoutMs = timeoutSeconds * 1000;
  let attempts = 0;
  let lastFailure: unknown;
  try {
    await withHardTimeout(
      (signal) =>
        withRetry(
          async (attempt, remainingMs) => {
            attempts = attempt;
            try {
              return await client.myself({ signal, timeoutMs: Math.max(1, remainingMs) });
            } catch (error) {
              if (!signal.aborted) lastFailure = error;
              throw error;
            }
          },
          { deadlineMs: timeoutMs, signal },
        ),
      timeoutMs,
      "RunPod API",
    );
    return HEALTHY;
  } catch (error) {
    // When time ran out between retries, the last real answer says more than "did not answer in time".
    const reason = error instanceof ProbeTimeoutError && lastFailure ? lastFailure : error;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    return { healthy: false, errors: [`runpod: ${describeFailure(reason)}${tries}`] };
  }
}

export interface AwsHealthTargets {
  s3: S3Client;
  ec2: EC2Client;
  /** Undefined when S3_BUCKET is not set: AWS compute needs the bucket for its job channel. */
  bucket?: string;
}

/** AWS: S3 HeadBucket plus an EC2 DescribeRegions dry run (DryRunOperation means "allowed"), in parallel. */
export async function checkAwsHealth(
  targets: AwsHealthTargets,
  timeoutSeconds: number,
): Promise<HealthReport> {
  const timeoutMs = timeoutSeconds * 1000;
  const [s3, ec2] = await Promise.all([
    targets.bucket === undefined
      ? "s3: S3_BUCKET is not set"
      : withHardTimeout(
          (signal) =>
            targets.s3.send(new HeadBucketCommand({ Bucket: targets.bucket }), { abortSignal: signal }),
          timeoutMs,
          "S3",
        ).then(
          () => undefined,
          (error) => `s3: ${describeS3Failure(error, targets.bucket!)}`,
        ),
    withHardTimeout(
      (signal) => targets.ec2.send(new DescribeRegionsCommand({ DryRun: true }), { abortSignal: signal }),
      timeoutMs,
      "EC2",
    ).then(
      () => undefined,
      (error) =>
        (error as Error).name === "DryRunOperation" ? undefined : `ec2: ${describeEc2Failure(error)}`,
    ),
  ]);
  const errors = [s3, ec2].filter((e): e is string => e !== undefined);
  return { healthy: errors.length === 0, errors };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function describeS3Failure(error: unknown, bucket: string): string {
  const status = statusOf(error);
  if (status === 404) return `bucket "${bucket}" not found`;
  if (status === 403)
    return `access to bucket "${bucket}" denied (check the credentials and the bucket policy)`;
  return describeFailure(error);
}

function describeEc2Failure(error: unknown): string {
  const name = (error as Error).name;
  if (name === "UnauthorizedOperation") return "the credentials may not call ec2:DescribeRegions";
  if (name === "AuthFailure") return "the credentials were rejected";
  return describeFailure(error);
}

/** Health results kept briefly, so the bot does not probe on every message. Concurrent asks share a probe. */
export class HealthCache {
  private readonly entries = new Map<ProviderName, { at: number; report: Promise<HealthReport> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(provider: ProviderName, probe: () => Promise<HealthReport>): Promise<HealthReport> {
    const entry = this.entries.get(provider);
    if (entry && this.now() - entry.at < this.ttlMs) return entry.report;
    const report = probe();
    this.entries.set(provider, { at: this.now(), report });
    return report;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * A yes/no check kept for `ttlMs` (a Lambda function or a Serverless endpoint that exists): a thrown error is
 * a "no". Concurrent asks share one call.
 */
export function cachedCheck(
  check: () => Promise<boolean>,
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<boolean> {
  let last: { at: number; answer: Promise<boolean> } | undefined;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      last = { at: now(), answer: check().catch(() => false) };
    }
    return last.answer;
  };
}
