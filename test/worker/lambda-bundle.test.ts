/**
 * The deployable Lambda artifact (scripts/build-lambda.ts): a zip with index.mjs at its root whose `handler`,
 * loaded from the unzipped bundle alone, predicts against S3 (s3rver) and keeps the error classes' names.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLambda } from "../../scripts/build-lambda.js";
import { type AwsWorld, SIGNING_KEY, startAwsWorld, USER_ID } from "../cloud/aws/harness.js";
import { fixturePath, saveIrisModel } from "../cloud/helpers/models.js";

let world: AwsWorld;
let dir: string;

beforeAll(async () => {
  world = await startAwsWorld();
  Object.assign(process.env, world.env);
  dir = await mkdtemp(join(tmpdir(), "sma-lambda-build-"));
});
afterAll(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

describe("build:lambda", () => {
  it("zips one ES module whose handler predicts from S3", async () => {
    const built = await buildLambda(join(dir, "out"));
    const files = unzipSync(new Uint8Array(await readFile(built.zipPath)));
    expect(Object.keys(files)).toEqual(["index.mjs"]);
    const deployed = join(dir, "deployed.mjs");
    await writeFile(deployed, files["index.mjs"]);
    const { handler } = (await import(pathToFileURL(deployed).href)) as {
      handler: (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
    };

    const modelUri = await saveIrisModel(world.storage, USER_ID, "m-bundle", SIGNING_KEY);
    const dataUri = await world.storage.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
    const event = {
      kind: "predict",
      jobId: "bundle-job-1",
      userId: USER_ID,
      modelUri,
      dataUri,
      outputUri: world.storage.resultUri(USER_ID, "bundle-job-1", "predictions.csv"),
      deadline: new Date(Date.now() + 60_000).toISOString(),
      createdAt: new Date().toISOString(),
    };
    const response = await handler(event, { getRemainingTimeInMillis: () => 60_000 });
    expect(response).toMatchObject({ status: "succeeded", numPredictions: 150 });
    const bad = await handler({ kind: "predict" }, { getRemainingTimeInMillis: () => 60_000 });
    expect(bad).toMatchObject({
      status: "failed",
      error: { error_class: "CloudPredictionError", error_code: 4000 },
    });
  });
});
