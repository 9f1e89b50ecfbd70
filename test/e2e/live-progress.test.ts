/**
 * Live progress: during a fit of several seconds (gradient boosting, 500 stages on 48,000 rows, on this
 * machine's worker), the progress message moves: at least three different percentages reach the chat before
 * the result, because the fit runs in a worker thread and the worker keeps reporting while it runs. The bot
 * edits the message every half second here (3 s in production) and the worker writes its progress at most
 * every half second, so the fit must last well over 1.5 s: 16,000 rows did once the engine got faster (CI saw
 * 5% and 35% only); 48,000 rows take about four seconds here and show eight percentages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { Random } from "../../src/ml/random.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { FAST_BOT_ENV, FAST_TELEGRAM } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram, type TgMessage } from "../helpers/telegram.js";

let tg: FakeTelegram;
let env: TestEnv;
let app: App;

beforeAll(async () => {
  tg = await startFakeTelegram(FAST_TELEGRAM);
  env = testEnv(tg, "live-progress", { ...FAST_BOT_ENV, MAX_UPLOAD_MB: "10" });
  app = await startApp(env, { progressEditIntervalMs: 500 });
});
afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await env?.cleanup();
});

/** Rows of 8 numeric features and a numeric "target", seeded. */
function regressionCsv(rows: number): string {
  const rng = new Random(5);
  const lines = ["f1,f2,f3,f4,f5,f6,f7,f8,target"];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 8 }, () => rng.normal());
    const y = x[0] * 3 + x[1] * x[2] + Math.sin(x[3]) + 0.1 * rng.normal();
    lines.push([...x, y].map((v) => v.toFixed(4)).join(","));
  }
  return `${lines.join("\n")}\n`;
}

const percentOf = (m: TgMessage) => /(\d+)%/.exec(m.text ?? "")?.[1];

describe("live progress during a fit", () => {
  it("shows at least three different percentages before the result", async () => {
    const user = tg.user(3301, { firstName: "Noa" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("boosting.csv", regressionCsv(48_000));
    await user.waitFor(/Target: target → regression/, { timeoutMs: 30_000 });
    await user.click(/Accept/);
    await user.waitFor(/What kind of model/);
    await user.click(/Trees/);
    await user.waitFor(/Pick a model/);
    await user.click(/^Gradient boosting/);
    await user.waitFor(/settings/);
    await user.click(/^nEstimators=500$/);
    await user.waitFor((m) => Boolean(m.text?.includes("nEstimators = 500")));
    await user.click(/Continue/);
    // Every progress message and edit up to the result card.
    const percents = new Set<string>();
    await user.waitFor(
      (m) => {
        if (/Training/.test(m.text ?? "") && percentOf(m)) percents.add(percentOf(m)!);
        return /is trained/.test(m.text ?? "");
      },
      { timeoutMs: 120_000 },
    );
    const during = [...percents].map(Number).filter((p) => p > 0 && p < 100);
    expect(during.length, `percentages seen: ${[...percents].join(", ")}`).toBeGreaterThanOrEqual(3);
  });
});
