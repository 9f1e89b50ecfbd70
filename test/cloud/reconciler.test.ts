/**
 * The reconciler with orphans planted in the fake RunPod server and in the EC2 mock: compute of ours that no
 * active job owns is terminated (and reported only once the provider confirms), owned compute and compute
 * that is not ours are left alone, and a provider that cannot be listed does not stop the others.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EC2Manager } from "../../src/cloud/aws/compute.js";
import { Ec2OfferSource } from "../../src/cloud/aws/offers.js";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import { type OwnedCompute, Reconciler } from "../../src/cloud/reconciler.js";
import { RunPodGraphqlClient } from "../../src/cloud/runpod/client.js";
import { RunPodPodManager } from "../../src/cloud/runpod/compute.js";
import { RunPodOfferSource } from "../../src/cloud/runpod/offers.js";
import { RunPodPodApi } from "../../src/cloud/runpod/pod-api.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";

const ec2Mock = mockClient(EC2Client);
const LATER = () => new Date(Date.now() + 10 * 60_000); // every planted machine is past the grace period
let fake: FakeRunPodServer;
let dir: string;
let runpod: RunPodPodManager;
let ec2: EC2Manager;

beforeAll(async () => {
  fake = await startFakeRunPodServer();
  fake.pods.runWorkers = false;
  dir = await mkdtemp(join(tmpdir(), "sma-reconcile-"));
  const storage = new LocalStorageManager(dir);
  const api = new RunPodPodApi(
    new RunPodGraphqlClient({ apiUrl: fake.graphqlUrl, apiKey: fake.apiKey, timeoutMs: 2_000 }),
    {
      confirmPollMs: 20,
      readDeadlineMs: 3_000,
    },
  );
  runpod = new RunPodPodManager({
    api,
    storage,
    offers: new RunPodOfferSource({ api, allowSpot: false }),
    resolveStorage: () => storage,
    homeStorage: storage,
    signingKey: "reconciler-test-signing-key-0123456789",
    settings: {
      workerImage: "sma-worker",
      networkVolumeId: "v3zskt9gvb",
      dataCenterId: "EU-RO-1",
      podReadyTimeoutSeconds: 5,
      containerDiskInGb: 10,
      minVcpuCount: 2,
      minMemoryInGb: 8,
      workerEnv: {},
      terminateAfterMarginMinutes: 10,
      createAttempts: 1,
    },
  });
  const client = new EC2Client({ region: "us-east-1" });
  ec2 = new EC2Manager({
    ec2: client,
    storage,
    offers: new Ec2OfferSource({ ec2: client, allowSpot: false }),
    settings: {
      region: "us-east-1",
      amiId: "ami-1",
      instanceProfile: "p",
      securityGroupIds: [],
      workerImage: "img",
      bucket: "b",
    },
    resolveStorage: () => storage,
    homeStorage: storage,
    signingKey: "reconciler-test-signing-key-0123456789",
    pollIntervalMs: 5,
    terminateTimeoutMs: 500,
  });
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  ec2Mock.reset();
  for (const pod of fake.pods.visible()) fake.pods.terminate(pod.id, "cleanup");
});

function plantPod(name: string) {
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

function ec2Instance(id: string, jobId?: string): Instance {
  return {
    InstanceId: id,
    LaunchTime: new Date(),
    State: { Name: "running" },
    Tags: [
      { Key: "app", Value: "statistical-modeling-agent" },
      ...(jobId ? [{ Key: "jobId", Value: jobId }] : []),
    ],
  };
}

function reconciler(targets = [runpod, ec2], terminated: OwnedCompute[] = []) {
  return new Reconciler({
    targets,
    activeJobIds: async () => new Set(["active-pod-job", "active-ec2-job"]),
    logger: pino({ level: "silent" }),
    now: LATER,
    onTerminated: (c) => {
      terminated.push(c);
    },
  });
}

describe("Reconciler", () => {
  it("terminates our orphans on both providers and leaves owned and foreign compute alone", async () => {
    const orphan = plantPod("sma-orphan-pod-job");
    const owned = plantPod("sma-active-pod-job");
    const foreign = plantPod("jupyter-notebook"); // not ours: never touched
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            ec2Instance("i-orphan", "gone-ec2-job"),
            ec2Instance("i-owned", "active-ec2-job"),
            ec2Instance("i-untagged"),
          ],
        },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: ["i-orphan"] }, true).resolves({
      Reservations: [{ Instances: [{ InstanceId: "i-orphan", State: { Name: "shutting-down" } }] }],
    });
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: ["i-untagged"] }, true).resolves({
      Reservations: [{ Instances: [{ InstanceId: "i-untagged", State: { Name: "terminated" } }] }],
    });
    ec2Mock.on(TerminateInstancesCommand).resolves({});

    const confirmed: OwnedCompute[] = [];
    const report = await reconciler(undefined, confirmed).runOnce();
    expect(report.checked).toBe(5);
    expect(report.terminated.map((c) => c.resourceId).sort()).toEqual(
      [orphan.id, "i-orphan", "i-untagged"].sort(),
    );
    expect(confirmed.map((c) => c.resourceId).sort()).toEqual(
      report.terminated.map((c) => c.resourceId).sort(),
    );
    expect(report.terminated.find((c) => c.resourceId === orphan.id)).toMatchObject({
      jobId: "orphan-pod-job",
    });
    expect(orphan).toMatchObject({ desiredStatus: "TERMINATED", terminatedBy: "api" });
    expect(owned.desiredStatus).toBe("RUNNING");
    expect(foreign.desiredStatus).toBe("RUNNING");
    expect(ec2Mock.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: ["i-orphan"] },
      { InstanceIds: ["i-untagged"] },
    ]);
  });

  it("leaves machines younger than the grace period (a launch may not have saved its job id yet)", async () => {
    const fresh = plantPod("sma-just-launched");
    const r = new Reconciler({
      targets: [runpod],
      activeJobIds: async () => new Set(),
      logger: pino({ level: "silent" }),
      graceMs: 60_000,
    });
    const report = await r.runOnce();
    expect(report.terminated).toEqual([]);
    expect(fresh.desiredStatus).toBe("RUNNING");
  });

  it("reports a termination AWS never confirms as failed, and still reconciles the other provider", async () => {
    const orphan = plantPod("sma-orphan-2");
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [ec2Instance("i-stuck", "gone")] }] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    const confirmed: OwnedCompute[] = [];
    const report = await reconciler(undefined, confirmed).runOnce();
    expect(report.failed.map((f) => [f.compute.resourceId, f.reason])).toEqual([
      ["i-stuck", "AWS has not confirmed the termination yet."],
    ]);
    expect(confirmed.map((c) => c.resourceId)).toEqual([orphan.id]);
  });

  it("a provider that cannot be listed is reported unreachable; the others are still reconciled", async () => {
    const orphan = plantPod("sma-orphan-3");
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error("expired token"), { name: "AuthFailure" }));
    const report = await reconciler().runOnce();
    expect(report.unreachable).toEqual([{ provider: "aws", reason: "AuthFailure: expired token" }]);
    expect(report.terminated.map((c) => c.resourceId)).toEqual([orphan.id]);
  });

  it("start() runs a round at once; myself: null is retried, never read as 'no pods'", async () => {
    const orphan = plantPod("sma-orphan-4");
    fake.inject({ kind: "myself-null" }, 2);
    const r = reconciler([runpod]);
    const report = await r.start();
    await r.stop();
    expect(report.terminated.map((c) => c.resourceId)).toEqual([orphan.id]);
  });
});
