/**
 * `npm start` without BOT_TOKEN: the real entry point in a child process starts the playground, prints its
 * URL, serves the page and /healthz and /metrics next to it, and the real bot answers through the page's
 * JSON API. A graceful restart keeps the chats, the workflows and the generated signing key.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/bot/i18n/en.js";
import { pt } from "../../src/bot/i18n/pt.js";
import { SIGNING_KEY_FILE } from "../../src/playground/launch.js";
import { type MainProcess, spawnMain } from "../helpers/app.js";
import { eventually, parsePrometheus, plainText, sampleValue } from "./helpers.js";

interface ChatMessage {
  message_id: number;
  from?: { is_bot: boolean };
  text?: string;
}
interface ChatState {
  messages: ChatMessage[];
  commands: Array<{ command: string; description: string }>;
}

const READY = /Playground: open (http:\/\/\S+\/) to chat/;
const USER = 4242;

function pageApi(url: string) {
  const call = async (path: string, body?: Record<string, unknown>) => {
    const response = await fetch(new URL(path, url), {
      method: body ? "POST" : "GET",
      headers: body ? { "content-type": "application/json" } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
    return response.json();
  };
  return {
    send: (user: number, text: string) => call("/api/send", { user, text }),
    profile: (user: number, firstName: string, languageCode: string) =>
      call("/api/profile", { user, firstName, languageCode }),
    state: (user: number) => call(`/api/state?user=${user}`) as Promise<ChatState>,
  };
}

/** The first bot message whose text satisfies `test`, once it is there. */
function botMessage(api: ReturnType<typeof pageApi>, user: number, test: (text: string) => boolean) {
  return eventually(async () => {
    const { messages } = await api.state(user);
    return messages.find((m) => m.from?.is_bot && test(m.text ?? ""));
  }, "a bot message");
}

async function stopGracefully(main: MainProcess): Promise<number | null> {
  main.child.kill("SIGTERM");
  return (await main.exited).code;
}

describe("npm start without BOT_TOKEN", () => {
  let dataDir: string;
  const env = () => ({ DATA_DIR: dataDir, PLAYGROUND_PORT: "0", LOG_LEVEL: "info" });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "sma-playground-start-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("runs the playground; the bot answers through the page; a restart keeps chats, workflows and the key", async () => {
    let main = await spawnMain(env(), READY);
    let url = READY.exec(main.output())?.[1] ?? "";
    try {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);

      const api = pageApi(url);
      await api.profile(USER, "Pat", "en");
      await api.send(USER, "/start");
      await botMessage(api, USER, (text) => text === plainText(en.welcome("Pat")));

      // The command menu from setMyCommands, in English and in Portuguese.
      const { commands } = await api.state(USER);
      expect(commands.map((c) => c.command)).toContain("train");
      expect(commands.find((c) => c.command === "train")?.description).toBe(en.commands.train);
      await api.profile(USER + 1, "Rui", "pt");
      const ptMenu = (await api.state(USER + 1)).commands;
      expect(ptMenu.find((c) => c.command === "train")?.description).toBe(pt.commands.train);

      // /healthz and /metrics are served next to the page.
      const health = await fetch(new URL("/healthz", url));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", store: { ok: true } });
      const metrics = parsePrometheus(await (await fetch(new URL("/metrics", url))).text());
      expect(sampleValue(metrics, "sma_telegram_updates_total", { type: "message" })).toBeGreaterThanOrEqual(
        1,
      );

      // A workflow that must survive the restart.
      await api.send(USER, "/train");
      await botMessage(api, USER, (text) => text !== plainText(en.welcome("Pat")));

      const keyPath = join(dataDir, SIGNING_KEY_FILE);
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      const key = readFileSync(keyPath, "utf8").trim();
      expect(key).toMatch(/^[0-9a-f]{64}$/);

      expect(await stopGracefully(main)).toBe(0);

      main = await spawnMain(env(), READY);
      url = READY.exec(main.output())?.[1] ?? "";
      const again = pageApi(url);
      const before = (await again.state(USER)).messages;
      expect(before.some((m) => m.text === plainText(en.welcome("Pat")))).toBe(true);
      expect(readFileSync(keyPath, "utf8").trim()).toBe(key);

      // The /train workflow is still there to cancel.
      await again.send(USER, "/cancel");
      await botMessage(again, USER, (text) => text.includes(plainText(en.cancelled).split(".")[0]));
      const after = (await again.state(USER)).messages;
      expect(after.some((m) => m.from?.is_bot && m.text === plainText(en.nothingToCancel))).toBe(false);
    } finally {
      await stopGracefully(main);
    }
  }, 120_000);
});
