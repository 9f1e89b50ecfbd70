/**
 * Graceful shutdown of the real process (`node src/main.ts`): a SIGTERM while a handler waits for Telegram
 * lets it finish, takes no new updates (they stay with Telegram for the next start), and exits 0; a second
 * signal exits at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/bot/i18n/en.js";
import { type MainProcess, spawnMain, type TestEnv, testEnv } from "../helpers/app.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";
import { plainText } from "./helpers.js";

const HELP = plainText(en.help);

describe("graceful shutdown", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  const started: MainProcess[] = [];
  const start = async () => {
    const main = await spawnMain({ ...env.env, LOG_LEVEL: "info" }, /bot is polling/);
    started.push(main);
    return main;
  };

  beforeAll(async () => {
    tg = await startFakeTelegram();
    env = testEnv(tg, "shutdown");
  });

  afterAll(async () => {
    for (const main of started) if (main.child.exitCode === null) main.child.kill("SIGKILL");
    await tg?.close();
    await env?.cleanup();
  });

  it("lets a running handler finish, keeps new updates for the next start, and a second signal exits at once", async () => {
    const alice = tg.user(3501, { firstName: "Alice", languageCode: "en" });
    const bob = tg.user(3502, { firstName: "Bob", languageCode: "en" });
    const first = await start();
    const port = Number((await first.waitForOutput(/"port":(\d+),"msg":"HTTP server listening/))[1]);

    // Alice's reply is held inside the emulator: her handler is running when the signal arrives.
    const held = tg.server.holdNextCall("sendMessage");
    await alice.send("/help");
    await held.reached;
    first.child.kill("SIGTERM");
    await first.waitForOutput(/shutting down/);
    await bob.send("/start");
    const draining = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(draining.status).toBe(503);
    expect(((await draining.json()) as { status: string }).status).toBe("draining");
    expect(first.child.exitCode).toBeNull();

    held.release();
    expect((await first.exited).code).toBe(0);
    expect(alice.botMessages().map((m) => m.text)).toEqual([HELP]);
    expect(bob.botMessages()).toHaveLength(0);
    expect(tg.server.pendingUpdateCount()).toBe(1);

    // The next start answers Bob, and does not handle Alice's /help again.
    const second = await start();
    await bob.waitFor((m) => m.text === plainText(en.welcome("Bob")));
    expect(alice.botMessages()).toHaveLength(1);

    const heldAgain = tg.server.holdNextCall("sendMessage");
    await alice.send("/help");
    await heldAgain.reached;
    second.child.kill("SIGTERM");
    await second.waitForOutput(/shutting down/);
    second.child.kill("SIGTERM");
    const exit = await second.exited;
    heldAgain.release();
    expect(exit.code).toBe(130);
  }, 90_000);
});
