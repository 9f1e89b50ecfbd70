/**
 * A RunPod world for tests: the fake RunPod server with its network volume (an S3 API for the bot, a directory
 * that pods mount), the bot's RunPodStorageManager on it, the bot's own storage ("home", where datasets are
 * uploaded and models end up), and a RunPodPodManager with short timeouts. The same spec that production
 * sends reaches the real worker in the fake's pods.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import type { TrainingLaunchConfig } from "../../../src/cloud/provider-interface.js";
import { RunPodGraphqlClient } from "../../../src/cloud/runpod/client.js";
import { RunPodPodManager, type RunPodPodSettings } from "../../../src/cloud/runpod/compute.js";
import { RunPodOfferSource } from "../../../src/cloud/runpod/offers.js";
import { RunPodPodApi } from "../../../src/cloud/runpod/pod-api.js";
import { createRunPodS3Client, RunPodStorageManager } from "../../../src/cloud/runpod/storage.js";
import { owns } from "../../../src/cloud/staging.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../../fakes/runpod/server.js";

export const VOLUME_ID = "v3zskt9gvb";
export const SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789";
export const USER_ID = 4242;

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

export interface RunPodWorld {
  fake: FakeRunPodServer;
  /** The network volume, over its S3 API. */
  storage: RunPodStorageManager;
  /** The bot's own storage: datasets are uploaded here, finished models are stored here. */
  home: LocalStorageManager;
  api: RunPodPodApi;
  offers: RunPodOfferSource;
  /** The pod env the bot sends (nothing secret). */
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
  const fake = await startFakeRunPodServer({ pullMs: options.pullMs ?? 200, retention: options.retention });
  const settings = {
    volumeId: VOLUME_ID,
    endpoint: fake.volumes.endpoint,
    region: "eu-ro-1",
    checksumWhenRequired: true,
  };
  const storage = new RunPodStorageManager(
    createRunPodS3Client(settings, fake.volumes.credentials),
    settings,
  );
  const homeDir = await mkdtemp(join(tmpdir(), "sma-runpod-home-"));
  const home = new LocalStorageManager(homeDir);
  const client = new RunPodGraphqlClient({ apiUrl: fake.graphqlUrl, apiKey: fake.apiKey, timeoutMs: 3_000 });
  const api = new RunPodPodApi(client, {
    readDeadlineMs: 4_000,
    confirmPollMs: 50,
    confirmTimeoutMs: 5_000,
    createTimeoutMs: 1_000,
  });
  const offers = new RunPodOfferSource({ api, dataCenterId: "EU-RO-1", allowSpot: true });
  const workerEnv = { RUNPOD_API_URL: fake.graphqlUrl, LOG_LEVEL: "silent" };
  return {
    fake,
    storage,
    home,
    api,
    offers,
    workerEnv,
    manager: (overrides = {}, extra = {}) =>
      new RunPodPodManager({
        api,
        storage,
        offers,
        resolveStorage: (uri) => (owns(home, uri) ? home : storage),
        homeStorage: home,
        signingKey: SIGNING_KEY,
        settings: {
          workerImage: "ghcr.io/example/sma-worker:test",
          networkVolumeId: VOLUME_ID,
          dataCenterId: "EU-RO-1",
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
      await rm(homeDir, { recursive: true, force: true });
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
    computeType: "NVIDIA RTX A5000/SECURE",
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
