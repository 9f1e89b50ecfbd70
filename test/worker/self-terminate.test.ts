/**
 * A pod's worker terminates its own pod on exit with the pod-scoped key RunPod gives it (the fake accepts that
 * key for that pod only); outside a pod it does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfTerminate } from "../../src/worker/self-terminate.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";

let fake: FakeRunPodServer;

beforeAll(async () => {
  fake = await startFakeRunPodServer();
  fake.pods.runWorkers = false;
});
afterAll(() => fake.close());

function addPod(name: string) {
  return fake.pods.add({
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
}

describe("selfTerminate", () => {
  it("terminates its own pod with the pod-scoped key", async () => {
    const pod = addPod("sma-self-1");
    const env = { RUNPOD_POD_ID: pod.id, RUNPOD_API_KEY: pod.podKey, RUNPOD_API_URL: fake.graphqlUrl };
    expect(await selfTerminate(env)).toBe(`runpod pod ${pod.id}`);
    expect(pod).toMatchObject({ desiredStatus: "TERMINATED", terminatedBy: "self" });
    expect(fake.requests.at(-1)).toMatchObject({
      fields: ["podTerminate"],
      caller: { kind: "pod", podId: pod.id },
    });
  });

  it("cannot terminate another pod with its key", async () => {
    const mine = addPod("sma-self-2");
    const other = addPod("sma-self-3");
    const env = { RUNPOD_POD_ID: other.id, RUNPOD_API_KEY: mine.podKey, RUNPOD_API_URL: fake.graphqlUrl };
    await expect(selfTerminate(env)).rejects.toThrow(/Unauthorized/);
    expect(other.desiredStatus).toBe("RUNNING");
    fake.pods.terminate(mine.id, "cleanup");
    fake.pods.terminate(other.id, "cleanup");
    expect(fake.leaks().pods).toEqual([]);
  });

  it("does nothing outside a pod", async () => {
    const before = fake.requests.length;
    expect(await selfTerminate({})).toBe("nothing");
    expect(fake.requests.length).toBe(before);
  });
});
