/**
 * Wiring: config → storage and compute → workflow store → state manager and runtime → bot and renderer.
 * Used by src/main.ts and by the end-to-end tests, which run the same app against a fake Bot API server.
 */
import { join, resolve } from "node:path";
import type { Bot } from "grammy";
import type { BotContext, BotDeps } from "./bot/context.js";
import { providerHealthFrom } from "./bot/health.js";
import { createBot } from "./bot/index.js";
import { userTexts } from "./bot/language.js";
import { createBotService, type HttpPlacement } from "./bot/lifecycle.js";
import { type BotMetrics, createBotMetrics, registerJobsGauge, registerQueueMetrics } from "./bot/metrics.js";
import { UpdateTracker } from "./bot/middleware/updates.js";
import { Renderer } from "./bot/renderer.js";
import { throttle } from "./bot/throttle.js";
import { createUserStorage } from "./cloud/storage-user.js";
import { createCompute } from "./compute.js";
import type { Config } from "./config.js";
import { formatReport, runDoctor } from "./doctor/index.js";
import { CloudConfigurationError } from "./errors.js";
import { activeJobIds } from "./flows/active-jobs.js";
import { Catalog } from "./flows/catalog.js";
import { createWorkflowDefinitions } from "./flows/index.js";
import { systemClock } from "./flows/ports.js";
import type { Logger } from "./logger.js";
import { MemoryWorkflowStore } from "./state/memory-store.js";
import { RedisWorkflowStore } from "./state/redis-store.js";
import { WorkflowRuntime } from "./state/runtime.js";
import { StateManager } from "./state/state-manager.js";
import type { WorkflowStore } from "./state/store.js";
import { UserData } from "./state/user-data.js";

