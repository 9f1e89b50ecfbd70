/**
 * Where jobs run: this machine (always) and every cloud provider the environment configures. Builds the
 * providers, the ranked offers for the location pickers and the cloud reconciler, for src/app.ts.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { checkFleetStorage } from "./cloud/fleet/data-dir.js";
import {
  createFleetQueue,
  createFleetWorker,
  type FleetQueue,
  type FleetWorker,
} from "./cloud/fleet/index.js";
import { withFleetLabel } from "./cloud/fleet/status.js";
import { fitThreadsEnv } from "./cloud/fleet/worker.js";
import { createCloudProviders } from "./cloud/index.js";
import type { IngestPort } from "./cloud/ingest-port.js";
import type { JobQueue } from "./cloud/job-queue.js";
import { LocalTrainingProvider } from "./cloud/local/compute.js";
import { LocalIngest, sandboxEnv, sandboxRunnerOptions } from "./cloud/local/ingest.js";
import { LocalJobRunner } from "./cloud/local/job-runner.js";
import { LocalPredictionProvider } from "./cloud/local/prediction.js";
import { LocalStorageManager } from "./cloud/local/storage.js";
import type { CloudProviderFactory } from "./cloud/provider-factory.js";
import type {
  CloudPredictionProvider,
  CloudStorageProvider,
  CloudTrainingProvider,
  ProviderName,
} from "./cloud/provider-interface.js";
import { sharedStorageLocation } from "./cloud/storage-user.js";
import type { Config } from "./config.js";
import { CloudConfigurationError } from "./errors.js";
import type { ComputePort, UserDataPort } from "./flows/ports.js";
import { limitsOf } from "./flows/shared/quote.js";
import type { Logger } from "./logger.js";
import type { DataLimits } from "./ml/types.js";

export interface Compute {
  training(provider: ProviderName): CloudTrainingProvider;
  prediction(provider: ProviderName): CloudPredictionProvider;
  offers: ComputePort;
  /** The seed's provider factory: health checks and the RunPod > AWS > local fallback over what is built. */
  factory: CloudProviderFactory;
  /** Reads uploads in sandboxed child processes. */
  ingest: IngestPort;
  /** The worker fleet, when Redis is configured (BullMQ); undefined with the embedded runner. */
  fleet?: { queue: FleetQueue; worker?: FleetWorker };
  /** The reconciler's last round, for /admin. */
  lastReconcile(): { at: string; checked: number; terminated: string[]; errors: string[] } | undefined;
  start(): Promise<void>;
  /** Stops starting local jobs (running ones go on, and are adopted by the next start) and the reconciler. */
  stop(): Promise<void>;
}

export function createCompute(
  config: Config,
  deps: StorageDeps & {
    userData: UserDataPort;
    activeJobIds: () => Promise<Set<string>>;
  },
): Compute {
  const { logger, storage, dataDir } = deps;
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    MODEL_SIGNING_KEY: config.modelSigningKey,
    LOG_LEVEL: "warn",
  };
  const queues = config.redis.url ? fleetQueues(config, deps) : embeddedQueues(config, deps, env);
  const local = {
    training: new LocalTrainingProvider(queues.training, storage),
    prediction: new LocalPredictionProvider(queues.prediction),
  };
  const cloud = createCloudProviders(config, {
    logger,
    homeStorage: storage,
    activeJobIds: deps.activeJobIds,
    reconcileIntervalMinutes: config.compute.reconcileIntervalMinutes,
    budgetOf: async (userId, kind) => limitsOf(await deps.userData.budget(userId), kind),
    mayPay: (userId) => mayPay(config, userId),
  });
  // The seed's factory knows every provider, this machine included: its fallback ends here.
  cloud.factory.registerTrainingProvider("local", () => local.training);
  cloud.factory.registerPredictionProvider("local", () => local.prediction);
  const unavailable = (provider: ProviderName, kind: string) =>
    new CloudConfigurationError(`${provider} ${kind} is not configured on this bot.`, { provider });
  return {
    training: (provider) =>
      provider === "local"
        ? local.training
        : (cloud.training[provider] ?? throwing(unavailable(provider, "training"))),
    prediction: (provider) =>
      provider === "local"
        ? local.prediction
        : (cloud.prediction[provider] ?? throwing(unavailable(provider, "prediction"))),
    offers: queues.fleet ? withFleetLabel(cloud.compute, queues.fleet.queue) : cloud.compute,
    factory: cloud.factory,
    ingest: queues.ingest,
    fleet: queues.fleet,
    lastReconcile: () => cloud.reconciler?.lastReport,
    async start() {
      const fleet = queues.fleet?.queue;
      const location = sharedStorageLocation(config);
      if (fleet) await checkFleetStorage(fleet.redis, fleet.keys.dataDir, { dataDir, location });
      await queues.fleet?.worker?.start();
      await cloud.start();
    },
    async stop() {
      await Promise.all([queues.fleet?.worker?.close(), ...queues.runners.map((runner) => runner.close())]);
      await cloud.stop();
    },
  };
}

