/**
 * Long polling through @grammyjs/runner: conversations run concurrently, one conversation's updates run one
 * after another (sequentialize on {userId}:{chatId}), and a second instance polling the same token makes
 * the first one report a fatal 409.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { en } from "../../src/bot/i18n/en.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";
import { eventually, plainText } from "./helpers.js";

const HELP = plainText(en.help);

describe("long polling with the runner", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    env = testEnv(tg, "polling");
    app = await startApp(env);
  });

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await env?.cleanup();
  });

  it("answers another conversation while one waits, and keeps one conversation in order", async () => {
    expect(app.mode).toBe("polling");
    const alice = tg.user(3601, { firstName: "Alice", languageCode: "en" });
    const bob = tg.user(3602, { firstName: "Bob", languageCode: "en" });
    const held = tg.server.holdNextCall("sendMessage");
    await alice.send("/help");
    await held.reached;
    await alice.send("/help");
    await bob.send("/start");
    await bob.waitFor((m) => m.text === plainText(en.welcome("Bob")));
    held.release();
    await eventually(() => (alice.botMessages().length === 2 ? true : undefined), "both answers to Alice");
    expect(alice.botMessages().map((m) => m.text)).toEqual([HELP, HELP]);

    const sends = (chatId: number) =>
      tg.callsTo("sendMessage").filter((c) => Number(c.payload.chat_id) === chatId);
    const [first, second] = sends(alice.id);
    const firstDone = first.at + first.durationMs;
    // Alice's second reply was only started after her first finished; Bob's went out in between.
    expect(second.at).toBeGreaterThanOrEqual(firstDone);
    expect(sends(bob.id)[0].at).toBeLessThan(firstDone);
  });

  it("reports a fatal conflict when another instance polls the same token", async () => {
    const otherTg = await startFakeTelegram();
    const otherEnv = testEnv(otherTg, "polling-other");
    const fatal: unknown[] = [];
    const first = await startApp(otherEnv, { onFatal: (error) => fatal.push(error) });
    const second = await startApp(otherEnv);
    try {
      const error = await eventually(() => fatal[0], "the 409");
      expect((error as { error_code?: number }).error_code).toBe(409);
    } finally {
      await first.stop();
      await second.stop();
      await otherTg.close();
      await otherEnv.cleanup();
    }
  });
});
