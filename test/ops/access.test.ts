/**
 * Who gets answered, over real HTTP against one running bot: the allow list and admins, the per-user rate
 * limit (one polite notice; other users unaffected), and group chats (commands addressed to the bot and
 * replies to it only).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { BotContext } from "../../src/bot/context.js";
import { en } from "../../src/bot/i18n/en.js";
import { isAdmin } from "../../src/bot/middleware/access.js";
import { isAddressedToBot } from "../../src/bot/middleware/groups.js";
import { loadConfig } from "../../src/config.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { fixture } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";
import { eventually, plainText } from "./helpers.js";

const PER_MINUTE = 8;
const ALICE = 3401;
const BOB = 3402;
const GINA = 3403;
const GUS = 3404;
const DAVE = 3408;
const CAROL_ADMIN = 3409;
const GROUP = -3400;
const HELP = plainText(en.help);

describe("access, rate limit and group chats", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    env = testEnv(tg, "access", {
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      ALLOWED_USER_IDS: [ALICE, BOB, GINA, GUS].join(","),
      ADMIN_USER_IDS: String(CAROL_ADMIN),
    });
    app = await startApp(env);
  });

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await env?.cleanup();
  });

  const dropped = (reason: string) => app.metrics.droppedUpdates.get({ reason });

  it("answers allowed users and admins, and tells strangers the bot is private", async () => {
    const dave = tg.user(DAVE, { firstName: "Dave", languageCode: "en" });
    await dave.send("/start");
    await dave.waitFor((m) => m.text === plainText(en.errors.accessDenied));
    const carol = tg.user(CAROL_ADMIN, { firstName: "Carol", languageCode: "en" });
    await carol.send("/help");
    await carol.waitFor((m) => m.text === HELP);
  });

  it("isAdmin passes only ADMIN_USER_IDS", () => {
    const config = loadConfig({ ...env.env, ADMIN_USER_IDS: "7,8" });
    const ctx = (id: number) => ({ from: { id }, deps: { config } }) as unknown as BotContext;
    expect(isAdmin(ctx(7))).toBe(true);
    expect(isAdmin(ctx(ALICE))).toBe(false);
  });

  it("30 messages in a second: one polite notice, and another user is answered meanwhile", async () => {
    const alice = tg.user(ALICE, { firstName: "Alice", languageCode: "en" });
    const bob = tg.user(BOB, { firstName: "Bob", languageCode: "en" });
    for (let n = 0; n < 15; n++) await alice.send("/help");
    await bob.send("/start");
    for (let n = 0; n < 15; n++) await alice.send("/help");

    await bob.waitFor((m) => m.text === plainText(en.welcome("Bob")));
    await eventually(() => (dropped("rate_limited") === 30 - PER_MINUTE ? true : undefined), "every drop");
    await eventually(
      () => (alice.botMessages().filter((m) => m.text === HELP).length === PER_MINUTE ? true : undefined),
      "the answers within the limit",
    );
    const notices = alice.botMessages().filter((m) => m.text === plainText(en.errors.rateLimited));
    expect(notices).toHaveLength(1);
    expect(alice.botMessages()).toHaveLength(PER_MINUTE + 1);
  });

  it("in a group, ignores chatter and commands for other bots, and answers its commands and replies", async () => {
    tg.group(GROUP, "Analysts");
    const gina = tg.user(GINA, { firstName: "Gina", languageCode: "en" }).inChat(GROUP);
    const gus = tg.user(GUS, { firstName: "Gus", languageCode: "en" }).inChat(GROUP);
    const chatterBefore = dropped("group_chatter");

    await gina.send("good morning everyone");
    await gina.send("/help@another_bot");
    await eventually(() => (dropped("group_chatter") === chatterBefore + 2 ? true : undefined), "two drops");
    expect(gina.botMessages()).toHaveLength(0);

    await gina.send("/help");
    await gina.waitFor((m) => m.text === HELP);
    await gina.send(`/start@${tg.server.bot.username}`);
    await gina.waitFor((m) => m.text === plainText(en.welcome("Gina")));

    // A file for the bot counts only as a reply to the bot's question.
    await gus.send("/train");
    const ask = await gus.waitFor(/Send me your data/);
    await gus.upload("iris.csv", fixture("iris.csv"));
    await eventually(
      () => (dropped("group_chatter") === chatterBefore + 3 ? true : undefined),
      "a third drop",
    );
    await gus.upload("iris.csv", fixture("iris.csv"), { replyTo: ask.message_id });
    await gus.waitFor(/Target: species/, { timeoutMs: 20_000 });
    await gus.click(/Accept/);
    await gus.waitFor(/What kind of model/);
  });
});

describe("isAddressedToBot", () => {
  const BOT_ID = 42;
  const message = (text: string, extra: Record<string, unknown> = {}) =>
    ({
      message_id: 1,
      date: 0,
      chat: { id: -1, type: "group", title: "g" },
      text,
      entities: text.startsWith("/")
        ? [{ type: "bot_command", offset: 0, length: text.split(" ")[0].length }]
        : undefined,
      ...extra,
    }) as never;

  it("takes commands without a mention or with ours, and replies to the bot", () => {
    expect(isAddressedToBot(message("/train"), BOT_ID, "sma_bot")).toBe(true);
    expect(isAddressedToBot(message("/train@SMA_bot now"), BOT_ID, "sma_bot")).toBe(true);
    expect(isAddressedToBot(message("/train@other_bot"), BOT_ID, "sma_bot")).toBe(false);
    expect(isAddressedToBot(message("see /train"), BOT_ID, "sma_bot")).toBe(false);
    expect(isAddressedToBot(message("thanks"), BOT_ID, "sma_bot")).toBe(false);
    const reply = { reply_to_message: { message_id: 9, from: { id: BOT_ID, is_bot: true } } };
    expect(isAddressedToBot(message("thanks", reply), BOT_ID, "sma_bot")).toBe(true);
    const replyToPerson = { reply_to_message: { message_id: 9, from: { id: 7, is_bot: false } } };
    expect(isAddressedToBot(message("thanks", replyToPerson), BOT_ID, "sma_bot")).toBe(false);
  });
});
