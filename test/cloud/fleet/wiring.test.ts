/**
 * With REDIS_URL the bot's local work goes through BullMQ, never through the embedded runner: a training and
 * an upload's read submitted through the app's own compute land in the fleet's queues (no worker runs here,
 * so they wait there; the embedded runner would have started them in child processes instead).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import { type Compute, createCompute } from "../../../src/compute.js";
import { loadConfig } from "../../../src/config.js";
import type { UserDataPort } from "../../../src/flows/ports.js";
import { createLogger } from "../../../src/logger.js";
import { TEST_SIGNING_KEY } from "../../helpers/app.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../../helpers/redis.js";

let dir: string;
let prefix: string;
let compute: Compute;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-fleet-wiring-"));
  prefix = testPrefix("fleet-wiring");
  const config = loadConfig({
    REDIS_URL: REDIS_TEST_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dir,
    MODEL_SIGNING_KEY: TEST_SIGNING_KEY,
    FLEET_IN_PROCESS_WORKER: "false",
  });
  compute = createCompute(config, {
    logger: createLogger("warn", new Writable({ write: (_c, _e, done) => done() })),
    storage: new LocalStorageManager(dir),
    dataDir: dir,
    stagingDir: join(dir, ".staging"),
    userData: {} as UserDataPort,
    activeJobIds: async () => new Set(),
  });
});

afterEach(async () => {
  await compute.stop();
  await deletePrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `check` holds, polling Redis. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("never happened");
}

describe("local work with Redis configured", () => {
  it("goes to the fleet's BullMQ queues, not to the embedded runner", async () => {
    const fleet = compute.fleet!;
    expect(fleet.queue).toBeDefined();
    const launched = await compute.training("local").launchTraining({
      jobId: "wiring-train-1",
      computeType: "local",
      datasetUri: join(dir, "none.csv"),
      modelId: "m-wiring",
      userId: 7,
      modelType: "linear",
      taskType: "regression",
      targetColumn: "y",
      featureColumns: ["x"],
      hyperparameters: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(launched.status).toBe("queued");
    expect(await fleet.queue.queue("compute").getJobState("wiring-train-1")).toBe("prioritized");
    // Submitting touched Redis only: no worker has taken it, so nothing of it is in storage yet.
    expect(existsSync(join(dir, "jobs", "wiring-train-1"))).toBe(false);

    const staged = join(dir, "staged.csv");
    writeFileSync(staged, "x,y\n1,2\n");
    const reading = compute.ingest.describe({
      jobId: "wiring-ingest-1",
      userId: 7,
      filePath: staged,
      fileName: "s.csv",
    });
    reading.catch(() => undefined); // never answered here: no worker; stop() ends the wait
    await eventually(
      async () => (await fleet.queue.queue("sandbox").getJobState("wiring-ingest-1")) === "prioritized",
    );
    expect((await fleet.queue.status("wiring-ingest-1")).state).toBe("queued");
  });
});
