/**
 * The Lambda entry point (src/worker/lambda.ts `handler`) with the environment a deployed function has
 * (S3_BUCKET, MODEL_SIGNING_KEY): predictions and result.json in S3, a clear failure for a bad event, and a
 * LambdaTimeoutError result written before Lambda would stop the function.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobChannel } from "../../src/cloud/job-channel.js";
import type { PredictJobSpec } from "../../src/cloud/job-spec.js";
import { handler } from "../../src/worker/lambda.js";
import { type AwsWorld, SIGNING_KEY, startAwsWorld, USER_ID } from "../cloud/aws/harness.js";
import { fixturePath, saveIrisModel } from "../cloud/helpers/models.js";

let world: AwsWorld;
let channel: JobChannel;
let modelUri: string;
let dataUri: string;
let counter = 0;

beforeAll(async () => {
  world = await startAwsWorld();
  Object.assign(process.env, world.env); // what the function's configuration holds
  channel = new JobChannel(world.storage);
  modelUri = await saveIrisModel(world.storage, USER_ID, "m-iris-handler", SIGNING_KEY);
  dataUri = await world.storage.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
});
afterAll(() => world.close());

function event(overrides: Partial<PredictJobSpec> = {}): PredictJobSpec {
  counter += 1;
  const jobId = `handler-job-${Date.now().toString(36)}-${counter}`;
  return {
    kind: "predict",
    jobId,
    userId: USER_ID,
    modelUri,
    dataUri,
    outputUri: world.storage.resultUri(USER_ID, jobId, "predictions.csv"),
    predictionColumn: "predicted_species",
    probabilities: true,
    deadline: new Date(Date.now() + 15 * 60_000).toISOString(),
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });

describe("Lambda handler", () => {
  it("predicts, writes the CSV and result.json to S3, and returns counts and a summary", async () => {
    const e = event();
    const response = await handler(e, context(900_000));
    expect(response).toMatchObject({
      status: "succeeded",
      jobId: e.jobId,
      outputUri: e.outputUri,
      numPredictions: 150,
    });
    const csv = Buffer.from(await world.storage.readBytes(e.outputUri)).toString("utf8");
    const header = csv.split("\n")[0].split(",");
    expect(header).toContain("predicted_species");
    expect(header).toContain("predicted_species_p_setosa");
    expect(await channel.readResult(e.jobId)).toMatchObject({
      status: "succeeded",
      summary: { numPredictions: 150 },
    });
  });

  it("answers a malformed event with a failure that names the bad fields", async () => {
    const response = await handler({ kind: "predict", jobId: "bad-event-1" }, context(900_000));
    expect(response.status).toBe("failed");
    if (response.status === "failed") {
      expect(response.error.error_class).toBe("CloudPredictionError");
      expect(response.error.message).toMatch(/modelUri/);
    }
  });

  it("records LambdaTimeoutError before the function's time is up", async () => {
    const e = event();
    const response = await handler(e, context(3_000)); // 3 s left, minus the 3 s margin: none
    expect(response).toMatchObject({
      status: "failed",
      error: { error_class: "LambdaTimeoutError", error_code: 4001 },
    });
    expect(await channel.readResult(e.jobId)).toMatchObject({
      status: "failed",
      error: { error_code: 4001 },
    });
  });
});
