/**
 * RunPodServerlessManager against the fake's Serverless queue, with our Node worker (src/worker/container.ts)
 * taking jobs over the job-take/job-done protocol: /runsync for small inputs, /run + /status for large ones,
 * predictions always in storage and copied back to the bot's storage, and every terminal status mapped.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import type { PredictionRequest } from "../../../src/cloud/provider-interface.js";
import { RunPodServerlessManager } from "../../../src/cloud/runpod/serverless.js";
import { RunPodServerlessClient } from "../../../src/cloud/runpod/serverless-client.js";
import { CloudPredictionError, ObjectNotFoundError } from "../../../src/errors.js";
import { fixturePath, saveIrisModel } from "../helpers/models.js";
import { newJobId, pollUntil, type RunPodWorld, SIGNING_KEY, startRunPodWorld, USER_ID } from "./harness.js";

let world: RunPodWorld;
let home: LocalStorageManager;
let homeDir: string;
let modelUri: string;
let dataUri: string;

beforeAll(async () => {
  world = await startRunPodWorld();
  homeDir = await mkdtemp(join(tmpdir(), "sma-home-"));
  home = new LocalStorageManager(homeDir);
  // The bot's own storage holds the model and the data; the provider stages them onto the volume.
  modelUri = await saveIrisModel(home, USER_ID, "m-iris-serverless", SIGNING_KEY);
  dataUri = await home.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
  world.fake.startServerlessWorker(world.workerEnv);
});
afterAll(async () => {
  await world.close();
  expect(world.fake.serverless.liveWorkers()).toBe(0);
  await rm(homeDir, { recursive: true, force: true });
});

function manager(overrides: Partial<ConstructorParameters<typeof RunPodServerlessManager>[0]> = {}) {
  const client = new RunPodServerlessClient({
    baseUrl: world.fake.serverlessUrl,
    endpointId: world.fake.endpointId,
    apiKey: world.fake.apiKey,
    timeoutMs: 5_000,
  });
  return new RunPodServerlessManager({
    client,
    storage: world.storage,
    resolveStorage: (uri) => (uri.startsWith("file:") ? home : world.storage),
    signingKey: SIGNING_KEY,
    pollIntervalMs: 100,
    runsyncWaitMs: 30_000,
    freshJobGraceMs: 300,
    maxWaitMs: 60_000,
    ...overrides,
  });
}

function request(overrides: Partial<PredictionRequest> = {}): PredictionRequest {
  const jobId = overrides.jobId ?? newJobId("pred");
  return {
    jobId,
    userId: USER_ID,
    modelUri,
    dataUri,
    outputUri: home.resultUri(USER_ID, jobId, "iris_predictions.csv"),
    nRows: 150,
    dataSizeBytes: 4_000,
    ...overrides,
  };
}

const jobsNow = () => [...world.fake.serverless.jobs.values()];

describe("RunPodServerlessManager", () => {
  it("small input: /runsync, predictions in storage and copied back to the bot's storage", async () => {
    const r = request();
    const result = await manager().invokePrediction(r);
    expect(result).toMatchObject({ success: true, outputUri: r.outputUri, numPredictions: 150 });
    expect(result.cost).toBeGreaterThan(0);
    expect(result.summary).toMatchObject({ task: "classification" });
    const csv = await readFile(home.pathFor(r.outputUri), "utf8");
    expect(csv.split("\n")[0]).toContain("prediction");
    expect(csv.trim().split("\n")).toHaveLength(151);
    const onVolume = world.storage.jobUri(r.jobId, "iris_predictions.csv");
    expect(await world.storage.exists(onVolume)).toBe(true); // RunPod keeps results 30 min; storage keeps them
    const job = jobsNow().find((j) => (j.input as { jobId?: string }).jobId === r.jobId)!;
    expect(job.id.startsWith("sync-")).toBe(true);
    // The worker got the model staged in the job's folder, signed with a job key: never the bot's key.
    expect(job.input).toMatchObject({
      modelUri: `${world.storage.jobUri(r.jobId, "model")}/`,
      modelId: "m-iris-serverless",
      jobKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(job.input)).not.toContain(SIGNING_KEY);
    // Once the predictions are home, nothing of the job stays on the volume.
    await manager().releaseJob(r.jobId);
    expect(await world.storage.exists(onVolume)).toBe(false);
    expect(await world.storage.exists(world.storage.jobUri(r.jobId, "spec.json"))).toBe(false);
  });

  it("large input: /run, then checkJobStatus until complete", async () => {
    const r = request({ nRows: 50_000, dataSizeBytes: 3_000_000 });
    const m = manager();
    const before = new Set(jobsNow().map((j) => j.id));
    expect(await m.invokeAsync(r)).toBe(r.jobId);
    const queued = jobsNow().filter((j) => !before.has(j.id));
    expect(queued.map((j) => j.id.endsWith("-u1"))).toEqual([true]);
    expect(queued[0].input).toMatchObject({ kind: "predict", jobId: r.jobId, userId: USER_ID });
    const status = await pollUntil(
      () => m.checkJobStatus(r.jobId),
      (s) => s.status === "complete" || s.status === "failed",
    );
    expect(status).toMatchObject({ status: "complete", progress: 100, result: { numPredictions: 150 } });
    expect(await m.invokeAsync(r)).toBe(r.jobId); // idempotent: no second RunPod job
    expect(jobsNow().filter((j) => !before.has(j.id))).toHaveLength(1);
  });

  it("a failing job comes back FAILED with the worker's error", async () => {
    const r = request({ modelUri: home.modelUri(USER_ID, "m-missing") });
    await expect(manager().invokePrediction(r)).rejects.toThrow(ObjectNotFoundError);
  });

  it("COMPLETED without output (an oversized result): the result is read from storage", async () => {
    world.fake.inject({ kind: "job-completed-without-output" });
    const result = await manager().invokePrediction(request({ nRows: 20_000 }));
    expect(result.numPredictions).toBe(150);
  });

  it("TIMED_OUT: the job fails with a message that says so", async () => {
    world.fake.inject({ kind: "job-times-out", afterMs: 200 });
    const error = await manager()
      .invokePrediction(request({ nRows: 20_000 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudPredictionError);
    expect((error as Error).message).toMatch(/timed out on RunPod/);
  });

  it("TTL expiry turns /status into a 404: reported as expired, not as pending forever", async () => {
    // Long enough that the first status check always comes before the expiry, even on a busy machine.
    world.fake.inject({ kind: "job-ttl-expiry", afterMs: 2_000 });
    world.fake.inject({ kind: "job-stuck-in-queue" });
    const m = manager();
    const r = request({ nRows: 20_000 });
    await m.invokeAsync(r);
    expect((await m.checkJobStatus(r.jobId)).status).toBe("pending");
    const status = await pollUntil(
      () => m.checkJobStatus(r.jobId),
      (s) => s.status === "failed",
      15_000,
      100,
    );
    expect(status.error?.message).toMatch(/no longer knows this job/);
  });

  it("refuses a request over the /run payload limit before sending it", async () => {
    const before = jobsNow().length;
    const featureColumns = Array.from({ length: 120_000 }, (_, i) =>
      `a_rather_long_feature_column_name_${i}_x`.padEnd(96, "x"),
    );
    const error = await manager()
      .invokeAsync(request({ nRows: 20_000, featureColumns }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudPredictionError);
    expect((error as CloudPredictionError).message).toBe(
      "The prediction request is too large for RunPod Serverless.",
    );
    expect(jobsNow().length).toBe(before);
  });

  it("cancelling a queued job reports it cancelled", async () => {
    world.fake.inject({ kind: "job-stuck-in-queue" });
    const m = manager();
    const r = request({ nRows: 20_000 });
    await m.invokeAsync(r);
    await m.cancel(r.jobId);
    const status = await m.checkJobStatus(r.jobId);
    expect(status).toMatchObject({ status: "failed", error: { message: "The prediction was cancelled." } });
  });
});
