/**
 * Local compute through the provider interfaces: real worker processes, talking back through storage on disk.
 */
import { copyFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalTrainingProvider } from "../../../src/cloud/local/compute.js";
import { LocalJobRunner } from "../../../src/cloud/local/job-runner.js";
import { LocalPredictionProvider } from "../../../src/cloud/local/prediction.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import type { TrainingLaunchConfig, TrainingStatus } from "../../../src/cloud/provider-interface.js";
import { ModelIntegrityError } from "../../../src/errors.js";
import { TEST_SIGNING_KEY } from "../../helpers/app.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures");
const USER = 77;

let dir: string;
let storage: LocalStorageManager;
let runner: LocalJobRunner;

function makeRunner(maxConcurrent: number) {
  return new LocalJobRunner({
    storage,
    maxConcurrent,
    env: { ...process.env, DATA_DIR: dir, MODEL_SIGNING_KEY: TEST_SIGNING_KEY, LOG_LEVEL: "silent" },
    logDir: join(dir, "logs"),
    killGraceMs: 500,
  });
}

async function upload(name: string): Promise<string> {
  const local = join(dir, `upload-${name}`);
  copyFileSync(join(FIXTURES, name), local);
  return storage.uploadDataset(USER, local, name);
}

function config(
  jobId: string,
  datasetUri: string,
  overrides: Partial<TrainingLaunchConfig> = {},
): TrainingLaunchConfig {
  return {
    jobId,
    computeType: "local",
    datasetUri,
    modelId: `m-${jobId}`,
    userId: USER,
    modelType: "linear",
    taskType: "regression",
    targetColumn: "progression",
    featureColumns: ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
    hyperparameters: {},
    deadline: new Date(Date.now() + 120_000).toISOString(),
    ...overrides,
  };
}

/** A training that runs for many seconds: a deep MLP without early stopping. */
function slowMlp(jobId: string, datasetUri: string, overrides: Partial<TrainingLaunchConfig> = {}) {
  return config(jobId, datasetUri, {
    modelType: "mlp",
    taskType: "classification",
    targetColumn: "diagnosis",
    featureColumns: ["mean radius", "mean texture", "mean perimeter", "mean area"],
    hyperparameters: {
      maxIter: 10000,
      earlyStopping: false,
      tol: 0,
      nIterNoChange: 1000,
      hiddenLayerSizes: [128, 64, 32],
    },
    ...overrides,
  });
}

