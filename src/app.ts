/**
 * Wiring: config → storage and compute → workflow store → state manager and runtime → bot and renderer.
 * Used by src/main.ts and by the end-to-end tests, which run the same app against a fake Bot API server.
 */
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import type { Bot } from "grammy";
import type { BotContext, BotDeps } from "./bot/context.js";
import { userTexts } from "./bot/language.js";
import { createBot } from "./bot/index.js";
import { Renderer } from "./bot/renderer.js";
import { LocalTrainingProvider } from "./cloud/local/compute.js";
import { LocalJobRunner } from "./cloud/local/job-runner.js";
import { LocalPredictionProvider } from "./cloud/local/prediction.js";
import { LocalStorageManager } from "./cloud/local/storage.js";
import { createComputeOffers } from "./cloud/offers.js";
import type { Config } from "./config.js";
import { CloudConfigurationError } from "./errors.js";
import { createWorkflowDefinitions } from "./flows/index.js";
import { systemClock } from "./flows/ports.js";
import type { Logger } from "./logger.js";
import { MemoryWorkflowStore } from "./state/memory-store.js";
import { RedisWorkflowStore } from "./state/redis-store.js";
import { WorkflowRuntime } from "./state/runtime.js";
import { StateManager } from "./state/state-manager.js";
import type { WorkflowStore } from "./state/store.js";
import { createUserDataPort } from "./user-data-port.js";

export interface App {
  bot: Bot<BotContext>;
  store: WorkflowStore;
  runtime: WorkflowRuntime;
  manager: StateManager;
  /** Starts long polling and recovery. Resolves when polling has started. */
  start(): Promise<void>;
  /** Stops taking updates, lets handlers finish, stops live actors, closes the store. */
  stop(): Promise<void>;
}

export interface AppOptions {
  logger: Logger;
  /** Milliseconds between job status polls (default 1000). */
  pollIntervalMs?: number;
  /** Lease time of a hosted workflow (default 15 s). */
  leaseTtlMs?: number;
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
  const storage = new LocalStorageManager(dataDir, logger);
  const workerEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    MODEL_SIGNING_KEY: config.modelSigningKey,
    LOG_LEVEL: "warn",
  };
  const maxConcurrent = config.compute.localMaxConcurrentJobs ?? Math.max(1, availableParallelism() - 1);
  const trainingRunner = new LocalJobRunner({
    storage,
    maxConcurrent,
    env: workerEnv,
    logDir: join(stagingDir, "logs"),
    logger,
  });
  const predictionRunner = new LocalJobRunner({
    storage,
    maxConcurrent,
    env: workerEnv,
    logDir: join(stagingDir, "logs"),
    logger,
  });
  const training = new LocalTrainingProvider(trainingRunner, storage);
  const prediction = new LocalPredictionProvider(predictionRunner);

  const store: WorkflowStore = config.redis.url
    ? new RedisWorkflowStore(config.redis.url, config.redis.prefix)
    : new MemoryWorkflowStore(join(dataDir, ".state", "workflows.json"));
  const definitions = createWorkflowDefinitions({
    storage,
    userData: createUserDataPort(store, config),
    compute: createComputeOffers(),
    training: () => training,
    prediction: () => prediction,
    clock: systemClock,
    limits: {
      maxBytes: config.limits.maxUploadBytes,
      maxRows: config.limits.maxRows,
      maxColumns: config.limits.maxColumns,
      maxCellLength: config.limits.maxCellLength,
    },
    stagingDir,
    jobDeadlineMinutes: config.compute.jobDeadlineMinutes,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
  });
  const manager = new StateManager(store, definitions, (error, commit) =>
    logger.error({ err: error, conv: `${commit.key.userId}:${commit.key.chatId}` }, "commit listener failed"),
  );
  const runtime = new WorkflowRuntime(manager, { logger, leaseTtlMs: options.leaseTtlMs });
  const texts = (userId: number) => userTexts(store, userId);
  const deps = { config, logger, manager, runtime, stagingDir, texts } as Omit<BotDeps, "renderer"> as BotDeps;
  const bot = createBot(config.telegram.token, deps);
  const renderer = new Renderer({
    api: bot.api,
    store,
    logger,
    texts,
    readFile: (userId, uri) => storage.readBytes(uri, { userId }),
  });
  deps.renderer = renderer;
  manager.onCommit((commit) => renderer.render(commit));

  let polling: Promise<void> | undefined;
  return {
    bot,
    store,
    runtime,
    manager,
    async start() {
      await bot.init();
      await runtime.start();
      await new Promise<void>((started, failed) => {
        polling = bot.start({ drop_pending_updates: false, onStart: () => started() }).catch((error) => {
          logger.error({ err: String(error) }, "polling stopped");
          failed(error);
        });
      });
    },
    async stop() {
      await bot.stop();
      await polling;
      await runtime.stop();
      await store.close();
    },
  };
}
