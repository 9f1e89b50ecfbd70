/**
 * /healthz and /metrics over real HTTP: 200 with Redis up (and the providers' cached health), 503 with a
 * store that cannot answer; the metrics page parses as Prometheus text and its counters move with traffic,
 * including the Telegram 429s the emulator answers.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { HealthChecker, type HealthStatus, providerHealthFrom } from "../../src/bot/health.js";
import { createBotMetrics } from "../../src/bot/metrics.js";
import { type HttpServer, opsRoutes, startHttpServer } from "../../src/bot/server.js";
import { CloudProviderFactory } from "../../src/cloud/provider-factory.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { testPrefix } from "../helpers/redis.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";
import { eventually, parsePrometheus, sampleValue } from "./helpers.js";

describe("/healthz and /metrics of a running bot", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;
  let base: string;
  const scrape = async () => parsePrometheus(await (await fetch(`${base}/metrics`)).text());

  beforeAll(async () => {
    // A tight per-chat limit, so replies in a row meet Telegram's 429.
    tg = await startFakeTelegram({ limits: { perChatBurst: 1, perChatPerSecond: 2 } });
    // The bot's own pacing is loosened so the emulator's 429s really happen.
    env = testEnv(tg, "health-metrics", {
      TELEGRAM_PER_CHAT_PER_SECOND: "100",
      TELEGRAM_PER_CHAT_BURST: "100",
    });
    app = await startApp(env);
    base = `http://127.0.0.1:${app.httpPort}`;
  });

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await env?.cleanup();
  });

  it("says healthy with Redis up, with the providers' health once probed", async () => {
    const first = await fetch(`${base}/healthz`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(await first.json()).toMatchObject({ status: "ok", store: { ok: true } });
    const withProviders = await eventually(async () => {
      const body = (await (await fetch(`${base}/healthz`)).json()) as HealthStatus;
      return body.providers ? body : undefined;
    }, "provider health");
    expect(withProviders.providers?.local).toEqual({ healthy: true, errors: [] });
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });

  it("serves parseable Prometheus text whose counters move with traffic", async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = parsePrometheus(await response.text());
    const updatesBefore = sampleValue(before, "sma_telegram_updates_total", { type: "message" });
    const sentBefore = sampleValue(before, "sma_telegram_api_calls_total", {
      method: "sendMessage",
      outcome: "ok",
    });

    const alice = tg.user(3301, { firstName: "Alice", languageCode: "en" });
    for (const command of ["/help", "/help", "/help"]) await alice.send(command);
    await eventually(() => (alice.botMessages().length >= 3 ? true : undefined), "three replies");
    await alice.send("/train");
    await eventually(() => (alice.botMessages().length >= 4 ? true : undefined), "the training prompt");

    const after = await scrape();
    expect(sampleValue(after, "sma_telegram_updates_total", { type: "message" })).toBe(updatesBefore + 4);
    // The bot's count agrees with the emulator's log of answered sendMessage calls.
    const sentAfter = sampleValue(after, "sma_telegram_api_calls_total", {
      method: "sendMessage",
      outcome: "ok",
    });
    expect(sentAfter).toBe(tg.callsTo("sendMessage").filter((c) => c.ok).length);
    expect(sentAfter).toBeGreaterThanOrEqual(sentBefore + 4);
    // Every 429 the emulator answered was counted (auto-retry sits outside the counter).
    const rejected = tg.calls.filter((c) => c.error?.error_code === 429);
    expect(rejected.length).toBeGreaterThan(0);
    const counted = after
      .filter((s) => s.name === "sma_telegram_api_429_total")
      .reduce((sum, s) => sum + s.value, 0);
    expect(counted).toBe(rejected.length);
    expect(sampleValue(after, "sma_workflow_commits_total", { workflow: "training" })).toBeGreaterThan(0);
    expect(after.some((s) => s.name === "sma_process_resident_memory_bytes" && s.value > 0)).toBe(true);
  });
});

describe("/healthz with a store that cannot answer", () => {
  const logger = createLogger("silent");
  const serve = async (store: { ping(): Promise<boolean> }): Promise<HttpServer> => {
    const health = new HealthChecker({ store, pingTimeoutMs: 300 });
    const routes = opsRoutes({ health, metrics: createBotMetrics().registry, draining: () => false });
    return startHttpServer(routes, { port: 0, host: "127.0.0.1" }, logger);
  };

  it("answers 503 when Redis is unreachable", async () => {
    // A real client to a port where no Redis listens, failing fast instead of queueing commands.
    const client = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    const store = new RedisWorkflowStore(client, testPrefix("dead-redis"));
    const server = await serve(store);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "down", store: { ok: false } });
    } finally {
      await server.close();
      client.disconnect();
    }
  });

  it("answers 503 instead of waiting for a store that hangs", async () => {
    const server = await serve({ ping: () => new Promise<boolean>(() => undefined) });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as HealthStatus).store.ok).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe("provider health through the cloud layer's one factory", () => {
  it("reports the factory's probes, and the factory's fallback reuses them instead of probing again", async () => {
    let runpodProbes = 0;
    const factory = new CloudProviderFactory({
      config: loadConfig({ RUNPOD_API_KEY: "rpa_test" }),
      healthProbes: {
        runpod: async () => {
          runpodProbes++;
          return { healthy: false, errors: ["runpod: API unreachable"] };
        },
      },
    });
    const health = new HealthChecker({
      store: { ping: async () => true },
      providers: providerHealthFrom(factory),
    });
    await health.check(); // starts the background probe
    await health.settled();
    const status = await health.check();
    expect(status.status).toBe("degraded");
    expect(status.providers).toEqual({
      runpod: { healthy: false, errors: ["runpod: API unreachable"] },
      local: { healthy: true, errors: [] },
    });
    expect(await factory.getBestProvider()).toBe("local");
    expect(runpodProbes).toBe(1);
  });
});
