/** Bot API conformance over HTTP: success shapes, Telegram's error texts, and the message limits. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotApiServer, startBotApiServer } from "../../src/playground/bot-api/server.js";
import { call, fails, ok } from "./bot-api-client.js";

const ALICE = 111;

describe("Bot API methods", () => {
  let server: BotApiServer;

  beforeEach(async () => {
    server = await startBotApiServer({ web: false, limits: { rateLimit: false } });
    server.userProfile(ALICE, { firstName: "Alice", languageCode: "en" });
    server.sendText(ALICE, "/start");
  });
  afterEach(() => server.close());

  it("answers a wrong token with 401 and an unknown method with 404", async () => {
    expect((await call(server, "getMe", {}, { token: "1:wrong" })).body).toEqual({
      ok: false,
      error_code: 401,
      description: "Unauthorized",
    });
    const unknown = await call(server, "sendTelepathy");
    expect([unknown.status, unknown.body]).toEqual([
      404,
      { ok: false, error_code: 404, description: "Not Found" },
    ]);
  });

  it("getMe describes the bot; method names are case-insensitive; GET with a query string works", async () => {
    const me = await ok(server, "GETME");
    expect(me).toMatchObject({ id: 123456789, is_bot: true, username: "sma_playground_bot" });
    const response = await fetch(`${server.apiRoot}/bot${server.token}/sendMessage?chat_id=${ALICE}&text=hi`);
    expect(((await response.json()) as { result: { text: string } }).result.text).toBe("hi");
  });

  it("sendMessage returns the Message with HTML entities, a keyboard and a reply", async () => {
    const message = await ok(server, "sendMessage", {
      chat_id: ALICE,
      text: "<b>Pick</b> one",
      parse_mode: "HTML",
      reply_parameters: { message_id: 1 },
      reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "a".repeat(64) }]] },
    });
    expect(message).toMatchObject({
      message_id: 2,
      from: { is_bot: true },
      chat: { id: ALICE, type: "private", first_name: "Alice" },
      text: "Pick one",
      entities: [{ type: "bold", offset: 0, length: 4 }],
      reply_to_message: { message_id: 1, text: "/start" },
      reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "a".repeat(64) }]] },
    });
    expect(message.date).toBeCloseTo(Date.now() / 1000, -1);
  });

  it("refuses bad sends with Telegram's texts", async () => {
    expect(await fails(server, "sendMessage", { chat_id: 999, text: "x" })).toEqual([
      400,
      "Bad Request: chat not found",
    ]);
    expect(await fails(server, "sendMessage", { text: "x" })).toEqual([400, "Bad Request: chat_id is empty"]);
    expect(await fails(server, "sendMessage", { chat_id: ALICE, text: " " })).toEqual([
      400,
      "Bad Request: message text is empty",
    ]);
    expect(await fails(server, "sendMessage", { chat_id: ALICE, text: "x".repeat(4097) })).toEqual([
      400,
      "Bad Request: message is too long",
    ]);
    expect(
      await fails(server, "sendMessage", { chat_id: ALICE, text: "<p>x</p>", parse_mode: "HTML" }),
    ).toEqual([400, 'Bad Request: can\'t parse entities: Unsupported start tag "p" at byte offset 0']);
    const tooLongData = { inline_keyboard: [[{ text: "A", callback_data: "é".repeat(33) }]] };
    expect(
      await fails(server, "sendMessage", { chat_id: ALICE, text: "x", reply_markup: tooLongData }),
    ).toEqual([400, "Bad Request: BUTTON_DATA_INVALID"]);
    const noAction = { inline_keyboard: [[{ text: "A" }]] };
    expect(await fails(server, "sendMessage", { chat_id: ALICE, text: "x", reply_markup: noAction })).toEqual(
      [
        400,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
      ],
    );
    expect(
      await fails(server, "sendMessage", { chat_id: ALICE, text: "x", reply_to_message_id: 77 }),
    ).toEqual([400, "Bad Request: message to be replied not found"]);
    expect(server.messages(ALICE)).toHaveLength(1);
  });

  it("won't write first to a user who never wrote, nor to one who blocked the bot", async () => {
    server.userProfile(222);
    expect(await fails(server, "sendMessage", { chat_id: 222, text: "hi" })).toEqual([
      403,
      "Forbidden: bot can't initiate conversation with a user",
    ]);
    server.blockBot(ALICE);
    expect(await fails(server, "sendMessage", { chat_id: ALICE, text: "hi" })).toEqual([
      403,
      "Forbidden: bot was blocked by the user",
    ]);
  });

  it("editMessageText edits in place, drops the keyboard unless resent, and refuses a no-op edit", async () => {
    const keyboard = { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] };
    const sent = await ok(server, "sendMessage", { chat_id: ALICE, text: "Step 1", reply_markup: keyboard });
    const target = { chat_id: ALICE, message_id: sent.message_id };
    const reordered = { inline_keyboard: [[{ callback_data: "go", text: "Go" }]] };
    expect(
      await fails(server, "editMessageText", { ...target, text: "Step 1", reply_markup: reordered }),
    ).toEqual([
      400,
      "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    ]);
    const edited = await ok(server, "editMessageText", {
      ...target,
      text: "<i>Step 2</i>",
      parse_mode: "HTML",
    });
    expect(edited).toMatchObject({
      message_id: sent.message_id,
      text: "Step 2",
      edit_date: expect.any(Number),
    });
    expect(edited.reply_markup).toBeUndefined();
    expect(server.messages(ALICE).at(-1)?.text).toBe("Step 2");
    expect(await fails(server, "editMessageText", { chat_id: ALICE, message_id: 99, text: "x" })).toEqual([
      400,
      "Bad Request: message to edit not found",
    ]);
    expect(await fails(server, "editMessageText", { chat_id: ALICE, message_id: 1, text: "x" })).toEqual([
      400,
      "Bad Request: message can't be edited",
    ]);
  });

  it("editMessageReplyMarkup and editMessageCaption change only their part", async () => {
    const sent = await ok(server, "sendMessage", { chat_id: ALICE, text: "Menu" });
    const target = { chat_id: ALICE, message_id: sent.message_id };
    const keyboard = { inline_keyboard: [[{ text: "Docs", url: "https://example.com" }]] };
    expect(
      (await ok(server, "editMessageReplyMarkup", { ...target, reply_markup: keyboard })).reply_markup,
    ).toEqual(keyboard);
    expect((await fails(server, "editMessageReplyMarkup", { ...target, reply_markup: keyboard }))[1]).toMatch(
      /message is not modified/,
    );
    expect(await fails(server, "editMessageCaption", { ...target, caption: "c" })).toEqual([
      400,
      "Bad Request: there is no caption in the message to edit",
    ]);
  });

  it("deleteMessage removes a message once", async () => {
    const sent = await ok(server, "sendMessage", { chat_id: ALICE, text: "temporary" });
    expect(await ok(server, "deleteMessage", { chat_id: ALICE, message_id: sent.message_id })).toBe(true);
    expect(await fails(server, "deleteMessage", { chat_id: ALICE, message_id: sent.message_id })).toEqual([
      400,
      "Bad Request: message to delete not found",
    ]);
    expect(server.messages(ALICE).map((m) => m.message_id)).toEqual([1]);
  });

  it("answerCallbackQuery accepts one answer per query", async () => {
    const keyboard = { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] };
    const sent = await ok(server, "sendMessage", { chat_id: ALICE, text: "Press", reply_markup: keyboard });
    const queryId = server.pressButton(ALICE, sent.message_id, "go");
    const [update] = (await ok(server, "getUpdates", { offset: 2 })) as Array<{ callback_query: unknown }>;
    expect(update.callback_query).toMatchObject({
      id: queryId,
      data: "go",
      message: { message_id: sent.message_id },
    });
    expect(await ok(server, "answerCallbackQuery", { callback_query_id: queryId, text: "Done" })).toBe(true);
    const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    expect(await fails(server, "answerCallbackQuery", { callback_query_id: queryId })).toEqual([400, tooOld]);
    expect(await fails(server, "answerCallbackQuery", { callback_query_id: "42" })).toEqual([400, tooOld]);
    expect(() => server.pressButton(ALICE, sent.message_id, "not-there")).toThrow(/no button/);
  });

  it("sendChatAction takes only Telegram's actions", async () => {
    expect(await ok(server, "sendChatAction", { chat_id: ALICE, action: "typing" })).toBe(true);
    expect(await fails(server, "sendChatAction", { chat_id: ALICE, action: "dancing" })).toEqual([
      400,
      "Bad Request: wrong parameter action in request",
    ]);
  });

  it("keeps commands per scope and language", async () => {
    const en = [{ command: "train", description: "Train a model" }];
    const de = [{ command: "train", description: "Modell trainieren" }];
    expect(await ok(server, "setMyCommands", { commands: en })).toBe(true);
    expect(await ok(server, "setMyCommands", { commands: de, language_code: "de" })).toBe(true);
    expect(await ok(server, "getMyCommands")).toEqual(en);
    expect(await ok(server, "getMyCommands", { language_code: "de" })).toEqual(de);
    expect(await ok(server, "getMyCommands", { language_code: "fr" })).toEqual([]);
    expect(server.commandsFor(ALICE, "de")).toEqual(de);
    expect(server.commandsFor(ALICE, "fr")).toEqual(en);
    expect(
      await fails(server, "setMyCommands", { commands: [{ command: "Train", description: "x" }] }),
    ).toEqual([400, "Bad Request: BOT_COMMAND_INVALID"]);
    expect(await ok(server, "deleteMyCommands", {})).toBe(true);
    expect(await ok(server, "getMyCommands")).toEqual([]);
  });

  it("logs every call with its payload and outcome", async () => {
    await ok(server, "sendMessage", { chat_id: ALICE, text: "logged" });
    await fails(server, "sendMessage", { chat_id: ALICE, text: "" });
    const [good, bad] = server.calls.slice(-2);
    expect(good).toMatchObject({ method: "sendMessage", ok: true, payload: { text: "logged" } });
    expect(bad).toMatchObject({
      ok: false,
      error: { error_code: 400, description: "Bad Request: message text is empty" },
    });
  });
});

describe("flood control", () => {
  it("answers 429 with retry_after once a chat's burst is spent", async () => {
    const server = await startBotApiServer({
      web: false,
      limits: { perChatBurst: 3, perChatPerSecond: 0.5 },
    });
    try {
      server.sendText(ALICE, "hi");
      for (let i = 0; i < 3; i++) await ok(server, "sendMessage", { chat_id: ALICE, text: `m${i}` });
      const answer = await call(server, "sendMessage", { chat_id: ALICE, text: "one too many" });
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual({
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 2",
        parameters: { retry_after: 2 },
      });
      server.sendText(222, "hi");
      expect((await ok(server, "sendMessage", { chat_id: 222, text: "other chat" })).text).toBe("other chat");
      expect(server.messages(ALICE)).toHaveLength(4);
    } finally {
      await server.close();
    }
  });

  it("limits all chats together with the global bucket", async () => {
    const server = await startBotApiServer({ web: false, limits: { globalBurst: 2, globalPerSecond: 1 } });
    try {
      for (const id of [1, 2, 3]) server.sendText(id, "hi");
      await ok(server, "sendMessage", { chat_id: 1, text: "a" });
      await ok(server, "sendMessage", { chat_id: 2, text: "b" });
      expect((await call(server, "sendMessage", { chat_id: 3, text: "c" })).body.parameters).toEqual({
        retry_after: 1,
      });
    } finally {
      await server.close();
    }
  });
});
