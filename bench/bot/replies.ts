/**
 * `npm run bench -- replies` (tsx bench/bot/replies.ts [--trainers 50] [--every-ms 500] [--label now]):
 * how long a newcomer waits for the bot's first answer while `--trainers` analysts train at once, as a new
 * user would see it. The bot runs as its own process (`node src/main.ts`, as `npm start` runs it) against
 * the Bot API emulator with Telegram's real flood limits; every `--every-ms` a user the bot has never seen
 * sends /help, and the time to the reply is recorded. Each trainer uploads a CSV, accepts the suggested
 * schema and trains logistic regression on this machine (one job at a time, so training lasts a while).
 * Prints p50, p95 and the worst newcomer reply, how long the trainings took, and any 429s. Not a test: run
 * it on the code before and after a change, on a quiet machine, and compare.
 */
import { readFileSync } from "node:fs";
import { en } from "../../src/bot/i18n/en.js";
import { spawnMain, testEnv } from "../../test/helpers/app.js";
import { startFakeTelegram, type TestUser } from "../../test/helpers/telegram.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const TRAINERS = Number(arg("trainers", "50"));
const EVERY_MS = Number(arg("every-ms", "500"));
const LABEL = arg("label", "this checkout");
const HELP = en.help.replace(/<[^>]+>/g, "").split("\n")[0];
const LONG = { timeoutMs: 600_000 };
const IRIS = readFileSync(new URL("../../test/fixtures/iris.csv", import.meta.url));

async function train(user: TestUser): Promise<number> {
  const started = performance.now();
  await user.send("/train");
  await user.waitFor(/Send me your data/, LONG);
  await user.upload("iris.csv", IRIS);
  await user.waitFor(/Target: species/, LONG);
  await user.click(/Accept/);
  await user.waitFor(/What kind of model/, LONG);
  await user.click(/Linear models/);
  await user.waitFor(/Pick a model/, LONG);
  await user.click(/^Logistic regression/);
  await user.waitFor(/settings/, LONG);
  await user.click(/Continue/);
  await user.waitFor(/is trained/, LONG);
  return (performance.now() - started) / 1000;
}

async function newcomer(user: TestUser): Promise<number> {
  const sent = performance.now();
  await user.send("/help");
  await user.waitFor((m) => (m.text ?? "").startsWith(HELP), LONG);
  return performance.now() - sent;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const tg = await startFakeTelegram();
const env = testEnv(tg, "bench-replies", { LOCAL_MAX_CONCURRENT_JOBS: "1", RATE_LIMIT_PER_MINUTE: "1000" });
const bot = await spawnMain({ ...env.env, LOG_LEVEL: "info" }, /bot is polling/);
try {
  await newcomer(tg.user(900_000, { firstName: "Warm" })); // the first answer loads what answers need
  const started = performance.now();
  const trainings = Array.from({ length: TRAINERS }, (_, i) =>
    train(tg.user(100_000 + i, { firstName: `T${i}` })),
  );
  let done = false;
  const all = Promise.all(trainings).finally(() => {
    done = true;
  });
  const latencies: Array<Promise<number>> = [];
  for (let i = 0; !done; i++) {
    latencies.push(newcomer(tg.user(200_000 + i, { firstName: `N${i}` })));
    await Promise.race([all, new Promise((r) => setTimeout(r, EVERY_MS))]);
  }
  const times = await all;
  const sorted = (await Promise.all(latencies)).sort((a, b) => a - b);
  const tooMany = tg.calls.filter((c) => !c.ok && c.error?.error_code === 429).length;
  const ms = (v: number) => `${Math.round(v)} ms`;
  console.log(`\nnewcomer's first reply while ${TRAINERS} users train (${LABEL})`);
  console.log(`| newcomers | p50 | p95 | worst | trainings done | slowest training | 429s |`);
  console.log(`|---|---|---|---|---|---|---|`);
  console.log(
    `| ${sorted.length} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.95))} | ${ms(sorted.at(-1)!)} | ${times.length}/${TRAINERS} in ${((performance.now() - started) / 1000).toFixed(1)} s | ${Math.max(...times).toFixed(1)} s | ${tooMany} |`,
  );
} finally {
  bot.child.kill("SIGKILL");
  await tg.close();
  await env.cleanup();
}
process.exit(0);
