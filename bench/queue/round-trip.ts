/**
 * `npm run bench -- queue`: the fleet queue's own overhead, like with like. Both sides run the same trivial
 * job body (write a small result.json to storage, return the result) with the same concurrency on the same
 * Redis:
 * - "bare BullMQ": Queue.add, Job.waitUntilFinished on QueueEvents, a plain BullMQ Worker.
 * - "our queue interface": FleetQueue.submit and .finished (what the providers call) and a real FleetWorker
 *   (user-limit claim, cancel check, result read back from storage, duration histogram), its child process
 *   swapped for the trivial body.
 * The child process every real job starts is measured on its own, last: real ingest jobs of a 3-row CSV
 * through the same queue and worker.
 *
 * Printed: round-trip ms of one job at a time (p50/p95), jobs/s of a batch, and CPU ms per job (this process,
 * and the Redis server from INFO), best of the turns the two sides take; then the ratio (goal ≥ 0.8×).
 * REDIS_URL picks the Redis (default 127.0.0.1:6379); QUEUE_BENCH_TURNS, _ROUND_TRIPS and _BATCH the sizes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Queue, QueueEvents, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { fleetKeys } from "../../src/cloud/fleet/keys.js";
import { FleetQueue } from "../../src/cloud/fleet/queue.js";
import { bullConnection } from "../../src/cloud/fleet/redis.js";
import { FleetWorker, type LaneSettings } from "../../src/cloud/fleet/worker.js";
import { JobChannel } from "../../src/cloud/job-channel.js";
import type { IngestJobSpec, JobResult } from "../../src/cloud/job-spec.js";
import { sandboxEnv } from "../../src/cloud/local/ingest.js";
import { LocalStorageManager } from "../../src/cloud/local/storage.js";
import { createLogger } from "../../src/logger.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const TURNS = Number(process.env.QUEUE_BENCH_TURNS ?? 3);
const ROUND_TRIPS = Number(process.env.QUEUE_BENCH_ROUND_TRIPS ?? 200);
const BATCH = Number(process.env.QUEUE_BENCH_BATCH ?? 500);
const CHILD_JOBS = 5;
const CONCURRENCY = 50;

interface Measured {
  p50: number;
  p95: number;
  perSecond: number;
  /** CPU ms per job of the batch: this process (queue and worker), and Redis. */
  cpuMs: number;
  redisCpuMs: number;
}

/** Submits one job and resolves once its result is back. */
type RoundTrip = (jobId: string) => Promise<void>;

function spec(jobId: string, filePath = "/dev/null"): IngestJobSpec {
  const now = new Date();
  const limit = 1_000_000;
  return {
    kind: "ingest",
    jobId,
    userId: 1,
    filePath,
    fileName: "x.csv",
    limits: {
      maxBytes: limit,
      maxRows: limit,
      maxColumns: 100,
      maxCellLength: 1000,
      maxCells: limit,
      maxDecompressedBytes: limit,
    },
    deadline: new Date(now.getTime() + 600_000).toISOString(),
    createdAt: now.toISOString(),
  };
}

