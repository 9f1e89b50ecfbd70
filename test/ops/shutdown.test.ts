/**
 * Graceful shutdown of the real process (`node src/main.ts`): a SIGTERM while a handler waits for Telegram
 * lets it finish, takes no new updates (they stay with Telegram for the next start), and exits 0; a second
 * signal exits at once; and with the Bot API no longer answering, the process still exits within 10 s.
 */
import { createServer, type Server, type Socket } from "node:net";
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

  it.each([
    ["is stopped (connections refused)", false],
    ["stops answering (connections accepted, nothing comes back)", true],
  ])(
    "exits within 10 s of SIGTERM when the Bot API server %s",
    async (_how, blackholed) => {
      const down = await startFakeTelegram();
      const downEnv = testEnv(down, `shutdown-down-${blackholed ? "silent" : "stopped"}`);
      let blackhole: Server | undefined;
      const sockets: Socket[] = [];
      try {
        const main = await spawnMain({ ...downEnv.env, LOG_LEVEL: "info" }, /bot is polling/);
        started.push(main);
        const port = Number((await main.waitForOutput(/"port":(\d+),"msg":"HTTP server listening/))[1]);
        const carol = down.user(3601, { firstName: "Carol", languageCode: "en" });
        await carol.send("/help");
        await carol.waitFor(HELP);
        // Handled and answered: the bot has an update to confirm when it stops.
        await untilMetric(port, /sma_telegram_api_calls_total\{method="sendMessage",outcome="ok"\} 1/);
        const apiPort = Number(new URL(down.apiRoot).port);
        await down.close();
        if (blackholed) {
          blackhole = createServer((socket) => sockets.push(socket));
          await new Promise<void>((resolve) => blackhole!.listen(apiPort, "127.0.0.1", resolve));
        }
        main.child.kill("SIGTERM");
        await main.waitForOutput(/shutting down/);
        const exit = await Promise.race([
          main.exited,
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error(`still running 12 s after SIGTERM:\n${main.output()}`)),
              12_000,
            ),
          ),
        ]);
        expect([0, 3]).toContain(exit.code);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => (blackhole ? blackhole.close(resolve) : resolve(undefined)));
        await downEnv.cleanup();
      }
    },
    60_000,
  );
});

/** Polls the bot's /metrics until a line matches. */
async function untilMetric(port: number, line: RegExp): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (line.test(text)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${line} in /metrics`);
}
