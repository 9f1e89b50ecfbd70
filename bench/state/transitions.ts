/**
 * `npx tsx bench/state/transitions.ts [--seconds 1] [--rounds 5] [--concurrency 32] [--plain]`: transitions
 * per second through StateManager.transition on local Redis (load, decide, compare-and-set, persist),
 * sequentially and with N concurrent conversations, next to bare Redis SET+GET pairs of the same payload size
 * on a client with the same options, measured in the same run. Rounds alternate bare and transition runs so
 * load from other processes hits both alike; the table shows medians, the median of per-round ratios, and
 * this process's CPU time per operation (less sensitive to other load than the rates).
 * The goal is ≥ 40% of the bare rate with 32 concurrent conversations. `--plain` turns auto-pipelining off
 * on both clients. Not a test: numbers depend on the machine and its load.
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { REDIS_CLIENT_OPTIONS, RedisWorkflowStore } from "../../src/state/redis-store.js";
import { StateManager } from "../../src/state/state-manager.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../../test/helpers/redis.js";
import { benchDefinition, benchInput } from "./machine.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "1" },
    rounds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    plain: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const CLIENT_OPTIONS = { ...REDIS_CLIENT_OPTIONS, enableAutoPipelining: !values.plain };

interface Measured {
  /** Operations per second. */
  rate: number;
  /** This process's CPU time (user + system) per operation, in microseconds. */
  cpuMicros: number;
}

/** Runs `workers` loops of `step` for `ms`. */
async function measure(
  workers: number,
  ms: number,
  step: (worker: number) => Promise<unknown>,
): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + ms;
  let ops = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < until) {
        await step(w);
        ops++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { rate: ops / ((performance.now() - started) / 1000), cpuMicros: (used.user + used.system) / ops };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  mode: string;
  bare: Measured;
  transitions: Measured;
  ratio: number;
}

async function run(workers: number, bare: (w: number) => Promise<unknown>, transition: typeof bare) {
  const rounds: Array<{ b: Measured; t: Measured }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await measure(workers, SECONDS * 1000, bare);
    const t = await measure(workers, SECONDS * 1000, transition);
    rounds.push({ b, t });
  }
  const of = (side: "b" | "t", pick: keyof Measured) => median(rounds.map((x) => x[side][pick]));
  return {
    mode: workers === 1 ? "sequential" : `${workers} concurrent`,
    bare: { rate: of("b", "rate"), cpuMicros: of("b", "cpuMicros") },
    transitions: { rate: of("t", "rate"), cpuMicros: of("t", "cpuMicros") },
    ratio: median(rounds.map((x) => x.t.rate / x.b.rate)),
  };
}

async function main(): Promise<void> {
  const prefix = testPrefix("bench-state");
  const redis = new Redis(REDIS_TEST_URL, CLIENT_OPTIONS);
  const client = new Redis(REDIS_TEST_URL, CLIENT_OPTIONS);
  const store = new RedisWorkflowStore(client, prefix);
  const manager = new StateManager(store, [benchDefinition]);
  try {
    const keys = Array.from({ length: CONCURRENCY }, (_, i) => ({ userId: 1, chatId: i + 1 }));
    for (const key of keys) await manager.start(key, "bench", benchInput(key.chatId));
    const payload = (await store.read(keys[0]))!.snapshot;
    const bare = async (w: number) => {
      await redis.set(`${prefix}:bare:${w}`, payload);
      await redis.get(`${prefix}:bare:${w}`);
    };
    const transition = (w: number) => manager.transition(keys[w], { type: "user.step" });
    await measure(CONCURRENCY, 500, bare); // warm-up: JIT, connections, scripts
    await measure(CONCURRENCY, 500, transition);
    const rows: Row[] = [];
    for (const workers of [1, CONCURRENCY]) rows.push(await run(workers, bare, transition));
    print(rows, payload.length);
  } finally {
    await store.close();
    await client.quit();
    await redis.quit();
    await deletePrefix(prefix);
  }
}

function print(rows: Row[], payloadBytes: number): void {
  const num = (n: number, width: number) => Math.round(n).toLocaleString("en-US").padStart(width);
  const pipelining = values.plain ? "off" : "on";
  console.log(
    `StateManager.transition vs bare Redis SET+GET: snapshot ${payloadBytes} bytes, ${ROUNDS} rounds of ` +
      `${SECONDS}s, auto-pipelining ${pipelining}, medians`,
  );
  console.log(
    `${"mode".padEnd(14)} ${"SET+GET/s".padStart(10)} ${"transitions/s".padStart(14)}  ratio` +
      `  ${"CPU µs/pair".padStart(11)} ${"CPU µs/transition".padStart(17)}`,
  );
  for (const { mode, bare, transitions, ratio } of rows) {
    const percent = `${(100 * ratio).toFixed(1)}%`.padStart(5);
    console.log(
      `${mode.padEnd(14)} ${num(bare.rate, 10)} ${num(transitions.rate, 14)}  ${percent}` +
        `  ${num(bare.cpuMicros, 11)} ${num(transitions.cpuMicros, 17)}`,
    );
  }
  const met = rows[rows.length - 1].ratio >= 0.4;
  console.log(`goal ≥ 40% of bare with ${CONCURRENCY} concurrent conversations: ${met ? "met" : "NOT met"}`);
}

await main();
