/** Runs the real app against the fake Bot API server, in this process or as a child process (`npm start`). */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, type AppOptions, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import type { FakeRunPodServer } from "../fakes/runpod/server.js";
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
      // Parallel test files each get a free port for /healthz and /metrics.
      PORT: "0",
      ...extra,
    },
    async cleanup() {
      await deletePrefix(prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The app in this process; its HTTP server (/healthz, /metrics, webhook) listens on a free loopback port. */
export async function startApp(env: TestEnv, options: Partial<AppOptions> = {}): Promise<App> {
  const config = loadConfig(env.env);
  const app = createApp(config, {
    logger: createLogger(config.logLevel),
    pollIntervalMs: 200,
    http: { port: Number(env.env.PORT ?? 0), host: "127.0.0.1" },
    ...options,
  });
  await app.start();
  return app;
}

/** A `node src/main.ts` child process and what it printed. */
export interface MainProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches (checking what was already printed first). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx src/main.ts` with exactly `env` on top of PATH/HOME (so a BOT_TOKEN or REDIS_URL
 * in the test runner's environment cannot leak in), and resolves once the output matches `ready`.
 */
export async function spawnMain(
  env: Record<string, string>,
  ready: RegExp,
  // Starting tsx and the bot takes a few seconds alone, over 30 s on a shared 2-core machine under load;
  // still under the 60 s hook timeout so that the error says what was printed.
  readyTimeoutMs = 50_000,
): Promise<MainProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) finish(() => resolve(match));
      };
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${output}`))),
        timeoutMs,
      );
      listeners.add(check);
      void exited.then(({ code, signal }) =>
        finish(() => reject(new Error(`exited (${code ?? signal}) before ${pattern}:\n${output}`))),
      );
      check();
    });
  const main: MainProcess = { child, output: () => output, waitForOutput, exited };
  try {
    await waitForOutput(ready, readyTimeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return main;
}

/** `npm start` as a child process, for restart tests; resolves once the bot polls. */
export async function spawnBot(env: TestEnv): Promise<ChildProcess> {
  const main = await spawnMain({ ...env.env, LOG_LEVEL: "info" }, /bot is polling/);
  return main.child;
}

export async function killBot(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

/** The bot's environment for the fake RunPod: API, Serverless, the network volume and its S3 keys. */
export function runPodBotEnv(fake: FakeRunPodServer): Record<string, string> {
  return {
    RUNPOD_API_KEY: fake.apiKey,
    RUNPOD_API_URL: fake.graphqlUrl,
    RUNPOD_SERVERLESS_URL: fake.serverlessUrl,
    RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
    RUNPOD_DATA_CENTER_ID: "EU-RO-1",
    RUNPOD_STORAGE_ENDPOINT: fake.volumes.endpoint,
    RUNPOD_STORAGE_ACCESS_KEY: fake.volumes.credentials.accessKeyId,
    RUNPOD_STORAGE_SECRET_KEY: fake.volumes.credentials.secretAccessKey,
    WORKER_IMAGE: "ghcr.io/example/sma-worker:1.0.0",
  };
}
