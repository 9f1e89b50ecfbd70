/**
 * The bot's running life: start (menu, recovery, HTTP server, updates by polling or webhook) and graceful
 * stop (stop taking updates, let running handlers finish within a bound, confirm what was handled, stop the
 * workflow runtime, which persists, close the HTTP server and the store).
 */
import type { Bot } from "grammy";
import type { Config } from "../config.js";
import { CloudConfigurationError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { WorkflowRuntime } from "../state/runtime.js";
import type { WorkflowStore } from "../state/store.js";
import { registerCommands } from "./commands.js";
import type { BotContext } from "./context.js";
import { HealthChecker, type ProviderHealthSource } from "./health.js";
import type { BotMetrics } from "./metrics.js";
import type { UpdateTracker } from "./middleware/updates.js";
import { pollingReceiver, type Receiver, webhookReceiver, webhookSecretFor } from "./receiver.js";
import { type HttpServer, opsRoutes, type RouteHandler, startHttpServer } from "./server.js";

/**
 * Where /healthz, /metrics and the webhook are served: a port of our own (0 picks a free one), routes
 * mounted on a server someone else runs (the playground's), or nowhere.
 */
export type HttpPlacement =
  | { port: number; host?: string }
  | { mount: (routes: RouteHandler) => void }
  | false;

export interface BotServiceOptions {
  bot: Bot<BotContext>;
  config: Config;
  logger: Logger;
  store: WorkflowStore;
  runtime: WorkflowRuntime;
  metrics: BotMetrics;
  tracker: UpdateTracker;
  http: HttpPlacement;
  /** The providers' health for /healthz (the cloud layer's factory, see health.ts). */
  providerHealth?: ProviderHealthSource;
  /** Longest wait for running handlers when stopping (default 7 s). */
  shutdownGraceMs?: number;
  /** The update source died by itself (a 401 or a 409 from another instance): the process should exit. */
  onFatal?: (error: unknown) => void;
}

export interface BotService {
  readonly mode: "polling" | "webhook";
  /** The port of our own HTTP server once started. */
  readonly httpPort: number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Handlers get most of the 10 s a stop may take (src/main.ts cuts it short there); the rest is quick. */
const DEFAULT_SHUTDOWN_GRACE_MS = 7_000;

export function createBotService(options: BotServiceOptions): BotService {
  const { bot, config, logger, store, runtime, tracker } = options;
  let draining = false;
  let server: HttpServer | undefined;
  const webhookUrl = config.telegram.webhookUrl;
  const webhook = webhookUrl
    ? webhookReceiver(bot, webhookUrl, webhookSecretFor(bot.token, config.telegram.webhookSecret))
    : undefined;
  if (webhook && (!options.http || "mount" in options.http)) {
    throw new CloudConfigurationError("WEBHOOK_URL needs the bot's own HTTP server (PORT).", {
      variables: ["WEBHOOK_URL", "PORT"],
    });
  }
  const receiver: Receiver =
    webhook ?? pollingReceiver(bot, tracker, logger, options.onFatal ?? (() => undefined));
  const health = new HealthChecker({ store, providers: options.providerHealth });
  const routes = opsRoutes({ health, metrics: options.metrics.registry, webhook, draining: () => draining });

  return {
    mode: receiver.mode,
    get httpPort() {
      return server?.port;
    },
    async start() {
      await bot.init();
      await registerCommands(bot.api, logger);
      await runtime.start();
      const http = options.http;
      if (http && "mount" in http) http.mount(routes);
      else if (http) server = await startHttpServer(routes, http, logger);
      if (server) logger.info({ port: server.port }, "HTTP server listening (/healthz, /metrics)");
      await receiver.start();
    },
    async stop() {
      draining = true;
      await receiver.stop();
      const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const idle = await tracker.idle(graceMs);
      if (!idle) logger.warn({ running: tracker.inFlight, graceMs }, "stopping with handlers still running");
      await receiver.finish(idle);
      await runtime.stop();
      await server?.close();
      await store.close();
    },
  };
}
