/**
 * RunPodPodManager end to end against the fake RunPod server: launch → progress → the model, checked and
 * re-signed, at home with its charts → the pod terminates itself; costs from the pod's own rate; the job's
 * folder leaves the volume; the fake's ledger is empty at the end. Pods get no secret in their environment.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TrainingLaunchConfig, TrainingStatus } from "../../../src/cloud/provider-interface.js";
import { CloudTrainingError } from "../../../src/errors.js";
import { deserializeModel } from "../../../src/ml/index.js";
import {
  fixture,
  irisLaunch,
  pollUntil,
  type RunPodWorld,
  SIGNING_KEY,
  startRunPodWorld,
  USER_ID,
} from "./harness.js";

let world: RunPodWorld;
let datasetUri: string;

beforeAll(async () => {
  world = await startRunPodWorld();
  datasetUri = await world.home.uploadDataset(USER_ID, fixture("iris.csv"), "iris.csv");
});
afterAll(() => world.close());
afterEach(async () => {
  world.fake.clearFaults();
  await world.fake.pods.workersExited();
  expect(world.fake.leaks()).toEqual({ pods: [], workers: [] });
});

const launchConfig = (overrides: Partial<TrainingLaunchConfig> = {}) => irisLaunch(datasetUri, overrides);

// A pod's training runs as a real worker process: minutes, not seconds, on a loaded 2-core machine.
describe("RunPodPodManager against the fake", { timeout: 180_000 }, () => {
  it("launches, reports progress, stores the model at home, and the pod terminates itself", async () => {
    const manager = world.manager();
    const config = launchConfig();
    const job = await manager.launchTraining(config);
    expect(job).toMatchObject({ jobId: config.jobId, computeType: config.computeType, hourlyRate: 0.29 });
    const create = world.fake.requests.find((r) => r.fields.includes("podFindAndDeployOnDemand"));
    const input = create?.variables?.input as Record<string, unknown>;
    // The pod mounts the volume: Secure Cloud, pinned to the volume's data center.
    expect(input).toMatchObject({
      name: `sma-${config.jobId}`,
      gpuTypeId: "NVIDIA RTX A5000",
      cloudType: "SECURE",
      networkVolumeId: "v3zskt9gvb",
      volumeMountPath: "/workspace",
      dataCenterId: "EU-RO-1",
      volumeInGb: 0,
      terminateAfter: new Date(Date.parse(config.deadline) + 10 * 60_000).toISOString(),
    });
    expect(input.env).toContainEqual({
      key: "SMA_SPEC_URI",
      value: world.storage.jobUri(config.jobId, "spec.json"),
    });

    const seen: TrainingStatus[] = [];
    const final = await pollUntil(
      async () => {
        const status = await manager.monitorTraining(config.jobId);
        seen.push(status);
        return status;
      },
      (s) => s.status === "complete" || s.status === "failed",
      150_000,
    );
    expect(final.status, JSON.stringify(final.error)).toBe("complete");
    expect(seen.some((s) => s.status === "running" && s.progress > 0 && s.progress < 100)).toBe(true);
    // While it ran, the pod's own GPU figures came with the status (the fake's runtime reports 37%).
    expect(seen.find((s) => s.metrics)?.metrics).toMatchObject({ gpuUtilization: 37, vramTotalGb: 24 });
    // The model is home, signed with the bot's key for its owner; its charts are home too.
    const home = world.home.modelUri(USER_ID, config.modelId);
    expect(final.outputUri).toBe(home);
    expect(final.summary).toMatchObject({ modelType: "mlp", task: "classification" });
    expect((await world.home.listUserModels(USER_ID)).map((m) => m.modelId)).toContain(config.modelId);
    const dir = world.home.pathFor(home.slice(0, -1));
    const files = Object.fromEntries(
      ["model.json", "metadata.json", "signature.json"].map((f) => [
        f,
        new Uint8Array(readFileSync(join(dir, f))),
      ]),
    );
    expect(
      deserializeModel(files, SIGNING_KEY, { userId: USER_ID, modelId: config.modelId }).model.modelType,
    ).toBe("mlp");
    const charts = final.summary?.charts as Array<{ uri: string }>;
    expect(charts.length).toBeGreaterThan(0);
    for (const chart of charts) {
      expect(chart.uri.startsWith(home)).toBe(true);
      expect((await world.home.readBytes(chart.uri, { userId: USER_ID })).length).toBeGreaterThan(1000);
    }

    const pod = [...world.fake.pods.pods.values()].find((p) => p.name === `sma-${config.jobId}`)!;
    await pollUntil(
      async () => pod.desiredStatus,
      (s) => s === "TERMINATED",
      5_000,
      50,
    );
    expect(pod.terminatedBy).toBe("self");

    // Actual cost = the pod's runtime × the rate captured at launch (60 s minimum billing).
    const after = await manager.monitorTraining(config.jobId);
    expect(after.status).toBe("complete");
    expect(after.costSoFar).toBeCloseTo((0.29 * Math.max(60, after.runtimeSeconds)) / 3600, 6);
    expect(await manager.terminateTraining(config.jobId)).toBe(config.jobId); // already gone: still fine
    // Once the job has ended, nothing of it stays on the fixed-size volume.
    await manager.releaseJob(config.jobId);
    expect(await world.storage.exists(world.storage.jobUri(config.jobId, "spec.json"))).toBe(false);
    expect(await world.storage.exists(world.storage.jobUri(config.jobId, "input.csv"))).toBe(false);
  });

  it("gives pods no secret: no signing key, no storage key, nothing but the job's pointers", async () => {
    const manager = world.manager();
    const config = launchConfig();
    await manager.launchTraining(config);
    const pod = [...world.fake.pods.pods.values()].find((p) => p.name === `sma-${config.jobId}`)!;
    // What RunPod shows anyone holding the account's API key.
    const listed = (await world.api.listPods()).find((p) => p.id === pod.id)!;
    const secrets = [SIGNING_KEY, world.fake.volumes.credentials.secretAccessKey, world.fake.apiKey];
    for (const entry of listed.env ?? []) {
      for (const secret of secrets) expect(entry).not.toContain(secret);
    }
    expect(Object.keys(pod.env).sort()).toEqual([
      "LOG_LEVEL",
      "RUNPOD_API_URL",
      "SMA_JOB_ID",
      "SMA_SPEC_URI",
      "SMA_VOLUME_PATH",
    ]);
    const done = await pollUntil(
      () => manager.monitorTraining(config.jobId),
      (s) => s.status === "complete" || s.status === "failed",
      150_000,
    );
    expect(done.status, JSON.stringify(done.error)).toBe("complete");
    await manager.terminateTraining(config.jobId);
    await manager.releaseJob(config.jobId);
  });

  it("refuses to put a CPU-only model on a GPU pod", async () => {
    await expect(
      world.manager().launchTraining(launchConfig({ modelType: "random_forest" })),
    ).rejects.toThrow(CloudTrainingError);
    expect(world.fake.pods.visible()).toHaveLength(0);
  });
});
