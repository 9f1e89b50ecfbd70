/**
 * EC2Manager with aws-sdk-client-mock and strict input checks (the library matches partially unless told,
 * STYLE 6.7): the RunInstances request (user data, shutdown behaviour, tags, client token, IMDSv2), the spot
 * request shape and the on-demand fallback sequence, the terminate waiter, monitoring from DescribeInstances
 * plus the job channel on s3rver, and the spot relaunch.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeInstancesCommand,
  DescribeSpotPriceHistoryCommand,
  EC2Client,
  EC2ServiceException,
  type Instance,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EC2Manager } from "../../../src/cloud/aws/compute.js";
import { Ec2OfferSource } from "../../../src/cloud/aws/offers.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import type { TrainingLaunchConfig } from "../../../src/cloud/provider-interface.js";
import { InstanceLaunchError, RetryLaterError } from "../../../src/errors.js";
import { fixturePath, IRIS_FEATURES, writeJobModel } from "../helpers/models.js";
import { type AwsWorld, BUCKET, SIGNING_KEY, startAwsWorld, USER_ID } from "./harness.js";

const ec2Mock = mockClient(EC2Client);
const NOW = new Date("2026-11-28T12:00:00.000Z");
let world: AwsWorld;
let counter = 0;

let home: LocalStorageManager;
let homeDir: string;
let datasetUri: string;

beforeAll(async () => {
  world = await startAwsWorld();
  homeDir = await mkdtemp(join(tmpdir(), "sma-ec2-home-"));
  home = new LocalStorageManager(homeDir);
  datasetUri = await home.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
});
afterAll(async () => {
  await world.close();
  await rm(homeDir, { recursive: true, force: true });
});
afterEach(() => ec2Mock.reset());

function awsError(name: string, message: string, fault: "client" | "server" = "client") {
  return new EC2ServiceException({ name, message, $fault: fault, $metadata: { httpStatusCode: 400 } });
}

function manager(options: { now?: () => Date; terminateTimeoutMs?: number; allowSpot?: boolean } = {}) {
  const ec2 = new EC2Client({ region: "us-east-1" });
  const now = options.now ?? (() => NOW);
  return new EC2Manager({
    ec2,
    storage: world.storage,
    offers: new Ec2OfferSource({ ec2, allowSpot: options.allowSpot ?? true, now }),
    settings: {
      region: "us-east-1",
      amiId: "ami-0123456789abcdef0",
      instanceProfile: "sma-worker-profile",
      securityGroupIds: ["sg-0a1b2c3d"],
      subnetId: "subnet-0a1b2c3d",
      workerImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sma-worker:1.0.0",
      bucket: BUCKET,
    },
    resolveStorage: (uri) => (uri.startsWith("file:") ? home : world.storage),
    homeStorage: home,
    signingKey: SIGNING_KEY,
    now,
    pollIntervalMs: 5,
    terminateTimeoutMs: options.terminateTimeoutMs ?? 2_000,
  });
}

function launchConfig(overrides: Partial<TrainingLaunchConfig> = {}): TrainingLaunchConfig {
  counter += 1;
  const jobId = overrides.jobId ?? `ec2-job-${Date.now().toString(36)}-${counter}`;
  return {
    jobId,
    computeType: "m5.large",
    datasetUri,
    modelId: `m-${jobId}`,
    userId: USER_ID,
    modelType: "random_forest",
    taskType: "classification",
    targetColumn: "species",
    featureColumns: IRIS_FEATURES,
    hyperparameters: {},
    deadline: new Date(NOW.getTime() + 60 * 60_000).toISOString(),
    estimatedMinutes: 10,
    ...overrides,
  };
}

function instance(id: string, jobId: string, state: string, extra: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    InstanceType: "m5.large",
    LaunchTime: NOW,
    State: { Name: state as never },
    Tags: [
      { Key: "jobId", Value: jobId },
      { Key: "hourlyRate", Value: "0.096" },
      { Key: "market", Value: "on-demand" },
    ],
    ...extra,
  };
}

const reservations = (...instances: Instance[]) => ({
  Reservations: instances.length ? [{ Instances: instances }] : [],
});

function expectedTags(jobId: string, rate: string, market: string) {
  return [
    { Key: "Name", Value: `sma-${jobId}` },
    { Key: "app", Value: "statistical-modeling-agent" },
    { Key: "userId", Value: String(USER_ID) },
    { Key: "jobId", Value: jobId },
    { Key: "hourlyRate", Value: rate },
    { Key: "market", Value: market },
    { Key: "deadline", Value: new Date(NOW.getTime() + 60 * 60_000).toISOString() },
  ];
}

describe("EC2Manager launch", () => {
  it("sends one strict RunInstances: user data, terminate on shutdown, tags, client token = job id", async () => {
    const config = launchConfig();
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations());
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [instance("i-0aaa", config.jobId, "pending")] });
    const job = await manager().launchTraining(config);
    expect(job).toMatchObject({
      jobId: config.jobId,
      resourceId: "i-0aaa",
      hourlyRate: 0.096,
      computeType: "m5.large",
    });
    expect(job.estimatedCost).toBeCloseTo(0.096 / 6, 9);

    const calls = ec2Mock.commandCalls(RunInstancesCommand);
    expect(calls).toHaveLength(1);
    const { UserData, ...input } = calls[0].args[0].input;
    const tags = expectedTags(config.jobId, "0.096", "on-demand");
    expect(input).toEqual({
      ImageId: "ami-0123456789abcdef0",
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      ClientToken: config.jobId,
      IamInstanceProfile: { Name: "sma-worker-profile" },
      InstanceInitiatedShutdownBehavior: "terminate",
      MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 2 },
      TagSpecifications: [
        { ResourceType: "instance", Tags: tags },
        { ResourceType: "volume", Tags: tags },
      ],
      SecurityGroupIds: ["sg-0a1b2c3d"],
      SubnetId: "subnet-0a1b2c3d",
    });
    const script = Buffer.from(UserData as string, "base64").toString("utf8");
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("trap finish EXIT");
    expect(script).toMatch(/finish\(\) \{[\s\S]*shutdown -h now[\s\S]*\}/);
    expect(script).toContain("shutdown -h +65"); // the deadline (60 min) plus 5 minutes: the backstop
    expect(script).toContain(`-e SMA_SPEC_URI='s3://${BUCKET}/jobs/${config.jobId}/spec.json'`);
    expect(script).toContain("aws ecr get-login-password");
    expect(script).toContain('docker pull "$IMAGE"');
    // Nothing secret: S3 through the instance profile, the model signed with the job's key from the spec.
    expect(script).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|S3RVER|MODEL_SIGNING_KEY|ssm/);
    expect(script).not.toContain(SIGNING_KEY);

    // The spec the worker will read is in S3, with the job's deadline.
    const spec = JSON.parse(
      Buffer.from(await world.storage.readBytes(world.storage.jobUri(config.jobId, "spec.json"))).toString(),
    );
    expect(spec).toMatchObject({
      kind: "train",
      jobId: config.jobId,
      deadline: config.deadline,
      trainedOn: "aws:m5.large",
      datasetUri: world.storage.jobUri(config.jobId, "input.csv"),
      outputUri: `${world.storage.jobUri(config.jobId, "model")}/`,
      jobKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await world.storage.exists(spec.datasetUri)).toBe(true);
  });

  it("asks for spot with the exact market options, and falls back to on-demand on capacity errors", async () => {
    const config = launchConfig({ spot: true });
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations());
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
      SpotPriceHistory: [
        { InstanceType: "m5.large", AvailabilityZone: "us-east-1a", SpotPrice: "0.0410" },
        { InstanceType: "m5.large", AvailabilityZone: "us-east-1b", SpotPrice: "0.0380" },
      ],
    });
    ec2Mock
      .on(RunInstancesCommand)
      .rejectsOnce(
        awsError(
          "InsufficientInstanceCapacity",
          "There is no Spot capacity available that matches your request.",
        ),
      )
      .resolves({ Instances: [instance("i-0bbb", config.jobId, "pending")] });
    const job = await manager().launchTraining(config);
    const [spot, onDemand] = ec2Mock.commandCalls(RunInstancesCommand).map((c) => c.args[0].input);
    expect(spot.InstanceMarketOptions).toEqual({
      MarketType: "spot",
      SpotOptions: {
        SpotInstanceType: "one-time",
        InstanceInterruptionBehavior: "terminate",
        MaxPrice: "0.0960",
      },
    });
    expect(spot.TagSpecifications?.[0].Tags).toEqual(expectedTags(config.jobId, "0.038", "spot"));
    expect(onDemand.InstanceMarketOptions).toBeUndefined();
    expect(onDemand.TagSpecifications?.[0].Tags).toEqual(expectedTags(config.jobId, "0.096", "on-demand"));
    expect([spot.ClientToken, onDemand.ClientToken]).toEqual([config.jobId, config.jobId]);
    expect(ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)[0].args[0].input).toEqual({
      InstanceTypes: [
        "c5.large",
        "m5.large",
        "r5.large",
        "c5.xlarge",
        "m5.xlarge",
        "r5.xlarge",
        "r5.2xlarge",
        "g4dn.xlarge",
      ],
      ProductDescriptions: ["Linux/UNIX"],
      StartTime: NOW,
    });
    expect(job).toMatchObject({ resourceId: "i-0bbb", hourlyRate: 0.096 });
  });

  it("an on-demand capacity error is InstanceLaunchError 3002 carrying AWS's code and reason", async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations());
    ec2Mock
      .on(RunInstancesCommand)
      .rejects(
        awsError("InsufficientInstanceCapacity", "We currently do not have sufficient m5.large capacity."),
      );
    const error = await manager()
      .launchTraining(launchConfig())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstanceLaunchError);
    expect((error as InstanceLaunchError).code).toBe(3002);
    expect((error as Error).message).toBe(
      "AWS has no capacity for m5.large (on-demand) in us-east-1 right now (InsufficientInstanceCapacity).",
    );
    expect((error as InstanceLaunchError).details).toMatchObject({
      awsCode: "InsufficientInstanceCapacity",
      reason: "We currently do not have sufficient m5.large capacity.",
    });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1); // no spot attempt was asked for
  });

  it("is idempotent: a second launch of the same job finds its instance instead of creating one", async () => {
    const config = launchConfig();
    ec2Mock.on(DescribeInstancesCommand).resolvesOnce(reservations());
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [instance("i-0ccc", config.jobId, "pending")] });
    const m = manager();
    await m.launchTraining(config);
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations(instance("i-0ccc", config.jobId, "running")));
    const again = await m.launchTraining(config);
    expect(again.resourceId).toBe("i-0ccc");
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0].args[0].input).toEqual({
      Filters: [
        { Name: "tag:app", Values: ["statistical-modeling-agent"] },
        { Name: "tag:jobId", Values: [config.jobId] },
        {
          Name: "instance-state-name",
          Values: ["pending", "running", "shutting-down", "stopping", "stopped", "terminated"],
        },
      ],
    });
  });
});

describe("EC2Manager monitor and terminate", () => {
  async function launched(config = launchConfig(), id = "i-0ddd") {
    ec2Mock.on(DescribeInstancesCommand).resolvesOnce(reservations());
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [instance(id, config.jobId, "pending")] });
    return { config, id };
  }

  it("reports the worker's progress, then completion, with cost = runtime × the launch rate", async () => {
    const { config, id } = await launched();
    let now = NOW;
    const m = manager({ now: () => now });
    await m.launchTraining(config);
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations(instance(id, config.jobId, "running")));
    const progress = {
      state: "running",
      phase: "fitting",
      percent: 40,
      message: "Fitting",
      updatedAt: NOW.toISOString(),
    };
    await world.storage.writeBytes(
      world.storage.jobUri(config.jobId, "progress.json"),
      JSON.stringify(progress),
    );
    now = new Date(NOW.getTime() + 30 * 60_000);
    const running = await m.monitorTraining(config.jobId);
    expect(running).toMatchObject({
      status: "running",
      progress: 40,
      message: "Fitting",
      runtimeSeconds: 1800,
    });
    expect(running.costSoFar).toBeCloseTo(0.096 / 2, 9);

    const workerOutput = await writeJobModel(world.storage, config, SIGNING_KEY);
    const result = {
      status: "succeeded",
      finishedAt: now.toISOString(),
      runtimeSeconds: 1700,
      outputUri: workerOutput,
      summary: { metrics: { accuracy: 0.95 } },
    };
    await world.storage.writeBytes(world.storage.jobUri(config.jobId, "result.json"), JSON.stringify(result));
    ec2Mock.on(DescribeInstancesCommand).resolves(
      reservations(
        instance(id, config.jobId, "terminated", {
          StateTransitionReason: "User initiated (2026-11-28 12:40:00 GMT)",
        }),
      ),
    );
    now = new Date(NOW.getTime() + 60 * 60_000);
    const done = await m.monitorTraining(config.jobId);
    // The model was checked against the job's key and stored at home, under the user's prefix.
    expect(done).toMatchObject({
      status: "complete",
      progress: 100,
      outputUri: home.modelUri(USER_ID, config.modelId),
      runtimeSeconds: 2400,
    });
    expect((await home.listUserModels(USER_ID)).map((model) => model.modelId)).toContain(config.modelId);
    expect(done.costSoFar).toBeCloseTo((0.096 * 40) / 60, 9); // billing stopped when the instance went away
  });

  it("an instance that ended without a result is a failure that says so", async () => {
    const { config, id } = await launched();
    const m = manager();
    await m.launchTraining(config);
    ec2Mock.on(DescribeInstancesCommand).resolves(
      reservations(
        instance(id, config.jobId, "terminated", {
          StateReason: {
            Code: "Server.InternalError",
            Message: "Server.InternalError: Internal error on launch",
          },
        }),
      ),
    );
    // What the user-data trap uploaded before the power-off: a bad AMI shows itself here.
    const bootLog = [
      "Cloud-init v. 22.2.2 running",
      "docker: command not found",
      "cannot pull sma-worker:1.0.0",
    ];
    await world.storage.writeBytes(world.storage.jobUri(config.jobId, "instance.log"), bootLog.join("\n"));
    const status = await m.monitorTraining(config.jobId);
    expect(status).toMatchObject({ status: "failed", error: { error_code: 3002 } });
    expect(status.error?.message).toBe(
      "The instance stopped without a result (Server.InternalError: Internal error on launch).",
    );
    expect(status.diagnostics).toEqual(bootLog);
  });

  it("relaunches on-demand after a spot interruption, with a new client token", async () => {
    const config = launchConfig({ spot: true });
    ec2Mock
      .on(DescribeSpotPriceHistoryCommand)
      .resolves({ SpotPriceHistory: [{ InstanceType: "m5.large", SpotPrice: "0.04" }] });
    ec2Mock.on(DescribeInstancesCommand).resolvesOnce(reservations());
    ec2Mock
      .on(RunInstancesCommand)
      .resolvesOnce({ Instances: [instance("i-0spot", config.jobId, "pending")] });
    const m = manager();
    await m.launchTraining(config);
    const interrupted = instance("i-0spot", config.jobId, "terminated", {
      StateReason: {
        Code: "Server.SpotInstanceTermination",
        Message: "Server.SpotInstanceTermination: Spot instance termination",
      },
    });
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations(interrupted));
    ec2Mock
      .on(RunInstancesCommand)
      .resolves({ Instances: [instance("i-0ondemand", config.jobId, "pending")] });
    const status = await m.monitorTraining(config.jobId);
    expect(status).toMatchObject({
      status: "launching",
      message: "AWS reclaimed the spot instance; restarting on-demand (1)",
    });
    const relaunch = ec2Mock.commandCalls(RunInstancesCommand)[1].args[0].input;
    expect(relaunch.ClientToken).toBe(`${config.jobId}-r1`);
    expect(relaunch.InstanceMarketOptions).toBeUndefined();
    // A second look, before AWS lists the new instance, must not relaunch again.
    await m.monitorTraining(config.jobId);
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(2);
  });

  it("terminate waits until AWS reports shutting-down, and records a cancelled result", async () => {
    const { config, id } = await launched();
    const m = manager();
    await m.launchTraining(config);
    // The job's own listing (by tag) still shows it running when terminate starts.
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations(instance(id, config.jobId, "running")));
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: [id] }, true)
      .resolvesOnce(reservations(instance(id, config.jobId, "running")))
      .resolves(reservations(instance(id, config.jobId, "shutting-down")));
    ec2Mock.on(TerminateInstancesCommand, { InstanceIds: [id] }, true).resolves({});
    expect(await m.terminateTraining(config.jobId)).toBe(config.jobId);
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(1);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand, { InstanceIds: [id] }, true)).toHaveLength(2);
    const result = JSON.parse(
      Buffer.from(
        await world.storage.readBytes(world.storage.jobUri(config.jobId, "result.json")),
      ).toString(),
    );
    expect(result).toMatchObject({ status: "cancelled" });
  });

  it("terminate treats 'not found' as done, and says RetryLater when AWS never confirms", async () => {
    const m = manager({ terminateTimeoutMs: 30 });
    ec2Mock
      .on(TerminateInstancesCommand)
      .rejects(awsError("InvalidInstanceID.NotFound", "The instance ID 'i-0gone' does not exist"));
    await expect(m.terminateResource("i-0gone")).resolves.toBeUndefined();
    ec2Mock.reset();
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves(reservations(instance("i-0stuck", "x", "running")));
    await expect(m.terminateResource("i-0stuck")).rejects.toThrow(RetryLaterError);
  });

  it("getInstanceLogs returns the worker's log lines and the instance's boot log", async () => {
    const { config, id } = await launched();
    const m = manager();
    await m.launchTraining(config);
    const line = (message: string) => JSON.stringify({ at: NOW.toISOString(), level: "info", message });
    await world.storage.writeBytes(
      world.storage.jobUri(config.jobId, "log.jsonl"),
      `${line("read 150 rows")}\n${line("fitted")}\n`,
    );
    await world.storage.writeBytes(world.storage.jobUri(config.jobId, "instance.log"), "cannot pull image\n");
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: [id] }, true)
      .resolves(reservations(instance(id, config.jobId, "running")));
    expect(await m.getInstanceLogs(id)).toBe(
      "read 150 rows\nfitted\n--- instance log ---\ncannot pull image\n",
    );
  });
});
