/**
 * Worker entry point: `node --import tsx src/worker/main.ts <specUri>` (or the spec URI in SMA_SPEC_URI, as the
 * worker image receives it). Used as-is by local compute and by the worker image on EC2 and RunPod pods. It
 * runs the job (run-job.ts), then, on any exit, asks its own compute to go away (self-terminate.ts): a RunPod
 * pod terminates itself; an EC2 instance powers off from its user-data trap once this process ends.
 */
import { isMainThread } from "node:worker_threads";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { EXIT, runJobFromSpec } from "./run-job.js";
import { selfTerminate } from "./self-terminate.js";

async function main(specUri: string | undefined): Promise<number> {
  if (!specUri) throw new Error("usage: worker <specUri> (or set SMA_SPEC_URI)");
  const config = loadConfig();
  return runJobFromSpec(specUri, config, createLogger(config.logLevel));
}

const ORPHAN_CHECK_MS = 250;

// The training thread (fit-thread.ts) may load this module's bundle: only the main thread runs the job.
if (isMainThread) {
  // A fleet worker's child: when the fleet worker dies, its job goes to another worker, so this process stops
  // at once and writes nothing. It may have died before this line ran, hence its pid from the environment.
  const parent = Number(process.env.SMA_PARENT_PID);
  if (parent > 0) {
    const orphaned = () => process.ppid !== parent && process.exit(EXIT.failed);
    orphaned();
    setInterval(orphaned, ORPHAN_CHECK_MS).unref();
  }
  let code: number = EXIT.failed;
  try {
    code = await main(process.argv[2] ?? process.env.SMA_SPEC_URI);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
  }
  await selfTerminate(process.env).catch((error) =>
    console.error(`self-termination failed: ${String(error)}`),
  );
  process.exit(code);
}