interface StorageDeps {
  logger: Logger;
  /** The user storage (STORAGE): datasets, models, results and the jobs' files. */
  storage: CloudStorageProvider;
  /** This host's DATA_DIR, absolute. */
  dataDir: string;
  stagingDir: string;
}

interface Queues {
  training: JobQueue;
  prediction: JobQueue;
  ingest: IngestPort;
  /** What to close on stop. */
  runners: JobQueue[];
  fleet?: { queue: FleetQueue; worker?: FleetWorker };
}

/**
 * With Redis: every job goes through BullMQ, and this process runs one worker unless told not to. With S3
 * storage an upload is read on this host, whose disk holds the staged file (other hosts have their own).
 */
function fleetQueues(config: Config, deps: StorageDeps): Queues {
  const fleetDeps = {
    logger: deps.logger,
    storage: deps.storage,
    dataDir: deps.dataDir,
    logDir: join(deps.stagingDir, "logs"),
  };
  const queue = createFleetQueue(config, fleetDeps);
  const worker = config.fleet.inProcessWorker ? createFleetWorker(config, fleetDeps, true) : undefined;
  const sandbox = { memoryMb: config.ingest.memoryMb, timeoutSeconds: config.ingest.timeoutSeconds };
  const fleet = { queue, worker };
  if (config.storage.kind === "s3") {
    const ingest = localIngest(config, deps);
    return {
      training: queue,
      prediction: queue,
      ingest: ingest.port,
      runners: [queue, ingest.runner],
      fleet,
    };
  }
  const ingest = new LocalIngest(queue, { data: dataLimitsOf(config), sandbox });
  return { training: queue, prediction: queue, ingest, runners: [queue], fleet };
}

/** Without Redis (the playground): the embedded runner, one per kind of work. */
function embeddedQueues(config: Config, deps: StorageDeps, env: NodeJS.ProcessEnv): Queues {
  const { logger, storage } = deps;
  const maxConcurrent = config.compute.localMaxConcurrentJobs ?? Math.max(1, availableParallelism() - 1);
  const jobEnv = { ...env, ...fitThreadsEnv(maxConcurrent, env) };
  const runner = () =>
    new LocalJobRunner({
      storage,
      maxConcurrent,
      env: jobEnv,
      logDir: join(deps.stagingDir, "logs"),
      logger,
    });
  const training = runner();
  const prediction = runner();
  const ingest = localIngest(config, deps);
  return { training, prediction, ingest: ingest.port, runners: [training, prediction, ingest.runner] };
}

/**
 * The ingest sandbox: its own runner (an upload never waits behind a training), at most
 * INGEST_MAX_CONCURRENT at once, each with a heap cap, a time limit and an environment without any secret.
 * Its jobs' files stay in DATA_DIR whatever STORAGE says: a sandbox holds no storage credentials.
 */
function localIngest(config: Config, deps: StorageDeps) {
  const sandbox = { memoryMb: config.ingest.memoryMb, timeoutSeconds: config.ingest.timeoutSeconds };
  const runner = new LocalJobRunner({
    storage: new LocalStorageManager(deps.dataDir, deps.logger),
    maxConcurrent: config.ingest.maxConcurrent,
    env: sandboxEnv(deps.dataDir),
    logDir: join(deps.stagingDir, "logs"),
    logger: deps.logger,
    ...sandboxRunnerOptions(sandbox),
  });
  return { runner, port: new LocalIngest(runner, { data: dataLimitsOf(config), sandbox }) };
}

/** The configured limits on what a file may hold, as the readers take them. */
export function dataLimitsOf(config: Config): DataLimits {
  const l = config.limits;
  return {
    maxBytes: l.maxUploadBytes,
    maxRows: l.maxRows,
    maxColumns: l.maxColumns,
    maxCellLength: l.maxCellLength,
    maxCells: l.maxCells,
    maxDecompressedBytes: l.maxUnpackedBytes,
  };
}

/**
 * Paid compute is for the users the operator named (PAID_USER_IDS, else ALLOWED_USER_IDS) and admins; an
 * open bot offers it to everyone only when the operator opts in (PAID_COMPUTE_FOR_EVERYONE).
 */
export function mayPay(config: Config, userId: number): boolean {
  const { paidUserIds, paidForEveryone } = config.budget;
  return paidForEveryone || paidUserIds.includes(userId) || config.telegram.adminUserIds.includes(userId);
}

function throwing(error: Error): never {
  throw error;
}
