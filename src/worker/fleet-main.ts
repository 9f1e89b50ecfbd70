/**
 * `npm run worker`: a fleet worker on this host. It takes training, prediction and ingest jobs from the bot's
 * BullMQ queues on REDIS_URL (same REDIS_PREFIX as the bot) and runs each in a child process, as many at once
 * as this host's cores and memory allow (LOCAL_MAX_CONCURRENT_JOBS overrides). It needs the bot's storage
 * and MODEL_SIGNING_KEY: with STORAGE=local the same DATA_DIR (a shared volume; it refuses to start on
 * another one), with STORAGE=s3 the same bucket (its DATA_DIR is then its own cache).
 * SIGINT/SIGTERM stop it: running jobs go back to the queue and another worker runs them.
 */
import { resolve } from "node:path";
import { checkFleetStorage } from "../cloud/fleet/data-dir.js";
import { createFleetQueue, createFleetWorker, fleetLogDir } from "../cloud/fleet/index.js";
import { createUserStorage, sharedStorageLocation } from "../cloud/storage-user.js";
import { loadConfig } from "../config.js";
import { AppError } from "../errors.js";
import { createLogger } from "../logger.js";

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redis.url) throw new AppError("A worker needs REDIS_URL: the Redis the bot uses.");
  if (!config.modelSigningKey) throw new AppError("A worker needs MODEL_SIGNING_KEY: the bot's own.");
  const logger = createLogger(config.logLevel);
  const dataDir = resolve(config.dataDir);
  const deps = {
    logger,
    storage: createUserStorage(config, logger),
    dataDir,
    logDir: fleetLogDir(dataDir),
  };
  const queue = createFleetQueue(config, deps);
  try {
    const location = sharedStorageLocation(config);
    await checkFleetStorage(queue.redis, queue.keys.dataDir, { dataDir, location });
  } finally {
    await queue.close();
  }
  const worker = createFleetWorker(config, deps, false);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, "worker stopping");
    await worker.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await worker.start();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
