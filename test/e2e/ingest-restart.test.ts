/**
 * A restart while an ingest is crashing its sandbox (a file that needs more than INGEST_MEMORY_MB): one retry
 * at most, then a message naming the limit, the staged file removed, and no loop.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { en } from "../../src/bot/i18n/en.js";
import { killBot, spawnBot, type TestEnv, testEnv } from "../helpers/app.js";
import { REDIS_TEST_URL } from "../helpers/redis.js";
import { startFakeTelegram } from "../helpers/telegram.js";
import { plainText } from "../ops/helpers.js";

const HELP = plainText(en.help).split("\n")[0];
const READ = { timeoutMs: 120_000 };

describe("a restart while an ingest is crashing its sandbox", () => {
  it("tries at most once more, then names the limit, removes the staged file and does not loop", async () => {
    const tg = await startFakeTelegram();
    const env = testEnv(tg, "ingest-crash", { INGEST_MEMORY_MB: "64" });
    let bot = await spawnBot(env);
    try {
      const user = tg.user(7101, { firstName: "Crash" });
      await user.send("/train");
      await user.waitFor(/Send me your data/);
      // Every numeric column turns to text on the last row: the reader keeps 4.5 million strings.
      const lines = ["a,b,c,d,e"];
      for (let i = 0; i < 900_000; i++) lines.push(`${i},${i % 7},${i % 11},${i % 13},${i % 17}`);
      await user.upload("big.csv", `${lines.join("\n")}\nx,x,x,x,x\n`);
      // The first sandbox has started: the bot goes down while it runs out of memory.
      await until(() => ingestJobs(env).length > 0);
      await killBot(bot);
      bot = await spawnBot(env);

      const message = await user.waitFor(/INGEST_MEMORY_MB/, READ);
      expect(message.text).toMatch(/more than the 64 MB of memory one file may use/);
      expect(ingestJobs(env).length).toBeLessThanOrEqual(2);
      expect(readdirSync(join(env.dataDir, ".staging", "uploads", "7101"))).toEqual([]);

      // Nothing is left reading, so no later restart can start a third attempt; the chat answers.
      const redis = new Redis(REDIS_TEST_URL);
      const snapshot = await redis.hget(`${env.env.REDIS_PREFIX}:wf:7101:7101`, "snap");
      redis.disconnect();
      expect(snapshot).toContain('"AWAITING_DATA":"idle"');
      await user.send("/help");
      await user.waitFor((m) => (m.text ?? "").startsWith(HELP));
      expect(ingestJobs(env).length).toBeLessThanOrEqual(2);
      expect(user.botMessages().filter((m) => /INGEST_MEMORY_MB/.test(m.text ?? ""))).toHaveLength(1);
    } finally {
      await killBot(bot);
      await tg.close();
      await env.cleanup();
    }
  }, 180_000);
});

/** The ingest jobs in the bot's job channel (their ids end in -i<attempt>). */
function ingestJobs(env: TestEnv): string[] {
  const dir = join(env.dataDir, "jobs");
  return existsSync(dir) ? readdirSync(dir).filter((name) => /-i\d+$/.test(name)) : [];
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!done()) throw new Error("timed out waiting for the condition");
}
