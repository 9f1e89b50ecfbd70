/**
 * The fleet on real Redis, in this process: a BullMQ queue (fleet/queue.ts) and two workers (fleet/worker.ts)
 * running real worker processes on one DATA_DIR, through the same providers the bot uses.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { en } from "../../../src/bot/i18n/en.js";
import { pt } from "../../../src/bot/i18n/pt.js";
import { MetricsRegistry, registerQueueMetrics } from "../../../src/bot/metrics.js";
import { FleetQueue } from "../../../src/cloud/fleet/queue.js";
import { fleetSummary, fleetView } from "../../../src/cloud/fleet/status.js";
import { FleetWorker, type LaneSettings } from "../../../src/cloud/fleet/worker.js";
import { LocalTrainingProvider } from "../../../src/cloud/local/compute.js";
import { LocalIngest, sandboxEnv } from "../../../src/cloud/local/ingest.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import type { TrainingLaunchConfig, TrainingStatus } from "../../../src/cloud/provider-interface.js";
import { createLogger } from "../../../src/logger.js";
import { TEST_SIGNING_KEY } from "../../helpers/app.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../../helpers/redis.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures");
const USER = 88;

/** What the workers logged, as parsed JSON lines, and a way to wait for one. */
class Events {
  readonly lines: Record<string, unknown>[] = [];
  private readonly waiters = new Set<() => void>();
  readonly stream = new Writable({
    write: (chunk, _enc, done) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) this.lines.push(JSON.parse(line));
      for (const wake of this.waiters) wake();
      done();
    },
  });

  find(match: (line: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    return this.lines.find(match);
  }

  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs = 60_000) {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = this.find(match);
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error("no such event"));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

let dir: string;
let prefix: string;
let storage: LocalStorageManager;
let queue: FleetQueue;
let workers: FleetWorker[];
let events: Events;

function startWorker(id: string, options: { compute?: number; userMaxRunning?: number } = {}) {
  const env = { ...process.env, DATA_DIR: dir, MODEL_SIGNING_KEY: TEST_SIGNING_KEY, LOG_LEVEL: "silent" };
  const lanes: Record<"compute" | "sandbox", LaneSettings> = {
    compute: { concurrency: options.compute ?? 1, process: { env } },
    sandbox: {
      concurrency: 1,
      process: { env: sandboxEnv(dir), nodeArgs: ["--max-old-space-size=256"] },
      maxRunMs: 60_000,
    },
  };
  const worker = new FleetWorker({
    id,
    redisUrl: REDIS_TEST_URL,
    redisPrefix: prefix,
    storage,
    lanes,
    userMaxRunning: options.userMaxRunning ?? 2,
    logDir: join(dir, "logs"),
    logger: createLogger("info", events.stream),
    lockDurationMs: 4000,
  });
  workers.push(worker);
  return worker.start();
}

async function upload(name: string): Promise<string> {
  const local = join(dir, `upload-${name}`);
  copyFileSync(join(FIXTURES, name), local);
  return storage.uploadDataset(USER, local, name);
}

function linear(jobId: string, datasetUri: string): TrainingLaunchConfig {
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
  };
}

/** A training that runs for many seconds: a deep MLP without early stopping. */
function slowMlp(jobId: string, datasetUri: string, userId = USER): TrainingLaunchConfig {
  return {
    ...linear(jobId, datasetUri),
    userId,
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
  };
}