export interface App {
  bot: Bot<BotContext>;
  store: WorkflowStore;
  runtime: WorkflowRuntime;
  manager: StateManager;
  metrics: BotMetrics;
  /** How updates arrive: long polling, or a webhook when WEBHOOK_URL is set. */
  readonly mode: "polling" | "webhook";
  /** The port serving /healthz, /metrics (and the webhook) once started, when the app runs its own server. */
  readonly httpPort: number | undefined;
  /** Starts recovery, the HTTP server and taking updates. Resolves when updates are being taken. */
  start(): Promise<void>;
  /** Stops taking updates, lets handlers finish, stops live actors, closes the server and the store. */
  stop(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  /** Milliseconds between job status polls (default 1000). */
  pollIntervalMs?: number;
  /** Shortest time between two edits of a progress message (default PROGRESS_EDIT_INTERVAL_MS, 3 s). */
  progressEditIntervalMs?: number;
  /** Lease time of a hosted workflow (default 15 s). */
  leaseTtlMs?: number;
  /** Where /healthz, /metrics and the webhook are served (default: PORT on every interface). */
  http?: HttpPlacement;
  /** Longest wait for running handlers when stopping (default 7 s). */
  shutdownGraceMs?: number;
  /** Updates stopped arriving by themselves (401, or 409: another instance polls): the process should exit. */
  onFatal?: (error: unknown) => void;
}

export function createApp(config: Config, options: AppOptions): App {
  const { logger } = options;
  if (!config.telegram.token)
    throw new CloudConfigurationError("BOT_TOKEN is not set.", { variables: ["BOT_TOKEN"] });
  if (!config.modelSigningKey) {
    throw new CloudConfigurationError("MODEL_SIGNING_KEY is not set: models could not be signed.", {
      variables: ["MODEL_SIGNING_KEY"],
    });
  }
  const dataDir = resolve(config.dataDir);
  const stagingDir = join(dataDir, ".staging");
  const storage = createUserStorage(config, logger);
  const store: WorkflowStore = config.redis.url
    ? new RedisWorkflowStore(config.redis.url, config.redis.prefix)
    : new MemoryWorkflowStore(join(dataDir, ".state", "workflows.json"));
  const userData = new UserData(store, {
    defaults: {
      perTrainingJob: config.budget.maxTrainingCost,
      perPrediction: config.budget.maxPredictionCost,
      monthly: config.budget.monthlyBudget,
    },
    monthlyTotal: config.budget.monthlyTotal,
  });
  // The reconciler asks the state manager, built below, which jobs are still live.
  let manager: StateManager | undefined;
  const compute = createCompute(config, {
    logger,
    storage,
    dataDir,
    stagingDir,
    userData,
    activeJobIds: () => (manager ? activeJobIds(manager) : Promise.resolve(new Set())),
  });
  const definitions = createWorkflowDefinitions({
    storage,
    userData,
    compute: compute.offers,
    training: compute.training,
    prediction: compute.prediction,
    clock: systemClock,
    ingest: compute.ingest,
    stagingDir,
    modelSigningKey: config.modelSigningKey,
    jobDeadlineMinutes: config.compute.jobDeadlineMinutes,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
  });
  manager = new StateManager(store, definitions, (error, commit) =>
    logger.error({ err: error, conv: `${commit.key.userId}:${commit.key.chatId}` }, "commit listener failed"),
  );
  const runtime = new WorkflowRuntime(manager, { logger, leaseTtlMs: options.leaseTtlMs });
  const texts = (userId: number, clientLanguage?: string) => userTexts(userData, userId, clientLanguage);
  const catalog = new Catalog({ storage, userData });
  // The renderer needs the bot's API, and the bot's handlers need the renderer: it is set just below.
  const reconciler = { lastReport: compute.lastReconcile };
  const doctor = async () => formatReport(await runDoctor(config));
  const deps = {
    config,
    logger,
    manager,
    runtime,
    stagingDir,
    texts,
    catalog,
    userData,
    reconciler,
    fleet: compute.fleet?.queue,
    doctor,
  } as Omit<BotDeps, "renderer"> as BotDeps;
  const metrics = createBotMetrics();
  registerJobsGauge(metrics.registry, store);
  if (compute.fleet) registerQueueMetrics(metrics.registry, compute.fleet.queue);
  const tracker = new UpdateTracker();
  const bot = createBot(config.telegram.token, deps, { metrics, tracker });
  // Outermost transformer: pace sends under Telegram's flood limits rather than collect 429s.
  bot.api.config.use(throttle(config.telegram.outgoing));
  const renderer = new Renderer({
    api: bot.api,
    store,
    logger,
    texts,
    readFile: (userId, uri) => storage.readBytes(uri, { userId }),
    progressEditIntervalMs: options.progressEditIntervalMs,
  });
  deps.renderer = renderer;
  manager.onCommit((commit) => renderer.render(commit));
  // A workflow found unusable in the background (recovery) is closed; its user hears it at once.
  manager.onClosed(async (key) => {
    await bot.api.sendMessage(key.chatId, (await texts(key.userId)).errors.sessionReset);
  });
  manager.onCommit((commit) => {
    const value = commit.next.value;
    const state = typeof value === "string" ? value : Object.keys(value as object)[0];
    metrics.commits.inc({ workflow: commit.workflowType, state: state ?? "unknown" });
  });

  const service = createBotService({
    bot,
    config,
    logger,
    store,
    runtime,
    metrics,
    tracker,
    http: options.http ?? { port: config.telegram.port },
    providerHealth: providerHealthFrom(compute.factory),
    shutdownGraceMs: options.shutdownGraceMs,
    onFatal: options.onFatal,
  });
  return {
    bot,
    store,
    runtime,
    manager,
    metrics,
    mode: service.mode,
    get httpPort() {
      return service.httpPort;
    },
    start: async () => {
      await service.start();
      await compute.start();
    },
    stop: async () => {
      // Workers already running go on and are adopted by the next start; nothing new starts now.
      await compute.stop();
      await service.stop();
    },
  };
}
