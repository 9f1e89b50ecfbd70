/**
 * Every message fits Telegram, through the chat: a dataset whose target is named with 5,000 characters
 * (within MAX_CELL_LENGTH) and whose features have long names, a typed answer of 4,000 characters echoed
 * back, training progress that quotes the target, the result card, /history and /models. The emulator
 * refuses what Telegram refuses (text over 4,096 characters after parsing, captions over 1,024).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, SLOW } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";

const TARGET = `y_${"t".repeat(5000)}`;
const FEATURES = Array.from({ length: 12 }, (_, j) => `feature_${j}_${"f".repeat(300)}`);

function longNamesCsv(rows: number): string {
  const lines = [[...FEATURES, TARGET].join(",")];
  for (let r = 0; r < rows; r++) {
    const xs = FEATURES.map((_, j) => ((r * (j + 3)) % 17) + j / 10);
    lines.push([...xs, xs[0] * 2 + xs[1] + (r % 5) / 10].join(","));
  }
  return `${lines.join("\n")}\n`;
}

describe("every message fits Telegram", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;

  beforeAll(async () => {
    tg = await startFakeTelegram(FAST_TELEGRAM);
    env = testEnv(tg, "fitting", FAST_BOT_ENV);
    app = await startApp(env);
  });

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await env?.cleanup();
  });

  it("fits screens, echoes, progress, the result card, /history and /models built from long names", async () => {
    const user = tg.user(6101, { firstName: "Long" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("long.csv", longNamesCsv(80));
    await user.waitFor(/80 rows × 13 columns/);
    await user.click(/Change target/);
    await user.waitFor(/target/i);
    await user.send(`no_such_${"c".repeat(4000)}`);
    await user.waitFor(/No such column/);
    await user.send("13"); // the target, by its number: its name is longer than a message may be
    await user.waitFor(/Target: y_t/);
    await user.click(/Accept/);
    await user.waitFor(/What kind of model/);
    await user.click(/Linear models/);
    await user.waitFor(/Pick a model/);
    await user.click(/^Linear regression/);
    await user.waitFor(/is trained/, SLOW);
    await user.click(/Name model/);
    await user.send(`Model ${"m".repeat(34)}`);
    await user.waitFor(/Model m/);
    await user.send("/history");
    await user.waitFor(/Linear regression|Model m/);
    await user.send("/models");
    await user.waitFor(/Your models/);

    const refused = tg.calls.filter((c) => !c.ok && /too long/i.test(c.error?.description ?? ""));
    expect(refused.map((c) => `${c.method}: ${c.error?.description}`)).toEqual([]);
    for (const m of user.botMessages()) {
      expect((m.text ?? "").length).toBeLessThanOrEqual(4096);
      expect((m.caption ?? "").length).toBeLessThanOrEqual(1024);
    }
    const progress = user.botMessages().filter((m) => /Training/.test(m.text ?? ""));
    expect(progress.at(-1)?.text).toMatch(/Finished in/);
  });
});
