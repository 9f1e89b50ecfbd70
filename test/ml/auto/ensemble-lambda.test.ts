/**
 * An ensemble predicts through the AWS Lambda entry point (src/worker/lambda.ts `handler`, called directly
 * with a deployed function's environment and s3rver as the bucket), with its blended probabilities.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../../src/worker/lambda.js";
import { type AwsWorld, SIGNING_KEY, startAwsWorld, USER_ID } from "../../cloud/aws/harness.js";
import { fixturePath } from "../helpers/fixtures.js";
import { csvColumn, saveIrisEnsemble } from "./ensemble-model.js";

let world: AwsWorld;
beforeAll(async () => {
  world = await startAwsWorld();
  Object.assign(process.env, world.env); // what the function's configuration holds
});
afterAll(() => world.close());

describe("ensemble on AWS Lambda", () => {
  it("predicts labels and probabilities in the handler as the engine does in-process", async () => {
    const owner = { userId: USER_ID, modelId: "m-ensemble-lambda" };
    const { expected } = await saveIrisEnsemble(world.storage, owner, SIGNING_KEY);
    const dataUri = await world.storage.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
    const jobId = `ensemble-lambda-${Date.now().toString(36)}`;
    const outputUri = world.storage.resultUri(USER_ID, jobId, "predictions.csv");
    const response = await handler(
      {
        kind: "predict",
        jobId,
        userId: USER_ID,
        modelUri: world.storage.modelUri(USER_ID, owner.modelId),
        dataUri,
        outputUri,
        predictionColumn: "predicted_species",
        probabilities: true,
        deadline: new Date(Date.now() + 15 * 60_000).toISOString(),
        createdAt: new Date().toISOString(),
      },
      { getRemainingTimeInMillis: () => 900_000 },
    );
    expect(response).toMatchObject({ status: "succeeded", numPredictions: 150 });
    const csv = Buffer.from(await world.storage.readBytes(outputUri)).toString("utf8");
    expect(csvColumn(csv, "predicted_species")).toEqual(expected);
    const p = ["setosa", "versicolor", "virginica"].map((c) =>
      csvColumn(csv, `predicted_species_p_${c}`).map(Number),
    );
    for (let i = 0; i < 150; i++) expect(p[0][i] + p[1][i] + p[2][i]).toBeCloseTo(1, 9);
  }, 60_000);
});
