/**
 * Every pod failure mode of the fake (runpod-api.md checklist) gives the specified outcome, and no pod is
 * left alive afterwards. Pods here reach their runtime but run no worker: these tests are about the control
 * plane, and the end-to-end run with the real worker is in pods.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOB_FILES } from "../../../src/cloud/job-spec.js";
import { CapacityError, PodCreationTimeoutError } from "../../../src/errors.js";
import { fixture, irisLaunch, pollUntil, type RunPodWorld, startRunPodWorld, USER_ID } from "./harness.js";

let world: RunPodWorld;
let datasetUri: string;

beforeAll(async () => {
  world = await startRunPodWorld({ pullMs: 100 });
  world.fake.pods.runWorkers = false;
  datasetUri = await world.home.uploadDataset(USER_ID, fixture("iris.csv"), "iris.csv");
});
afterAll(() => world.close());
afterEach(() => {
  world.fake.clearFaults();
  expect(world.fake.leaks()).toEqual({ pods: [], workers: [] });
});

const podsNamed = (jobId: string) =>
  [...world.fake.pods.pods.values()].filter((p) => p.name === `sma-${jobId}`);
const creates = () =>
  world.fake.requests.filter(
    (r) => r.fields.includes("podFindAndDeployOnDemand") || r.fields.includes("podRentInterruptable"),
  );

describe("RunPod pod failure modes", () => {
  it("no capacity: CapacityError naming the offer, and no pod", async () => {
    world.fake.inject({ kind: "capacity", gpuTypeId: "NVIDIA RTX A5000", cloudType: "SECURE" });
    const config = irisLaunch(datasetUri);
    const error = await world
      .manager()
      .launchTraining(config)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as Error).message).toBe("RunPod has no RTX A5000 secure available right now.");
    expect(podsNamed(config.jobId)).toHaveLength(0);
  });

  it("the next offer for the same job launches after a capacity failure", async () => {
    world.fake.inject({ kind: "capacity", gpuTypeId: "NVIDIA RTX A5000" });
    const manager = world.manager();
    const config = irisLaunch(datasetUri);
    const attempts: string[] = [];
    for (const computeType of ["NVIDIA RTX A5000/SECURE", "NVIDIA GeForce RTX 4090/SECURE"]) {
      try {
        await manager.launchTraining({ ...config, computeType });
        attempts.push(`${computeType}: launched`);
        break;
      } catch (error) {
        attempts.push(`${computeType}: ${(error as Error).message}`);
      }
    }
    expect(attempts).toEqual([
      "NVIDIA RTX A5000/SECURE: RunPod has no RTX A5000 secure available right now.",
      "NVIDIA GeForce RTX 4090/SECURE: launched",
    ]);
    expect(podsNamed(config.jobId).map((p) => p.gpuTypeId)).toEqual(["NVIDIA GeForce RTX 4090"]);
    await manager.terminateTraining(config.jobId);
  });

  it("runtime never appears: the pod is terminated and PodCreationTimeoutError 3001 is thrown", async () => {
    world.fake.inject({ kind: "runtime-never-appears" });
    const manager = world.manager({ podReadyTimeoutSeconds: 1 });
    const config = irisLaunch(datasetUri);
    const error = await manager.launchTraining(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PodCreationTimeoutError);
    expect((error as PodCreationTimeoutError).code).toBe(3001);
    const [pod] = podsNamed(config.jobId);
    expect(pod).toMatchObject({ desiredStatus: "TERMINATED", terminatedBy: "api" });
    // The stuck pod billed while it existed: that cost stays on the job.
    expect((error as PodCreationTimeoutError).details.costSoFar).toBeGreaterThan(0);
    const relaunched = await manager.launchTraining({
      ...config,
      computeType: "NVIDIA GeForce RTX 4090/SECURE",
    });
    expect(relaunched.resourceId).not.toBe(pod.id);
    const status = await manager.monitorTraining(config.jobId);
    expect(status.costSoFar).toBeGreaterThan((error as PodCreationTimeoutError).details.costSoFar as number);
    await manager.terminateTraining(config.jobId);
  });

  it("an internal error (200 with errors) on create, nothing created: looked up by name, then created once", async () => {
    world.fake.inject({ kind: "internal-error", operation: "podFindAndDeployOnDemand" });
    const config = irisLaunch(datasetUri);
    const before = creates().length;
    await world.manager().launchTraining(config);
    expect(creates().length - before).toBe(2);
    expect(podsNamed(config.jobId)).toHaveLength(1);
    await world.manager().terminateTraining(config.jobId);
  });

  it("an internal error after the pod was created anyway: the pod is found by name, not created twice", async () => {
    world.fake.inject({ kind: "internal-error", operation: "podFindAndDeployOnDemand", sideEffect: true });
    const config = irisLaunch(datasetUri);
    const before = creates().length;
    const job = await world.manager().launchTraining(config);
    expect(creates().length - before).toBe(1);
    expect(podsNamed(config.jobId).map((p) => p.id)).toEqual([job.resourceId]);
    await world.manager().terminateTraining(config.jobId);
  });

  it("a create that timed out after the pod was created: found by name, one pod", async () => {
    world.fake.inject({ kind: "create-timeout" });
    const config = irisLaunch(datasetUri);
    const job = await world.manager().launchTraining(config);
    expect(podsNamed(config.jobId).map((p) => p.id)).toEqual([job.resourceId]);
    await world.manager().terminateTraining(config.jobId);
  });

  it("HTML 502 pages and myself: null on reads are retried, never read as 'no pods'", async () => {
    const manager = world.manager();
    const config = irisLaunch(datasetUri);
    await manager.launchTraining(config);
    world.fake.inject({ kind: "html-502", operation: "pod" }, 2);
    expect((await manager.monitorTraining(config.jobId)).status).not.toBe("failed");
    world.fake.inject({ kind: "myself-null" }, 2);
    const before = creates().length;
    await manager.launchTraining(config); // the restored workflow launches again: finds its pod
    expect(creates().length).toBe(before);
    expect(podsNamed(config.jobId)).toHaveLength(1);
    await manager.terminateTraining(config.jobId);
  });

  it("spot interruption: the exited pod is terminated and the job relaunched on-demand", async () => {
    world.fake.inject({ kind: "spot-interruption", afterMs: 1_500 }); // after the launch saw it run
    const manager = world.manager();
    const config = irisLaunch(datasetUri, { spot: true });
    const first = await manager.launchTraining(config);
    const spotPod = world.fake.pods.pods.get(first.resourceId!)!;
    expect(spotPod.podType).toBe("INTERRUPTABLE");
    await pollUntil(
      async () => spotPod.desiredStatus,
      (s) => s === "EXITED",
      5_000,
      50,
    );
    // What the worker writes when its container gets SIGTERM: it must not end the job.
    const sigterm = {
      status: "cancelled",
      finishedAt: new Date().toISOString(),
      runtimeSeconds: 1,
      error: {
        error_code: 0,
        error_class: "AppError",
        message: "The job was stopped (SIGTERM).",
        details: {},
        recovery_suggestion: "",
        timestamp: new Date().toISOString(),
      },
    };
    await world.storage.writeBytes(
      world.storage.jobUri(config.jobId, JOB_FILES.result),
      JSON.stringify(sigterm),
    );
    const status = await manager.monitorTraining(config.jobId);
    expect(status).toMatchObject({
      status: "launching",
      message: "RunPod reclaimed the spot pod; restarting on-demand (1)",
    });
    expect(spotPod.desiredStatus).toBe("TERMINATED");
    const pods = podsNamed(config.jobId).filter((p) => p.desiredStatus !== "TERMINATED");
    expect(pods.map((p) => p.podType)).toEqual(["RESERVED"]);
    expect(await world.storage.exists(world.storage.jobUri(config.jobId, JOB_FILES.result))).toBe(false);
    const record = JSON.parse(
      Buffer.from(
        await world.storage.readBytes(world.storage.jobUri(config.jobId, "compute.json")),
      ).toString(),
    );
    expect(record.segments).toHaveLength(2);
    expect(record.segments[0].endedAt).toBeDefined();
    await manager.terminateTraining(config.jobId);
  });

  it("terminate is idempotent, waits for the pod to be gone, and records a cancelled result", async () => {
    const manager = world.manager();
    const config = irisLaunch(datasetUri);
    const job = await manager.launchTraining(config);
    expect(await manager.terminateTraining(config.jobId)).toBe(config.jobId);
    expect(world.fake.pods.get(job.resourceId!)).toBeUndefined();
    expect(await manager.terminateTraining(config.jobId)).toBe(config.jobId);
    await manager.terminateResource("nosuchpod00000"); // "not found" is done
    const status = await manager.monitorTraining(config.jobId);
    expect(status).toMatchObject({ status: "cancelled", error: { message: "The job was cancelled." } });
  });

  it("getPodMetrics reads GPU, CPU and memory use of a running pod", async () => {
    const manager = world.manager();
    const config = irisLaunch(datasetUri);
    const job = await manager.launchTraining(config);
    const metrics = await manager.getPodMetrics(job.resourceId!);
    expect(metrics).toMatchObject({
      gpuUtilization: 37,
      cpuUtilization: 85,
      memoryUtilization: 20,
      vramTotal: 24,
    });
    expect(metrics.vramUsed).toBeCloseTo(0.12 * 24, 6);
    expect(metrics.uptimeSeconds).toBeGreaterThanOrEqual(1);
    await manager.terminateTraining(config.jobId);
  });
});
