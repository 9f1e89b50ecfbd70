/** Runs the real app against the fake Bot API server, in this process or as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "./redis.js";
import type { FakeTelegram } from "./telegram.js";

export const TEST_SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789abcdef";

export interface TestEnv {
  env: Record<string, string>;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** Environment for a bot talking to `tg`, with its own Redis prefix and data folder. */
export function testEnv(tg: FakeTelegram, name: string, extra: Record<string, string> = {}): TestEnv {
  const dataDir = mkdtempSync(join(tmpdir(), `sma-${name}-`));
  const prefix = testPrefix(name);
  return {
    dataDir,
    env: {
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      REDIS_URL: REDIS_TEST_URL,
      REDIS_PREFIX: prefix,
      DATA_DIR: dataDir,
      MODEL_SIGNING_KEY: TEST_SIGNING_KEY,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ...extra,
    },
    async cleanup() {
      await deletePrefix(prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startApp(env: TestEnv): Promise<App> {
  const config = loadConfig(env.env);
  const app = createApp(config, { logger: createLogger(config.logLevel), pollIntervalMs: 200 });
  await app.start();
  return app;
}

/** `npm start` as a child process, for restart tests; resolves once the bot polls. */
export async function spawnBot(env: TestEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, ...env.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("bot is polling")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited with ${code}:\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

export async function killBot(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}
