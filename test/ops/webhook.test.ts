/**
 * Webhook mode (WEBHOOK_URL): the app serves the webhook on its HTTP server, calls setWebhook with the secret
 * on start, processes what the emulator posts, and refuses posts without the right secret with 401.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { en } from "../../src/bot/i18n/en.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";
import { eventually, freePort, plainText } from "./helpers.js";

const SECRET = "webhook-secret_for-tests-123";

function fakeUpdate(updateId: number, userId: number, text: string) {
  return {
    update_id: updateId,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: "Mallory" },
      from: { id: userId, is_bot: false, first_name: "Mallory" },
      text,
      entities: [{ type: "bot_command", offset: 0, length: text.length }],
    },
  };
}

describe("webhook mode", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;
  let webhookUrl: string;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    const port = await freePort();
    webhookUrl = `http://127.0.0.1:${port}/telegram/hook`;
    env = testEnv(tg, "webhook", { WEBHOOK_URL: webhookUrl, WEBHOOK_SECRET: SECRET, PORT: String(port) });
    app = await startApp(env);
  });

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await env?.cleanup();
  });

  it("sets the webhook with the secret on start and answers what Telegram posts", async () => {
    expect(app.mode).toBe("webhook");
    expect(tg.server.webhookInfo().url).toBe(webhookUrl);
    const [setWebhook] = tg.callsTo("setWebhook");
    expect(setWebhook.payload).toMatchObject({ url: webhookUrl, secret_token: SECRET });
    expect(tg.callsTo("getUpdates")).toHaveLength(0);

    const alice = tg.user(3101, { firstName: "Alice", languageCode: "en" });
    await alice.send("/start");
    const welcome = await alice.waitFor((m) => m.text === plainText(en.welcome("Alice")));
    expect(welcome.from?.is_bot).toBe(true);
    // The 200 that confirms the update comes once the handler is done.
    await eventually(() => (tg.server.pendingUpdateCount() === 0 ? true : undefined), "the update confirmed");
  });

  it("refuses a post with a wrong or missing secret with 401 and does not process it", async () => {
    const intruder = 3199;
    const post = (headers: Record<string, string>) =>
      fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(fakeUpdate(900_000 + Object.keys(headers).length, intruder, "/start")),
      });
    expect((await post({ "x-telegram-bot-api-secret-token": "wrong" })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect((await fetch(webhookUrl)).status).toBe(405);
    // No wait needed: the webhook answers a post only once its handler is done (see the first test), so a
    // wrongly accepted update would already have reached sendMessage when its response came.
    const toIntruder = tg.calls.filter((c) => Number(c.payload.chat_id) === intruder);
    expect(toIntruder).toHaveLength(0);
    // Only Alice's /start from the first test ever reached the bot.
    expect(app.metrics.updates.get({ type: "message" })).toBe(1);
  });
});
