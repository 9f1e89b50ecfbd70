/**
 * getUpdates semantics: offset confirmation, limit, long polling that parks until an update arrives,
 * 409 for a concurrent poller, cleanup of aborted polls, allowed_updates, and redelivery to a new bot
 * process when the previous one never confirmed.
 */
import { Bot } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type BotApiServer, startBotApiServer } from "../../src/playground/bot-api/server.js";
import { runBot } from "../helpers/telegram.js";
import { call, ok } from "./bot-api-client.js";

const ALICE = 111;
const ids = (updates: Array<{ update_id: number }>) => updates.map((u) => u.update_id);

describe("getUpdates", () => {
  let server: BotApiServer;

  beforeEach(async () => {
    server = await startBotApiServer({ web: false });
  });
  afterEach(() => server.close());

  it("keeps updates until an offset confirms them; limit caps the batch; a negative offset keeps the tail", async () => {
    for (const text of ["one", "two", "three", "four"]) server.sendText(ALICE, text);
    expect(ids(await ok(server, "getUpdates", { limit: 2 }))).toEqual([1, 2]);
    expect(ids(await ok(server, "getUpdates"))).toEqual([1, 2, 3, 4]);
    expect(ids(await ok(server, "getUpdates", { offset: 3 }))).toEqual([3, 4]);
    expect(ids(await ok(server, "getUpdates"))).toEqual([3, 4]);
    expect(ids(await ok(server, "getUpdates", { offset: -1 }))).toEqual([4]);
    expect(await ok(server, "getUpdates", { offset: 5 })).toEqual([]);
    expect(server.pendingUpdateCount()).toBe(0);
  });

  it("parks a long poll until an update arrives, then returns it", async () => {
    let settled = false;
    const poll = ok(server, "getUpdates", { timeout: 30 }).finally(() => {
      settled = true;
    });
    await vi.waitFor(() => expect(server.hasParkedPoll()).toBe(true), { interval: 5 });
    expect(settled).toBe(false);
    server.sendText(ALICE, "wake up");
    const updates = await poll;
    expect(updates).toMatchObject([{ update_id: 1, message: { text: "wake up", from: { id: ALICE } } }]);
  });

  it("returns an empty list when the long poll times out", async () => {
    expect(await ok(server, "getUpdates", { timeout: 1 })).toEqual([]);
  });

  it("ends an older poll with 409 when another one starts", async () => {
    const first = call(server, "getUpdates", { timeout: 30 });
    await vi.waitFor(() => expect(server.hasParkedPoll()).toBe(true), { interval: 5 });
    const second = ok(server, "getUpdates", { timeout: 30 });
    expect((await first).body).toEqual({
      ok: false,
      error_code: 409,
      description:
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    server.sendText(ALICE, "for the second");
    expect(ids(await second)).toEqual([1]);
  });

  it("forgets an aborted poll, so the next update goes to the next caller", async () => {
    const abort = new AbortController();
    const dead = call(server, "getUpdates", { timeout: 30 }, { signal: abort.signal }).catch(
      (e: Error) => e.name,
    );
    await vi.waitFor(() => expect(server.hasParkedPoll()).toBe(true), { interval: 5 });
    abort.abort();
    expect(await dead).toBe("AbortError");
    // The server noticed the client leave: nothing is parked for the next update.
    await vi.waitFor(() => expect(server.hasParkedPoll()).toBe(false), { interval: 5 });
    server.sendText(ALICE, "still here");
    expect(await ok(server, "getUpdates", { timeout: 5 })).toMatchObject([
      { message: { text: "still here" } },
    ]);
  });

  it("drops update types outside allowed_updates, and the setting sticks", async () => {
    expect(await ok(server, "getUpdates", { allowed_updates: ["callback_query"] })).toEqual([]);
    server.sendText(ALICE, "ignored");
    expect(await ok(server, "getUpdates")).toEqual([]);
    await ok(server, "getUpdates", { allowed_updates: [] });
    server.sendText(ALICE, "seen");
    expect(await ok(server, "getUpdates")).toMatchObject([{ message: { text: "seen" } }]);
  });

  it("deleteWebhook with drop_pending_updates clears the queue", async () => {
    server.sendText(ALICE, "old");
    expect(await ok(server, "deleteWebhook", { drop_pending_updates: true })).toBe(true);
    expect(await ok(server, "getWebhookInfo")).toEqual({
      url: "",
      has_custom_certificate: false,
      pending_update_count: 0,
    });
  });

  it("redelivers unconfirmed updates to a new bot after the old one died", async () => {
    server.sendText(ALICE, "/start");
    server.sendText(ALICE, "hello");
    // A bot process fetched both updates and was killed before its next call confirmed them.
    expect(ids(await ok(server, "getUpdates", { offset: 0, timeout: 0 }))).toEqual([1, 2]);

    const seen: number[] = [];
    const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
    bot.on("message", async (ctx) => {
      seen.push(ctx.update.update_id);
      await ctx.reply(`handled ${ctx.message.text}`);
    });
    const stop = await runBot(bot);
    try {
      await expect.poll(() => server.messages(ALICE).filter((m) => m.from?.is_bot).length).toBe(2);
    } finally {
      await stop();
    }
    expect(seen).toEqual([1, 2]);
    expect(server.pendingUpdateCount()).toBe(0);
  });
});
