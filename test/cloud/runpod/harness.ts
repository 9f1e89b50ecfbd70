/**
 * A RunPod world for tests: the fake RunPod server, s3rver standing in for the network volume, the bot's
 * RunPodStorageManager on it, and a RunPodPodManager with short timeouts. The same spec that production sends
 * reaches the real worker in the fake's pods.
 */
import { fileURLToPath } from "node:url";
import type { TrainingLaunchConfig } from "../../../src/cloud/provider-interface.js";
import { RunPodGraphqlClient } from "../../../src/cloud/runpod/client.js";
import { RunPodPodManager, type RunPodPodSettings } from "../../../src/cloud/runpod/compute.js";
import { RunPodOfferSource } from "../../../src/cloud/runpod/offers.js";
import { RunPodPodApi } from "../../../src/cloud/runpod/pod-api.js";
import { createRunPodS3Client, RunPodStorageManager } from "../../../src/cloud/runpod/storage.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../../fakes/runpod/server.js";
import { S3RVER_CREDENTIALS, type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";

export const VOLUME_ID = "v3zskt9gvb";
export const SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789";
export const USER_ID = 4242;

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

export interface RunPodWorld {
  fake: FakeRunPodServer;
  s3: S3rverHandle;
  storage: RunPodStorageManager;
  api: RunPodPodApi;
  offers: RunPodOfferSource;
  /** Env a worker needs to reach the volume and sign models. */
  workerEnv: Record<string, string>;
  manager(
    overrides?: Partial<RunPodPodSettings>,
    options?: { maxSpotRelaunches?: number; now?: () => Date },
  ): RunPodPodManager;
  close(): Promise<void>;
}

export async function startRunPodWorld(
  options: { pullMs?: number; retention?: { runMs: number; runsyncMs: number } } = {},
): Promise<RunPodWorld> {
  const [fake, s3] = await Promise.all([
    startFakeRunPodServer({ pullMs: options.pullMs ?? 200, retention: options.retention }),
    startS3rver([VOLUME_ID]),
  ]);
  const settings = {
    volumeId: VOLUME_ID,
    endpoint: s3.endpoint,
    region: "eu-ro-1",
    checksumWhenRequired: true,
  };
  const storage = new RunPodStorageManager(createRunPodS3Client(settings, S3RVER_CREDENTIALS), settings);
  const client = new RunPodGraphqlClient({ apiUrl: fake.graphqlUrl, apiKey: fake.apiKey, timeoutMs: 3_000 });
  const api = new RunPodPodApi(client, {
    readDeadlineMs: 4_000,
    confirmPollMs: 50,
    confirmTimeoutMs: 5_000,
    createTimeoutMs: 1_000,
  });
  const offers = new RunPodOfferSource({ api, cloudType: "COMMUNITY", allowSpot: true });
  const workerEnv = {
    RUNPOD_NETWORK_VOLUME_ID: VOLUME_ID,
    RUNPOD_STORAGE_ENDPOINT: s3.endpoint,
    RUNPOD_DATA_CENTER_ID: "EU-RO-1",
    RUNPOD_STORAGE_ACCESS_KEY: S3RVER_CREDENTIALS.accessKeyId,
    RUNPOD_STORAGE_SECRET_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    MODEL_SIGNING_KEY: SIGNING_KEY,
    LOG_LEVEL: "silent",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  return {
    fake,
    s3,
    storage,
    api,
    offers,
    workerEnv,
    manager: (overrides = {}, extra = {}) =>
      new RunPodPodManager({
        api,
        storage,
        offers,
        settings: {
          workerImage: "ghcr.io/example/sma-worker:test",
          cloudType: "COMMUNITY",
          podReadyTimeoutSeconds: 3,
          containerDiskInGb: 10,
          minVcpuCount: 2,
          minMemoryInGb: 8,
          workerEnv,
          terminateAfterMarginMinutes: 10,
          createAttempts: 2,
          ...overrides,
        },
        readinessPollMs: 100,
        maxSpotRelaunches: extra.maxSpotRelaunches,
        now: extra.now,
      }),
    async close() {
      await fake.close();
      storage.client.destroy();
      await s3.close();
    },
  };
}

/**
 * Polls until `done` is true or the time is up (then the last value is returned for the assertion). A failed
 * read is tolerated like the training flow's monitor tolerates one: s3rver can drop a GET that overlaps a
 * rewrite of the same object (it streams a file whose length changed), which real S3 does not.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  everyMs = 150,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch((error: unknown) => {
      if (Date.now() >= until) throw error;
      return undefined;
    });
    if (value !== undefined && (done(value) || Date.now() >= until)) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let jobCounter = 0;

/** A unique job id per call (the pod name carries it). */
export function newJobId(prefix = "job"): string {
  jobCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${jobCounter}`;
}

/** An MLP on iris: the one model family that may use a GPU; small enough to train in a second. */
export function irisLaunch(
  datasetUri: string,
  overrides: Partial<TrainingLaunchConfig> = {},
): TrainingLaunchConfig {
  const jobId = overrides.jobId ?? newJobId();
  return {
    jobId,
    computeType: "NVIDIA RTX A5000/COMMUNITY",
    datasetUri,
    modelId: `m-${jobId}`,
    userId: USER_ID,
    modelType: "mlp",
    taskType: "classification",
    targetColumn: "species",
    featureColumns: ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
    hyperparameters: { hiddenLayerSizes: [8], maxIter: 50 },
    deadline: new Date(Date.now() + 10 * 60_000).toISOString(),
    estimatedMinutes: 1,
    ...overrides,
  };
}