async function until(provider: LocalTrainingProvider, jobId: string, done: (s: TrainingStatus) => boolean) {
  for (let i = 0; i < 1200; i++) {
    const status = await provider.monitorTraining(jobId);
    if (done(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} never got there`);
}

const ended = (s: TrainingStatus) => ["complete", "failed", "cancelled"].includes(s.status);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-fleet-"));
  prefix = testPrefix("fleet");
  storage = new LocalStorageManager(dir);
  queue = new FleetQueue({ redisUrl: REDIS_TEST_URL, redisPrefix: prefix, storage });
  workers = [];
  events = new Events();
});

afterEach(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await queue.close();
  await deletePrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe("the fleet queue", () => {
  it("trains through BullMQ on a worker, with live progress and one result", async () => {
    await startWorker("w1");
    const training = new LocalTrainingProvider(queue, storage);
    const datasetUri = await upload("diabetes.csv");
    await training.launchTraining(linear("fleet-train-1", datasetUri));
    const status = await until(training, "fleet-train-1", ended);
    expect(status.status).toBe("complete");
    expect((status.summary?.metrics as { r2: number } | undefined)?.r2).toBeGreaterThan(0.35);
    expect((await storage.listUserModels(USER)).map((m) => m.modelId)).toEqual(["m-fleet-train-1"]);
    expect(events.lines.filter((l) => l.event === "job-started" && l.jobId === "fleet-train-1")).toHaveLength(
      1,
    );
    // Submitted again (a restored workflow): found, not run again.
    expect((await training.launchTraining(linear("fleet-train-1", datasetUri))).status).toBe("complete");
    expect(events.lines.filter((l) => l.event === "job-started")).toHaveLength(1);

    // What the picker, /admin and /metrics show of it.
    const idle = fleetView(await fleetSummary(queue));
    expect(en.location.workers(idle.online, idle.busy, idle.waitMinutes)).toBe(
      "Workers · 1 online, 0 busy · no wait",
    );
    expect(pt.location.workers(idle.online, idle.busy, idle.waitMinutes)).toBe(
      "Workers · 1 on-line, 0 ocupados · sem espera",
    );
    expect((await queue.workers()).map((w) => w.id)).toEqual(["w1"]);
    const registry = new MetricsRegistry();
    registerQueueMetrics(registry, queue);
    const text = await registry.expose();
    expect(text).toMatch(/^sma_queue_jobs\{queue="compute",state="completed"\} 1$/m);
    expect(text).toMatch(/^sma_queue_job_duration_seconds_count\{queue="compute"\} 1$/m);
    expect(text).toMatch(/^# TYPE sma_queue_job_duration_seconds histogram$/m);
  }, 180_000);

  it("stops a running job within 2 s of /cancel, as the worker reports it, and frees the slot", async () => {
    await startWorker("w1", { compute: 1 });
    const training = new LocalTrainingProvider(queue, storage);
    const datasetUri = await upload("breast_cancer.csv");
    await training.launchTraining(slowMlp("fleet-slow-1", datasetUri));
    await training.launchTraining(linear("fleet-next-1", await upload("diabetes.csv")));
    const queued = await until(training, "fleet-next-1", (s) => s.status === "queued");
    expect(queued.queuePosition).toBe(1);
    const busy = fleetView(await fleetSummary(queue));
    expect(en.location.workers(busy.online, busy.busy, busy.waitMinutes)).toMatch(
      /^Workers · 1 online, 1 busy · about \d+ min wait$/,
    );
    expect((await queue.failedJobs()).length).toBe(0);
    await until(training, "fleet-slow-1", (s) => s.status === "running" && s.progress > 1);
    await training.terminateTraining("fleet-slow-1");
    const stopped = await events.waitFor((l) => l.event === "job-cancelled" && l.jobId === "fleet-slow-1");
    expect(Number(stopped.stoppedAt) - Number(stopped.requestedAt)).toBeLessThan(2000);
    expect((await until(training, "fleet-slow-1", ended)).status).toBe("cancelled");
    // The one slot is free again: the job behind it runs.
    expect((await until(training, "fleet-next-1", ended)).status).toBe("complete");
    const failed = await queue.failedJobs();
    expect(failed.map((f) => [f.jobId, f.reason])).toEqual([
      ["fleet-slow-1", expect.stringMatching(/^cancelled: /)],
    ]);
  }, 180_000);

  it("holds a user's second job while their first runs, and reads an upload while every compute slot is busy", async () => {
    await startWorker("w1", { compute: 2, userMaxRunning: 1 });
    const training = new LocalTrainingProvider(queue, storage);
    const datasetUri = await upload("breast_cancer.csv");
    await training.launchTraining(slowMlp("fleet-user-a", datasetUri));
    await until(training, "fleet-user-a", (s) => s.status === "running");
    await training.launchTraining(slowMlp("fleet-user-b", datasetUri));
    // A free compute slot, but the user is at their limit: the second job stays queued.
    const ingest = new LocalIngest(queue, {
      data: {
        maxBytes: 1e7,
        maxRows: 1e5,
        maxColumns: 100,
        maxCellLength: 1000,
        maxCells: 1e7,
        maxDecompressedBytes: 1e8,
      },
      sandbox: { memoryMb: 256, timeoutSeconds: 60 },
    });
    const staged = join(dir, "staged.csv");
    copyFileSync(join(FIXTURES, "diabetes.csv"), staged);
    const description = await ingest.describe({
      jobId: "fleet-ingest-1",
      userId: USER,
      filePath: staged,
      fileName: "d.csv",
    });
    expect(description.nRows).toBe(442);
    // Its result read, the sandbox job's folder is gone; the trainings' folders stay.
    expect(existsSync(join(dir, "jobs", "fleet-ingest-1"))).toBe(false);
    expect(existsSync(join(dir, "jobs", "fleet-user-a"))).toBe(true);
    expect(existsSync(join(dir, "logs", "fleet-ingest-1.log"))).toBe(false);
    expect(existsSync(join(dir, "logs", "fleet-user-a.log"))).toBe(true);
    expect((await training.monitorTraining("fleet-user-b")).status).toBe("queued");
    expect(events.find((l) => l.event === "job-started" && l.jobId === "fleet-user-b")).toBeUndefined();
    await training.terminateTraining("fleet-user-a");
    await events.waitFor((l) => l.event === "job-started" && l.jobId === "fleet-user-b");
    await training.terminateTraining("fleet-user-b");
    expect((await until(training, "fleet-user-b", ended)).status).toBe("cancelled");
  }, 180_000);
});
