/**
 * Webhook mode of the emulator: setWebhook validation, delivery by POST with the secret-token header, a
 * non-2xx answer keeps the update (recorded in getWebhookInfo) and it is delivered again, getUpdates is
 * refused while a webhook is set, and deleteWebhook hands pending updates back to getUpdates.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BotApiServer, startBotApiServer } from "../../src/playground/bot-api/server.js";
import { fails, ok } from "./bot-api-client.js";

interface Received {
  secret: string | undefined;
  update: { update_id: number; message?: { text?: string } };
}

/** A bot-side webhook endpoint answering with the status `answer` decides. */
async function startEndpoint(answer: (count: number) => number) {
  const received: Received[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      secret: req.headers["x-telegram-bot-api-secret-token"] as string | undefined,
      update: JSON.parse(Buffer.concat(chunks).toString("utf8")),
    });
    res.writeHead(answer(received.length)).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("setWebhook and delivery", () => {
  let server: BotApiServer;
  beforeEach(async () => {
    server = await startBotApiServer({ web: false, webhookRetryBaseMs: 20 });
  });
  afterEach(() => server.close());

  it("validates the URL and the secret token as Telegram does", async () => {
    expect(await fails(server, "setWebhook", { url: "http://example.com/hook" })).toEqual([
      400,
      "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    ]);
    expect(await fails(server, "setWebhook", { url: "https://example.com:8080/hook" })).toEqual([
      400,
      "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
    ]);
    const [status] = await fails(server, "setWebhook", {
      url: "https://example.com/hook",
      secret_token: "a b",
    });
    expect(status).toBe(400);
    expect(await ok(server, "setWebhook", { url: "https://example.com:8443/hook" })).toBe(true);
    expect((await ok(server, "getWebhookInfo")).url).toBe("https://example.com:8443/hook");
  });

  it("posts each update with the secret header, and getUpdates is refused meanwhile", async () => {
    const endpoint = await startEndpoint(() => 200);
    try {
      await ok(server, "setWebhook", { url: endpoint.url, secret_token: "s3cret_token-1" });
      server.sendText(5, "hello");
      server.sendText(5, "again");
      await until(() => endpoint.received.length === 2, "two deliveries");
      expect(endpoint.received.map((r) => r.secret)).toEqual(["s3cret_token-1", "s3cret_token-1"]);
      expect(endpoint.received.map((r) => r.update.message?.text).sort()).toEqual(["again", "hello"]);
      await until(() => server.pendingUpdateCount() === 0, "confirmation");
      expect(await fails(server, "getUpdates")).toEqual([
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      ]);
    } finally {
      await endpoint.close();
    }
  });

  it("keeps an update the webhook refused, reports the error, and delivers it again", async () => {
    const endpoint = await startEndpoint((count) => (count === 1 ? 401 : 200));
    try {
      await ok(server, "setWebhook", { url: endpoint.url, secret_token: "right" });
      server.sendText(6, "once");
      await until(() => endpoint.received.length >= 2, "a second delivery");
      const [first, second] = endpoint.received;
      expect(second.update.update_id).toBe(first.update.update_id);
      const info = await ok(server, "getWebhookInfo");
      expect(info.last_error_message).toBe("Wrong response from the webhook: 401 Unauthorized");
      expect(typeof info.last_error_date).toBe("number");
      await until(() => server.pendingUpdateCount() === 0, "confirmation after the retry");
    } finally {
      await endpoint.close();
    }
  });

  it("deleteWebhook hands the pending updates to getUpdates", async () => {
    const endpoint = await startEndpoint(() => 500);
    try {
      await ok(server, "setWebhook", { url: endpoint.url });
      server.sendText(7, "stuck");
      await until(() => endpoint.received.length >= 1, "a delivery attempt");
      expect(await ok(server, "deleteWebhook")).toBe(true);
      expect((await ok(server, "getWebhookInfo")).url).toBe("");
      const updates = await ok(server, "getUpdates");
      expect(updates.map((u: Received["update"]) => u.message?.text)).toEqual(["stuck"]);
    } finally {
      await endpoint.close();
    }
  });
});
