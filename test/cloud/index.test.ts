/**
 * createCloudProviders: builds what the environment configures and says why the rest is left out; its offers
 * go through the providers' health checks; its reconciler runs on start; pods never get the bot's API key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EC2Manager } from "../../src/cloud/aws/compute.js";
import { LambdaManager } from "../../src/cloud/aws/prediction.js";
import { createCloudProviders, podWorkerEnv } from "../../src/cloud/index.js";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import { RunPodPodManager } from "../../src/cloud/runpod/compute.js";
import { RunPodServerlessManager } from "../../src/cloud/runpod/serverless.js";
import { loadConfig } from "../../src/config.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";

const SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789";
let fake: FakeRunPodServer;
let dir: string;
let home: LocalStorageManager;

beforeAll(async () => {
  fake = await startFakeRunPodServer();
  fake.pods.runWorkers = false;
  dir = await mkdtemp(join(tmpdir(), "sma-index-"));
  home = new LocalStorageManager(dir);
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = (active: string[] = []) => ({
  logger: pino({ level: "silent" }),
  homeStorage: home,
  activeJobIds: async () => new Set(active),
});

function runpodEnv() {
  return {
    MODEL_SIGNING_KEY: SIGNING_KEY,
    RUNPOD_API_KEY: fake.apiKey,
    RUNPOD_API_URL: fake.graphqlUrl,
    RUNPOD_SERVERLESS_URL: fake.serverlessUrl,
    RUNPOD_SERVERLESS_ENDPOINT_ID: fake.endpointId,
    RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
    RUNPOD_DATA_CENTER_ID: "EU-RO-1",
    RUNPOD_STORAGE_ACCESS_KEY: "user_2fake",
    RUNPOD_STORAGE_SECRET_KEY: "rps_fakesecret",
    WORKER_IMAGE: "ghcr.io/example/sma-worker:1.0.0",
  };
}

describe("createCloudProviders", () => {
  it("builds nothing (and no reconciler) without cloud configuration; offers are local only", async () => {
    const cloud = createCloudProviders(loadConfig({ MODEL_SIGNING_KEY: SIGNING_KEY }), deps());
    expect(cloud.training).toEqual({});
    expect(cloud.prediction).toEqual({});
    expect(cloud.reconciler).toBeUndefined();
    const offers = await cloud.compute.trainingOffers({
      userId: 1,
      modelType: "mlp",
      nRows: 100,
      nColumns: 4,
      sizeBytes: 4000,
    });
    expect(offers.map((o) => o.provider)).toEqual(["local"]);
  });

  it("builds EC2, Lambda, RunPod pods and Serverless when configured, with their offers", async () => {
    const config = loadConfig({
      ...runpodEnv(),
      AWS_ACCESS_KEY_ID: "AKIAFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      S3_BUCKET: "sma-bucket",
      EC2_AMI_ID: "ami-1",
      EC2_IAM_INSTANCE_PROFILE: "sma-worker",
    });
    const cloud = createCloudProviders(config, deps());
    expect(cloud.unavailable).toEqual([]);
    expect(cloud.training.aws).toBeInstanceOf(EC2Manager);
    expect(cloud.training.runpod).toBeInstanceOf(RunPodPodManager);
    expect(cloud.prediction.aws).toBeInstanceOf(LambdaManager);
    expect(cloud.prediction.runpod).toBeInstanceOf(RunPodServerlessManager);
    expect(cloud.reconciler).toBeDefined();
    expect(cloud.offerSources.training).toHaveLength(2);
    expect(cloud.offerSources.prediction).toHaveLength(2);
  });

  it("uses AWS with the SDK's default credential chain: S3_BUCKET is enough, no keys or profile", () => {
    const config = loadConfig({
      MODEL_SIGNING_KEY: SIGNING_KEY,
      S3_BUCKET: "sma-bucket",
      EC2_AMI_ID: "ami-1",
      EC2_IAM_INSTANCE_PROFILE: "sma-worker",
      WORKER_IMAGE: "ghcr.io/example/sma-worker:1.0.0",
    });
    const cloud = createCloudProviders(config, deps());
    expect(cloud.unavailable).toEqual([]);
    expect(cloud.training.aws).toBeInstanceOf(EC2Manager);
    expect(cloud.prediction.aws).toBeInstanceOf(LambdaManager);
  });

  it("names WORKER_IMAGE when cloud training has no image to run", () => {
    const { WORKER_IMAGE: _, ...env } = runpodEnv();
    const cloud = createCloudProviders(loadConfig(env), deps());
    expect(cloud.unavailable).toContainEqual({
      provider: "runpod",
      kind: "training",
      reason: "WORKER_IMAGE is not set.",
    });
  });

  it("says why a provider is left out, and keeps the rest", () => {
    const config = loadConfig({
      MODEL_SIGNING_KEY: SIGNING_KEY,
      AWS_ACCESS_KEY_ID: "AKIAFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      S3_BUCKET: "sma-bucket",
    });
    const cloud = createCloudProviders(config, deps());
    expect(cloud.unavailable).toEqual([
      { provider: "aws", kind: "training", reason: "EC2_AMI_ID is not set." },
    ]);
    expect(cloud.prediction.aws).toBeInstanceOf(LambdaManager);
  });

  it("offers RunPod pods for an MLP once the health probe answers, and reconciles on start", async () => {
    const cloud = createCloudProviders(loadConfig(runpodEnv()), deps(["kept-job"]));
    const offers = await cloud.compute.trainingOffers({
      userId: 1,
      modelType: "mlp",
      nRows: 100,
      nColumns: 4,
      sizeBytes: 4000,
    });
    expect(offers[0].provider).toBe("local");
    expect(offers.slice(1).every((o) => o.provider === "runpod" && o.priceSource === "live")).toBe(true);
    expect(offers.length).toBeGreaterThan(1);
    const plant = (name: string) =>
      fake.pods.add({
        name,
        imageName: "sma-worker",
        gpuTypeId: "NVIDIA RTX A5000",
        gpuDisplayName: "RTX A5000",
        cloudType: "COMMUNITY",
        podType: "RESERVED",
        costPerHr: 0.27,
        env: {},
        vcpuCount: 4,
        memoryInGb: 16,
        containerDiskInGb: 10,
        stuck: false,
      });
    const kept = plant("sma-kept-job");
    const orphan = plant("sma-orphan-job");
    orphan.createdAt = new Date(Date.now() - 10 * 60_000); // past the reconciler's grace period
    await cloud.start();
    await cloud.stop();
    expect(orphan.desiredStatus).toBe("TERMINATED");
    expect(kept.desiredStatus).toBe("RUNNING");
    fake.pods.terminate(kept.id, "cleanup");
  });

  it("offers RunPod Serverless only while its endpoint exists", async () => {
    const request = { userId: 1, modelType: "logistic", nRows: 100, nColumns: 4, sizeBytes: 4000 };
    const present = createCloudProviders(loadConfig(runpodEnv()), deps());
    const labels = (await present.compute.predictionOffers(request)).map((o) => o.label);
    expect(labels).toEqual(["This machine", "RunPod Serverless"]);
    const gone = createCloudProviders(
      loadConfig({ ...runpodEnv(), RUNPOD_SERVERLESS_ENDPOINT_ID: "nosuchendpoint" }),
      deps(),
    );
    expect((await gone.compute.predictionOffers(request)).map((o) => o.label)).toEqual(["This machine"]);
  });

  it("registers what it built with the seed's factory: createProviderWithFallback works on it", async () => {
    const cloud = createCloudProviders(loadConfig(runpodEnv()), deps());
    const chosen = await cloud.factory.createProviderWithFallback("training", 2);
    expect(chosen.provider).toBe("runpod");
    expect(chosen.instance).toBe(cloud.training.runpod);
    const prediction = await cloud.factory.createProviderWithFallback("prediction", 2);
    expect(prediction.instance).toBe(cloud.prediction.runpod);
    // RunPod refusing the key: skipped with its reason, and this machine takes over.
    const refused = createCloudProviders(loadConfig({ ...runpodEnv(), RUNPOD_API_KEY: "rpa_wrong" }), deps());
    const local = { provider: "local" } as never;
    refused.factory.registerTrainingProvider("local", () => local);
    const fallback = await refused.factory.createProviderWithFallback("training", 2);
    expect(fallback.provider).toBe("local");
    expect(fallback.instance).toBe(local);
    expect(fallback.attempts).toEqual([{ provider: "runpod", reason: expect.stringMatching(/HTTP 401/) }]);
  });

  it("gives pods nothing secret: no signing key, no storage key, not the bot's API key", () => {
    const env = podWorkerEnv(loadConfig(runpodEnv()));
    expect(env).toEqual({ RUNPOD_API_URL: fake.graphqlUrl, LOG_LEVEL: "info" });
    for (const secret of [SIGNING_KEY, "rps_fakesecret", "user_2fake", fake.apiKey])
      expect(JSON.stringify(env)).not.toContain(secret);
  });
});
