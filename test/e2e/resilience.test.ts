/**
 * The bot under stress: a restart while a job trains, and fifty users training at once with Telegram's real
 * flood limits enforced by the emulator.
 */

import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { killBot, spawnBot, startApp, testEnv } from "../helpers/app.js";
import { fixture, SLOW } from "../helpers/flows.js";
import { REDIS_TEST_URL } from "../helpers/redis.js";
import { startFakeTelegram } from "../helpers/telegram.js";

/** A regression dataset big enough that a forest of 500 trees takes several seconds. */
function syntheticCsv(rows: number, features: number): string {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const header = [...Array.from({ length: features }, (_, i) => `x${i}`), "y"].join(",");
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    const xs = Array.from({ length: features }, () => rnd());
    lines.push([...xs.map((v) => v.toFixed(4)), (3 * xs[0] + xs[1] * xs[2] + rnd()).toFixed(4)].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe("a restart while a job trains", () => {
  it("resumes the progress message in place and delivers the result card", async () => {
    const tg = await startFakeTelegram();
    const env = testEnv(tg, "restart-mid");
    let bot = await spawnBot(env);
    const redis = new Redis(REDIS_TEST_URL);
    try {
      const user = tg.user(3001, { firstName: "Ivo" });
      await user.send("/train");
      await user.waitFor(/Send me your data/);
      await user.upload("synthetic.csv", syntheticCsv(12000, 12));
      await user.waitFor(/Target: y → regression/);
      await user.click(/Accept/);
      await user.waitFor(/What kind of model/);
      await user.click(/Trees/);
      await user.waitFor(/Pick a model/);
      await user.click(/^Random forest/);
      await user.waitFor(/Random forest.*settings/s);
      await user.click(/^nEstimators=500$/);
      await user.waitFor(/nEstimators = 500/);
      await user.click(/Continue/);
      await user.waitFor(/Training Random forest/);

      // Killed once the progress message is on record (not between sending it and recording its id).
      await progressRecorded(redis, `${env.env.REDIS_PREFIX}:user:3001:ui:3001`);
      const state = await redis.hget(`${env.env.REDIS_PREFIX}:wf:3001:3001`, "state");
      expect(["LAUNCHING_TRAINING", "MONITORING_TRAINING", "TRAINING_COMPLETE"]).toContain(state);
      await killBot(bot);
      bot = await spawnBot(env);

      const result = await user.waitFor(/is trained/, SLOW);
      expect(Number(/R² (-?[\d.]+)/.exec(result.text ?? "")?.[1])).toBeGreaterThan(0.5);
      const progress = user.botMessages().filter((m) => /Training Random forest/.test(m.text ?? ""));
      expect(progress).toHaveLength(1);
      expect(progress[0].text).toMatch(/Finished in/);
    } finally {
      await killBot(bot);
      redis.disconnect();
      await tg.close();
      await env.cleanup();
    }
    // Two bot start-ups, a sandboxed read of the upload and a 500-tree forest train for most of a minute on a
    // loaded 2-core machine: the bound is generous on purpose.
  }, 240_000);
});

describe("fifty users at once", () => {
  it("gives every user their result, queued on local compute, without tripping Telegram's flood limits", async () => {
    const tg = await startFakeTelegram();
    const env = testEnv(tg, "load", { LOCAL_MAX_CONCURRENT_JOBS: "1" });
    const app = await startApp(env);
    try {
      const users = Array.from({ length: 50 }, (_, i) => tg.user(4000 + i, { firstName: `U${i}` }));
      const flows = users.map(async (user) => {
        await user.send("/train");
        await user.waitFor(/Send me your data/, SLOW);
        await user.upload("iris.csv", fixture("iris.csv"));
        await user.waitFor(/Target: species/, SLOW);
        await user.click(/Accept/);
        await user.waitFor(/What kind of model/, SLOW);
        await user.click(/Linear models/);
        await user.waitFor(/Pick a model/, SLOW);
        await user.click(/^Logistic regression/);
        await user.waitFor(/settings/, SLOW);
        await user.click(/Continue/);
        return user.waitFor(/is trained/, { timeoutMs: 240_000 });
      });
      const results = await Promise.all(flows);
      expect(results).toHaveLength(50);
      for (const r of results) expect(r.text).toMatch(/Accuracy \d+(\.\d+)?%/);
      const tooMany = tg.calls.filter((c) => !c.ok && /Too Many Requests/.test(String(c.error ?? "")));
      expect(tooMany).toHaveLength(0);
    } finally {
      await app.stop();
      await tg.close();
      await env.cleanup();
    }
  }, 300_000);
});

/** Waits until the bot has recorded the progress message's id in Redis (no event announces it); fails if never. */
async function progressRecorded(redis: Redis, key: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await redis.get(key))?.includes("progressMessageId")) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${key} never recorded the progress message`);
}
