/**
 * `npm run bench -- queue`: the fleet queue's own overhead. Jobs go through our queue interface
 * (FleetQueue: spec written to storage, BullMQ add, result read back, waiters woken by BullMQ's events) and,
 * as the reference, through a bare BullMQ loop (add, waitUntilFinished), both on the same Redis with a no-op
 * worker (the job's child process is left out of both: it costs the same either way). Prints the round-trip
 * time of one job at a time and the jobs/s of a batch, and our rate as a ratio of the bare one (goal ≥ 0.8).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, QueueEvents, Worker } from "bullmq";
import { fleetKeys } from "../../src/cloud/fleet/keys.js";
import { FleetQueue } from "../../src/cloud/fleet/queue.js";
import { bullConnection } from "../../src/cloud/fleet/redis.js";
import { JobChannel } from "../../src/cloud/job-channel.js";
import type { IngestJobSpec } from "../../src/cloud/job-spec.js";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const ROUND_TRIPS = 200;
const BATCH = 1000;

function spec(jobId: string): IngestJobSpec {
  const now = new Date();
  return {
    kind: "ingest",
    jobId,
    userId: 1,
    filePath: "/dev/null",
    fileName: "x.csv",
    limits: {
      maxBytes: 1,
      maxRows: 1,
      maxColumns: 1,
      maxCellLength: 1,
      maxCells: 1,
      maxDecompressedBytes: 1,
    },
    deadline: new Date(now.getTime() + 600_000).toISOString(),
    createdAt: now.toISOString(),
  };
}

async function ours(prefix: string, dir: string) {
  const storage = new LocalStorageManager(dir);
  const channel = new JobChannel(storage);
  const queue = new FleetQueue({ redisUrl: REDIS_URL, redisPrefix: prefix, storage });
  // A no-op worker that answers the way a fleet worker does: the result in storage, and as the return value.
  const worker = new Worker(
    "sandbox",
    async (job) => {
      const result = {
        status: "succeeded" as const,
        finishedAt: new Date().toISOString(),
        runtimeSeconds: 0,
        outputUri: "",
        summary: {},
      };
      await storage.writeBytes(channel.uri(job.id!, "result.json"), JSON.stringify(result));
      return result;
    },
    { connection: bullConnection(REDIS_URL), prefix: fleetKeys(prefix).bullPrefix, concurrency: 50 },
  );
  await worker.waitUntilReady();
  const one = async (id: string) => {
    await queue.submit(spec(id));
    await queue.finished(id);
  };
  const t0 = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await one(`ours-rt-${i}`);
  const roundTripMs = (performance.now() - t0) / ROUND_TRIPS;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: BATCH }, (_, i) => one(`ours-b-${i}`)));
  const perSecond = BATCH / ((performance.now() - t1) / 1000);
  await worker.close();
  await queue.close();
  return { roundTripMs, perSecond };
}

async function bare(prefix: string) {
  const connection = bullConnection(REDIS_URL);
  const options = { connection, prefix: `${prefix}:bull` };
  const queue = new Queue("bare", options);
  const events = new QueueEvents("bare", { connection: bullConnection(REDIS_URL), prefix: `${prefix}:bull` });
  const worker = new Worker("bare", async () => ({ ok: true }), {
    connection: bullConnection(REDIS_URL),
    prefix: `${prefix}:bull`,
    concurrency: 50,
  });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  const one = async (id: string) => {
    const job = await queue.add("x", { id }, { jobId: id, priority: 1 });
    await job.waitUntilFinished(events);
  };
  const t0 = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await one(`bare-rt-${i}`);
  const roundTripMs = (performance.now() - t0) / ROUND_TRIPS;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: BATCH }, (_, i) => one(`bare-b-${i}`)));
  const perSecond = BATCH / ((performance.now() - t1) / 1000);
  await Promise.all([worker.close(), events.close(), queue.close()]);
  connection.disconnect();
  return { roundTripMs, perSecond };
}

async function deletePrefix(prefix: string) {
  const redis = bullConnection(REDIS_URL);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
}

const prefix = `bench-queue-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "sma-bench-queue-"));
try {
  const reference = await bare(prefix);
  const measured = await ours(prefix, dir);
  console.log(`| | round trip (ms, one at a time) | jobs/s (batch of ${BATCH}) |`);
  console.log("|---|---|---|");
  console.log(`| bare BullMQ | ${reference.roundTripMs.toFixed(2)} | ${reference.perSecond.toFixed(0)} |`);
  console.log(
    `| our queue interface | ${measured.roundTripMs.toFixed(2)} | ${measured.perSecond.toFixed(0)} |`,
  );
  console.log(
    `| ratio (ours / bare rate) | ${(reference.roundTripMs / measured.roundTripMs).toFixed(2)}× | ${(measured.perSecond / reference.perSecond).toFixed(2)}× |`,
  );
} finally {
  await deletePrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
