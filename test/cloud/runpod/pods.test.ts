/**
 * RunPodPodManager end to end against the fake RunPod server: launch → progress → model artifacts on the
 * volume → the pod terminates itself; costs from the pod's own rate; the fake's ledger is empty at the end.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TrainingLaunchConfig, TrainingStatus } from "../../../src/cloud/provider-interface.js";
import { CloudTrainingError } from "../../../src/errors.js";
import { fixture, irisLaunch, pollUntil, type RunPodWorld, startRunPodWorld, USER_ID } from "./harness.js";

let world: RunPodWorld;
let datasetUri: string;

beforeAll(async () => {
  world = await startRunPodWorld();
  datasetUri = await world.storage.uploadDataset(USER_ID, fixture("iris.csv"), "iris.csv");
});
afterAll(() => world.close());
afterEach(async () => {
  world.fake.clearFaults();
  await world.fake.pods.workersExited();
  expect(world.fake.leaks()).toEqual({ pods: [], workers: [] });
});

const launchConfig = (overrides: Partial<TrainingLaunchConfig> = {}) => irisLaunch(datasetUri, overrides);

describe("RunPodPodManager against the fake", () => {
  it("launches, reports progress, stores the model, and the pod terminates itself", async () => {
    const manager = world.manager();
    const config = launchConfig();
    const job = await manager.launchTraining(config);
    expect(job).toMatchObject({ jobId: config.jobId, computeType: config.computeType, hourlyRate: 0.27 });
    const create = world.fake.requests.find((r) => r.fields.includes("podFindAndDeployOnDemand"));
    const input = create?.variables?.input as Record<string, unknown>;
    expect(input).toMatchObject({
      name: `sma-${config.jobId}`,
      gpuTypeId: "NVIDIA RTX A5000",
      cloudType: "COMMUNITY",
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
    );
    expect(final.status, JSON.stringify(final.error)).toBe("complete");
    expect(seen.some((s) => s.status === "running" && s.progress > 0 && s.progress < 100)).toBe(true);
    expect(final.outputUri).toBe(world.storage.modelUri(USER_ID, config.modelId));
    expect(final.summary).toMatchObject({ modelType: "mlp", task: "classification" });
    const models = await world.storage.listUserModels(USER_ID);
    expect(models.map((m) => m.modelId)).toContain(config.modelId);

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
    expect(after.costSoFar).toBeCloseTo((0.27 * Math.max(60, after.runtimeSeconds)) / 3600, 6);
    expect(await manager.terminateTraining(config.jobId)).toBe(config.jobId); // already gone: still fine
  });

  it("refuses to put a CPU-only model on a GPU pod", async () => {
    await expect(
      world.manager().launchTraining(launchConfig({ modelType: "random_forest" })),
    ).rejects.toThrow(CloudTrainingError);
    expect(world.fake.pods.visible()).toHaveLength(0);
  });
});