/** The job body both sides run: what a worker process does at the end of every job. */
async function trivialBody(channel: JobChannel, jobId: string): Promise<JobResult> {
  const result: JobResult = {
    status: "succeeded",
    finishedAt: new Date().toISOString(),
    runtimeSeconds: 0,
    outputUri: "",
    summary: {},
  };
  await channel.storage.writeBytes(channel.uri(jobId, "result.json"), JSON.stringify(result));
  return result;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return value("used_cpu_user") + value("used_cpu_sys");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, one: RoundTrip, redis: Redis): Promise<Measured> {
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = performance.now();
    await one(`${name}-rt-${i}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpuSeconds(redis);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: BATCH }, (_, i) => one(`${name}-b-${i}`)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const redisCpu = (await redisCpuSeconds(redis)) - redis0;
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    perSecond: BATCH / seconds,
    cpuMs: (cpu.user + cpu.system) / 1000 / BATCH,
    redisCpuMs: (redisCpu * 1000) / BATCH,
  };
}

async function bare(prefix: string, storage: LocalStorageManager, redis: Redis): Promise<Measured> {
  const channel = new JobChannel(storage);
  const bullPrefix = fleetKeys(prefix).bullPrefix;
  const connection = bullConnection(REDIS_URL);
  const queue = new Queue("bare", { connection, prefix: bullPrefix });
  const events = new QueueEvents("bare", { connection: bullConnection(REDIS_URL), prefix: bullPrefix });
  const worker = new Worker("bare", (job) => trivialBody(channel, job.id!), {
    connection: bullConnection(REDIS_URL),
    prefix: bullPrefix,
    concurrency: CONCURRENCY,
  });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  try {
    return await measure(
      `bare-${prefix}`,
      async (id) => {
        const job = await queue.add("ingest", spec(id), { jobId: id, priority: 1 });
        await job.waitUntilFinished(events);
      },
      redis,
    );
  } finally {
    await Promise.all([worker.close(), events.close(), queue.close()]);
    connection.disconnect();
  }
}

function fleetWorker(prefix: string, storage: LocalStorageManager, dir: string, trivial: boolean) {
  const channel = new JobChannel(storage);
  const lanes: Record<"compute" | "sandbox", LaneSettings> = {
    compute: { concurrency: 1, process: { env: process.env } },
    sandbox: { concurrency: CONCURRENCY, process: { env: sandboxEnv(dir) }, maxRunMs: 60_000 },
  };
  return new FleetWorker({
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    storage,
    lanes,
    // The per-user limit is a policy, not overhead: high enough that no job waits for it (its claim still runs).
    userMaxRunning: 100_000,
    logDir: join(dir, "logs"),
    logger: createLogger("warn", new Writable({ write: (_c, _e, done) => done() })),
    launch: trivial
      ? async (jobSpec) => {
          await trivialBody(channel, jobSpec.jobId);
          return { pid: -1, exited: Promise.resolve({ code: 0, signal: null }) };
        }
      : undefined,
  });
}

async function ours(prefix: string, storage: LocalStorageManager, dir: string, redis: Redis) {
  const queue = new FleetQueue({ redisUrl: REDIS_URL, redisPrefix: prefix, storage });
  const worker = fleetWorker(prefix, storage, dir, true);
  await worker.start();
  try {
    return await measure(
      `ours-${prefix}`,
      async (id) => {
        await queue.submit(spec(id));
        await queue.finished(id);
      },
      redis,
    );
  } finally {
    await worker.close();
    await queue.close();
  }
}

/** Real jobs, one at a time: a worker process reading a 3-row CSV. */
async function withChild(prefix: string, storage: LocalStorageManager, dir: string) {
  const csv = join(dir, "tiny.csv");
  writeFileSync(csv, "a,b\n1,2\n3,4\n5,6\n");
  const queue = new FleetQueue({ redisUrl: REDIS_URL, redisPrefix: prefix, storage });
  const worker = fleetWorker(prefix, storage, dir, false);
  await worker.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < CHILD_JOBS + 1; i++) {
      const t = performance.now();
      await queue.submit(spec(`child-${i}`, csv));
      const result = await queue.finished(`child-${i}`);
      if (result.status !== "succeeded") throw new Error(`child job failed: ${JSON.stringify(result)}`);
      if (i > 0) times.push(performance.now() - t); // the first builds the worker bundle
    }
  } finally {
    await worker.close();
    await queue.close();
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function deletePrefix(redis: Redis, prefix: string) {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

function best(runs: Measured[]): Measured {
  const min = (f: (m: Measured) => number) => Math.min(...runs.map(f));
  return {
    p50: min((m) => m.p50),
    p95: min((m) => m.p95),
    perSecond: Math.max(...runs.map((m) => m.perSecond)),
    cpuMs: min((m) => m.cpuMs),
    redisCpuMs: min((m) => m.redisCpuMs),
  };
}

const row = (name: string, m: Measured) =>
  `| ${name} | ${m.p50.toFixed(2)} / ${m.p95.toFixed(2)} | ${m.perSecond.toFixed(0)} | ${m.cpuMs.toFixed(2)} + ${m.redisCpuMs.toFixed(2)} |`;

const redis = bullConnection(REDIS_URL);
const dir = mkdtempSync(join(tmpdir(), "sma-bench-queue-"));
const storage = new LocalStorageManager(dir);
const prefixes: string[] = [];
const prefix = (name: string) => {
  prefixes.push(`bench-queue-${process.pid}-${name}`);
  return prefixes.at(-1)!;
};
try {
  const load = loadavg().map((l) => l.toFixed(1));
  const bareRuns: Measured[] = [];
  const ourRuns: Measured[] = [];
  for (let turn = 0; turn < TURNS; turn++) {
    bareRuns.push(await bare(prefix(`bare${turn}`), storage, redis));
    ourRuns.push(await ours(prefix(`ours${turn}`), storage, dir, redis));
  }
  const child = await withChild(prefix("child"), storage, dir);
  const [b, o] = [best(bareRuns), best(ourRuns)];
  console.log(
    `Queue overhead: ${TURNS} turns each, ${ROUND_TRIPS} round trips one at a time, batches of ${BATCH} ` +
      `(concurrency ${CONCURRENCY}); best turn shown. Load average ${load.join(" ")} at the start, ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} at the end.`,
  );
  console.log("| | round trip ms, p50 / p95 | jobs/s | CPU ms per job, node + Redis |");
  console.log("|---|---|---|---|");
  console.log(row("bare BullMQ", b));
  console.log(row("our queue interface", o));
  console.log(
    `| ratio (ours / bare) | ${(o.p50 / b.p50).toFixed(2)}× / ${(o.p95 / b.p95).toFixed(2)}× time | ` +
      `**${(o.perSecond / b.perSecond).toFixed(2)}× rate** | ${((o.cpuMs + o.redisCpuMs) / (b.cpuMs + b.redisCpuMs)).toFixed(2)}× CPU |`,
  );
  console.log(
    `| a real job (worker process reading a 3-row CSV, ${CHILD_JOBS} in turn) | ${child.p50.toFixed(0)} / ${child.p95.toFixed(0)} | | |`,
  );
} finally {
  for (const p of prefixes) await deletePrefix(redis, p);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
