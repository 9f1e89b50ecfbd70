/**
 * The worker process itself, run locally against s3rver with the spec EC2 and RunPod pods receive (built by
 * the same trainSpecFrom): a model in S3 and a result on success, a failed result with the error's class on
 * bad input, and a result even when the deadline has passed. It is the exact command the worker image runs.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobChannel, trainSpecFrom } from "../../src/cloud/job-channel.js";
import type { TrainingLaunchConfig } from "../../src/cloud/provider-interface.js";
import { type AwsWorld, startAwsWorld, USER_ID } from "../cloud/aws/harness.js";
import { fixturePath, IRIS_FEATURES } from "../cloud/helpers/models.js";

const WORKER = fileURLToPath(new URL("../../src/worker/main.ts", import.meta.url));
let world: AwsWorld;
let channel: JobChannel;
let datasetUri: string;
let counter = 0;

beforeAll(async () => {
  world = await startAwsWorld();
  channel = new JobChannel(world.storage);
  datasetUri = await world.storage.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
});
afterAll(() => world.close());

function config(overrides: Partial<TrainingLaunchConfig> = {}): TrainingLaunchConfig {
  counter += 1;
  const jobId = `worker-job-${Date.now().toString(36)}-${counter}`;
  return {
    jobId,
    computeType: "m5.large",
    datasetUri,
    modelId: `m-${jobId}`,
    userId: USER_ID,
    modelType: "logistic",
    taskType: "classification",
    targetColumn: "species",
    featureColumns: IRIS_FEATURES,
    hyperparameters: {},
    deadline: new Date(Date.now() + 10 * 60_000).toISOString(),
    ...overrides,
  };
}

/** Runs the worker like the image does (spec URI in SMA_SPEC_URI); resolves with its exit code. */
function runWorker(specUri: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER], {
      env: { ...process.env, ...world.env, SMA_SPEC_URI: specUri },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.once("exit", (code) => resolve(code));
  });
}

describe("worker process (S3 on s3rver)", () => {
  it("trains from the spec, stores the signed model and reports success", async () => {
    const spec = await channel.writeSpecOnce(trainSpecFrom(config(), world.storage, "aws:m5.large"));
    expect(await runWorker(channel.uri(spec.jobId, "spec.json"))).toBe(0);
    const result = await channel.readResult(spec.jobId);
    expect(result).toMatchObject({
      status: "succeeded",
      outputUri: world.storage.modelUri(USER_ID, spec.modelId),
    });
    expect((await channel.readProgress(spec.jobId))?.state).toBe("succeeded");
    const logs = await channel.readLogs(spec.jobId);
    expect(logs[0]).toBe("training logistic on 4 features to predict species");
    expect(logs.at(-1)).toBe("job finished");
    const [model] = (await world.storage.listUserModels(USER_ID)).filter((m) => m.modelId === spec.modelId);
    expect(model).toMatchObject({
      modelType: "logistic",
      taskType: "classification",
      trainedOn: "aws:m5.large",
    });
  });

  it("writes a failed result naming the problem when the input is wrong", async () => {
    const spec = await channel.writeSpecOnce(
      trainSpecFrom(config({ featureColumns: ["no_such_column"] }), world.storage, "aws:m5.large"),
    );
    expect(await runWorker(channel.uri(spec.jobId, "spec.json"))).toBe(1);
    const result = await channel.readResult(spec.jobId);
    expect(result).toMatchObject({ status: "failed", error: { error_class: "DataError" } });
  });

  it("still writes a result when its deadline has already passed", async () => {
    const spec = await channel.writeSpecOnce(
      trainSpecFrom(
        config({ deadline: new Date(Date.now() - 1000).toISOString() }),
        world.storage,
        "aws:m5.large",
      ),
    );
    expect(await runWorker(channel.uri(spec.jobId, "spec.json"))).toBe(3);
    expect(await channel.readResult(spec.jobId)).toMatchObject({
      status: "failed",
      error: { message: "The job ran past its deadline and was stopped." },
    });
  });
});
