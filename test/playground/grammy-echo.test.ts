/**
 * A real grammY bot, long polling against the emulator through test/helpers/telegram.ts: replies with HTML
 * and a keyboard, answers a button and edits its message, downloads an upload and sends a document back.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, InlineKeyboard, InputFile } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeTelegram, runBot, startFakeTelegram } from "../helpers/telegram.js";

function echoBot(tg: FakeTelegram): Bot {
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.command("start", (ctx) =>
    ctx.reply("Welcome, <b>friend</b>!", {
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Accept", "terms:accept").text("Decline", "terms:decline"),
    }),
  );
  bot.callbackQuery(/^terms:(accept|decline)$/, async (ctx) => {
    await ctx.answerCallbackQuery({ text: `You chose ${ctx.match[1]}` });
    await ctx.editMessageText(ctx.match[1] === "accept" ? "Accepted ✅" : "Declined");
  });
  bot.on("message:document", async (ctx) => {
    const file = await ctx.getFile();
    const response = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
    const text = await response.text();
    const rows = text.trim().split("\n").length - 1;
    await ctx.replyWithDocument(new InputFile(Buffer.from(text.toUpperCase()), "upper case.csv"), {
      caption: `${rows} rows`,
    });
  });
  bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  bot.catch(() => {});
  return bot;
}

describe("a grammY bot against the emulator", () => {
  let tg: FakeTelegram;
  let bot: Bot;
  let stopBot: () => Promise<void>;

  beforeEach(async () => {
    tg = await startFakeTelegram();
    bot = echoBot(tg);
    stopBot = await runBot(bot);
  });

  afterEach(async () => {
    await stopBot();
    await tg.close();
  });

  it("replies, answers a button, edits, and round-trips a document", async () => {
    const alice = tg.user(111, { firstName: "Alice", languageCode: "en" });

    await alice.send("/start");
    const welcome = await alice.waitFor(/Welcome/);
    expect(welcome.text).toBe("Welcome, friend!");
    expect(welcome.entities).toEqual([{ type: "bold", offset: 9, length: 6 }]);
    expect(welcome.reply_markup?.inline_keyboard[0].map((b) => b.text)).toEqual(["Accept", "Decline"]);

    const queryId = await alice.click(/Accept/);
    const edited = await alice.waitFor(/Accepted/);
    expect(edited.message_id).toBe(welcome.message_id);
    expect(edited.edit_date).toBeTypeOf("number");
    expect(edited.reply_markup).toBeUndefined();
    expect(await alice.waitForAnswer(queryId)).toEqual({ text: "You chose accept", showAlert: false });

    await alice.upload("data.csv", "a,b\n1,2\n3,4\n");
    const reply = await alice.waitFor((m) => m.document !== undefined);
    expect(reply.caption).toBe("2 rows");
    const [doc] = alice.documents();
    expect(doc.fileName).toBe("upper case.csv");
    expect(doc.mimeType).toBe("text/csv");
    expect(doc.bytes.toString()).toBe("A,B\n1,2\n3,4\n");

    await alice.send("hello");
    expect((await alice.waitFor(/^echo:/)).text).toBe("echo: hello");
    expect(alice.messages().map((m) => m.message_id)).toEqual([1, 2, 3, 4, 5, 6]);
    // Long polling, not spinning: a handful of getUpdates calls for the whole conversation.
    expect(tg.callsTo("getUpdates").length).toBeLessThan(15);
    expect(tg.calls.filter((c) => !c.ok)).toEqual([]);
  });

  it("times out with the transcript when the expected reply never comes", async () => {
    const bob = tg.user(222);
    await bob.send("ping");
    await bob.waitFor(/echo: ping/);
    const failure = bob.waitFor(/never said/, { timeoutMs: 300 });
    await expect(failure).rejects.toThrow(/timed out after 300 ms[\s\S]*#2 bot : "echo: ping"/);
  });

  it("keeps two users apart", async () => {
    const alice = tg.user(111);
    const bob = tg.user(222);
    await alice.send("from alice");
    await bob.send("from bob");
    await alice.waitFor(/echo: from alice/);
    await bob.waitFor(/echo: from bob/);
    expect(alice.messages().map((m) => m.text)).toEqual(["from alice", "echo: from alice"]);
    expect(bob.messages().map((m) => m.text)).toEqual(["from bob", "echo: from bob"]);
  });

  it("works in a group chat", async () => {
    tg.group(-100123, "Analysts");
    const alice = tg.user(111, { firstName: "Alice" }).inChat(-100123);
    await alice.send("hi all");
    const reply = await alice.waitFor(/echo: hi all/);
    expect(reply.chat).toEqual({ id: -100123, type: "group", title: "Analysts" });
    expect(tg.server.messages(111)).toEqual([]);
  });
});

describe("flood control with grammY's auto-retry", () => {
  it("gets a 429, waits retry_after, and delivers every message in order", async () => {
    const tg = await startFakeTelegram({ limits: { perChatBurst: 3, perChatPerSecond: 2 } });
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    bot.api.config.use(autoRetry());
    bot.command("burst", async (ctx) => {
      for (let i = 1; i <= 5; i++) await ctx.reply(`line ${i}`);
    });
    const stop = await runBot(bot);
    try {
      const alice = tg.user(111);
      await alice.send("/burst");
      await alice.waitFor("line 5");
      expect(alice.botMessages().map((m) => m.text)).toEqual([
        "line 1",
        "line 2",
        "line 3",
        "line 4",
        "line 5",
      ]);
      const refused = tg.callsTo("sendMessage").filter((c) => !c.ok);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0].error).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
    } finally {
      await stop();
      await tg.close();
    }
  });
});
