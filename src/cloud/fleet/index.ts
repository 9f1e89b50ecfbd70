/**
 * The fleet as the app and `npm run worker` build it from the configuration: the bot's queue, and a worker
 * whose lanes run jobs the way the embedded runner does (the same worker entry point, the sandbox's heap cap,
 * time limit and bare environment for ingest, the signing key for training and prediction).
 */
import { join } from "node:path";
import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import { sandboxEnv, sandboxRunnerOptions } from "../local/ingest.js";
import type { CloudStorageProvider } from "../provider-interface.js";
import { FleetQueue } from "./queue.js";
import { computeSlots, FleetWorker, fitThreadsEnv, type LaneSettings } from "./worker.js";

export { FleetQueue } from "./queue.js";
export { FleetWorker } from "./worker.js";

export interface FleetDeps {
  logger: Logger;
  storage: CloudStorageProvider;
  /** DATA_DIR, as the worker processes see it. */
  dataDir: string;
  /** Where the workers' stderr files go. */
  logDir: string;
}

export function createFleetQueue(config: Config, deps: FleetDeps): FleetQueue {
  return new FleetQueue({
    redisUrl: requireRedis(config),
    redisPrefix: config.redis.prefix,
    storage: deps.storage,
    logger: deps.logger,
  });
}

/** A worker; `inBot` leaves a core to the bot it shares the host with. */
export function createFleetWorker(config: Config, deps: FleetDeps, inBot: boolean): FleetWorker {
  const jobMemoryMb = config.fleet.jobMemoryMb;
  const sandbox = { memoryMb: config.ingest.memoryMb, timeoutSeconds: config.ingest.timeoutSeconds };
  const { nodeArgs, maxRunMs, niceness } = sandboxRunnerOptions(sandbox);
  const computeConcurrency =
    config.compute.localMaxConcurrentJobs ?? computeSlots({ reserveCores: inBot ? 1 : 0, jobMemoryMb });
  const lanes: Record<"compute" | "sandbox", LaneSettings> = {
    compute: {
      concurrency: computeConcurrency,
      process: {
        env: {
          ...process.env,
          ...fitThreadsEnv(computeConcurrency),
          DATA_DIR: deps.dataDir,
          MODEL_SIGNING_KEY: config.modelSigningKey,
          LOG_LEVEL: "warn",
        },
        nodeArgs: [`--max-old-space-size=${jobMemoryMb}`],
      },
    },
    sandbox: {
      concurrency: config.ingest.maxConcurrent,
      process: { env: sandboxEnv(deps.dataDir), nodeArgs, niceness },
      maxRunMs,
    },
  };
  return new FleetWorker({
    redisUrl: requireRedis(config),
    redisPrefix: config.redis.prefix,
    storage: deps.storage,
    lanes,
    userMaxRunning: config.fleet.userMaxRunning,
    logDir: deps.logDir,
    logger: deps.logger,
  });
}

export function fleetLogDir(dataDir: string): string {
  return join(dataDir, ".staging", "logs");
}

function requireRedis(config: Config): string {
  if (!config.redis.url) throw new Error("The fleet needs REDIS_URL.");
  return config.redis.url;
}