async function until(provider: LocalTrainingProvider, jobId: string, done: (s: TrainingStatus) => boolean) {
  for (let i = 0; i < 600; i++) {
    const status = await provider.monitorTraining(jobId);
    if (done(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} never got there`);
}

const ended = (s: TrainingStatus) => ["complete", "failed", "cancelled"].includes(s.status);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-local-"));
  storage = new LocalStorageManager(dir);
});

afterEach(async () => {
  await runner?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("local compute", () => {
  it("trains on diabetes in a worker process and predicts with the model it saved", async () => {
    runner = makeRunner(1);
    const training = new LocalTrainingProvider(runner, storage);
    expect(await training.selectComputeType(1, "linear")).toBe("local");
    const datasetUri = await upload("diabetes.csv");
    const job = await training.launchTraining(config("local-train-1", datasetUri));
    expect(job).toMatchObject({
      jobId: "local-train-1",
      computeType: "local",
      hourlyRate: 0,
      estimatedCost: 0,
    });
    const status = await until(training, "local-train-1", ended);
    expect(status.status).toBe("complete");
    const metrics = status.summary?.metrics as { r2: number } | undefined;
    expect(metrics?.r2).toBeGreaterThan(0.35);
    expect(status.logs.join("\n")).toMatch(/read 442 rows/);
    expect((await storage.listUserModels(USER)).map((m) => m.modelId)).toEqual(["m-local-train-1"]);

    // The same launch again (a restored workflow) finds the job instead of starting another.
    const again = await training.launchTraining(config("local-train-1", datasetUri));
    expect(again.status).toBe("complete");

    const prediction = new LocalPredictionProvider(makeRunner(1));
    const dataUri = await upload("diabetes.csv");
    const result = await prediction.invokePrediction({
      jobId: "local-predict-1",
      userId: USER,
      modelUri: storage.modelUri(USER, "m-local-train-1"),
      dataUri,
      outputUri: storage.resultUri(USER, "local-predict-1", "out.csv"),
      predictionColumnName: "y_hat",
    });
    expect(result).toMatchObject({ success: true, numPredictions: 442, cost: 0 });
    const csv = Buffer.from(await storage.readBytes(result.outputUri, { userId: USER })).toString("utf8");
    const lines = csv.trim().split(/\r?\n/);
    // The model has a training profile, so a column flags rows outside its training domain.
    expect(lines[0]).toMatch(/,progression,y_hat,outside_training_domain$/);
    expect(lines).toHaveLength(443);

    // The signed model copied under another user's prefix, or under another model id, is refused on load.
    const source = storage.pathFor(storage.modelUri(USER, "m-local-train-1").slice(0, -1));
    const copies = [
      { userId: USER + 1, modelId: "m-local-train-1" },
      { userId: USER, modelId: "m-local-copied-1" },
    ];
    for (const [index, copy] of copies.entries()) {
      cpSync(source, join(dir, "models", `user_${copy.userId}`, copy.modelId), { recursive: true });
      const copiedData = await storage.uploadDataset(copy.userId, join(FIXTURES, "diabetes.csv"), "d.csv");
      const refused = await prediction
        .invokePrediction({
          jobId: `local-copied-${index}`,
          userId: copy.userId,
          modelUri: storage.modelUri(copy.userId, copy.modelId),
          dataUri: copiedData,
          outputUri: storage.resultUri(copy.userId, `local-copied-${index}`, "out.csv"),
        })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ModelIntegrityError);
      expect((refused as Error).message).toMatch(/signed for another user or another model id/);
    }
  });

  it("runs queued jobs one at a time, in order, and reports queue positions", async () => {
    runner = makeRunner(1);
    const training = new LocalTrainingProvider(runner, storage);
    const datasetUri = await upload("diabetes.csv");
    const ids = ["queue-aaaa-1", "queue-aaaa-2", "queue-aaaa-3"];
    for (const id of ids) await training.launchTraining(config(id, datasetUri));
    expect((await training.monitorTraining(ids[2])).queuePosition).toBe(2);
    const finishedAt: Record<string, number> = {};
    for (const id of ids) {
      const status = await until(training, id, ended);
      expect(status.status).toBe("complete");
      finishedAt[id] = Date.now();
    }
    const results = await Promise.all(
      ids.map(async (id) =>
        JSON.parse(Buffer.from(await storage.readBytes(storage.jobUri(id, "result.json"))).toString()),
      ),
    );
    const times = results.map((r) => Date.parse(r.finishedAt));
    expect(times[0]).toBeLessThanOrEqual(times[1]);
    expect(times[1]).toBeLessThanOrEqual(times[2]);
  });

  it("kills a job past its deadline and reports it", async () => {
    runner = makeRunner(1);
    const training = new LocalTrainingProvider(runner, storage);
    const datasetUri = await upload("breast_cancer.csv");
    await training.launchTraining(
      slowMlp("deadline-aaaa-1", datasetUri, { deadline: new Date(Date.now() + 1500).toISOString() }),
    );
    const status = await until(training, "deadline-aaaa-1", ended);
    expect(status.status).toBe("failed");
    expect(status.error?.message).toMatch(/deadline/);
  });

  it("cancels a running job, with progress readable while it runs", async () => {
    runner = makeRunner(1);
    const training = new LocalTrainingProvider(runner, storage);
    const datasetUri = await upload("breast_cancer.csv");
    await training.launchTraining(slowMlp("cancel-aaaa-1", datasetUri));
    const running = await until(training, "cancel-aaaa-1", (s) => s.status === "running" || ended(s));
    expect(running.status).toBe("running");
    expect(running.progress).toBeGreaterThan(0);
    expect(await training.terminateTraining("cancel-aaaa-1")).toBe("cancel-aaaa-1");
    const status = await until(training, "cancel-aaaa-1", ended);
    expect(status.status).toBe("cancelled");
    // Terminating again (or an unknown job) is fine: "not found" means done.
    expect(await training.terminateTraining("cancel-aaaa-1")).toBe("cancel-aaaa-1");
  });

  it("reports a job whose worker died without a result as failed", async () => {
    runner = makeRunner(1);
    const training = new LocalTrainingProvider(runner, storage);
    await training.launchTraining(
      config("broken-aaaa-1", "file:///nonexistent/datasets/user_77/nothing.csv"),
    );
    const status = await until(training, "broken-aaaa-1", ended);
    expect(status.status).toBe("failed");
    expect(status.error?.error_class).toBeDefined();
  });
});
