/**
 * An ensemble predicts through the local prediction path: a real worker process loads the signed ensemble
 * from storage and writes the same labels the engine gives in-process.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalJobRunner } from "../../../src/cloud/local/job-runner.js";
import { LocalPredictionProvider } from "../../../src/cloud/local/prediction.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import { TEST_SIGNING_KEY } from "../../helpers/app.js";
import { fixturePath } from "../helpers/fixtures.js";
import { csvColumn, saveIrisEnsemble } from "./ensemble-model.js";

const USER = 91;
let dir: string;
let runner: LocalJobRunner;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-ensemble-local-"));
});
afterAll(async () => {
  await runner?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("ensemble on the local prediction path", () => {
  it("predicts in a worker process what the engine predicts in-process", async () => {
    const storage = new LocalStorageManager(dir);
    const owner = { userId: USER, modelId: "m-ensemble-1" };
    const { expected } = await saveIrisEnsemble(storage, owner, TEST_SIGNING_KEY);
    const local = join(dir, "upload-iris.csv");
    copyFileSync(fixturePath("iris.csv"), local);
    const dataUri = await storage.uploadDataset(USER, local, "iris.csv");
    runner = new LocalJobRunner({
      storage,
      maxConcurrent: 1,
      env: { ...process.env, DATA_DIR: dir, MODEL_SIGNING_KEY: TEST_SIGNING_KEY, LOG_LEVEL: "silent" },
      logDir: join(dir, "logs"),
      killGraceMs: 500,
    });
    const result = await new LocalPredictionProvider(runner).invokePrediction({
      jobId: "ensemble-predict-1",
      userId: USER,
      modelUri: storage.modelUri(USER, owner.modelId),
      dataUri,
      outputUri: storage.resultUri(USER, "ensemble-predict-1", "out.csv"),
      predictionColumnName: "y_hat",
    });
    expect(result).toMatchObject({ success: true, numPredictions: 150 });
    const csv = Buffer.from(await storage.readBytes(result.outputUri, { userId: USER })).toString("utf8");
    expect(csvColumn(csv, "y_hat")).toEqual(expected);
  }, 60_000);
});
