/**
 * The worker image's command (Dockerfile): one image for RunPod pods, RunPod Serverless and EC2. With RunPod's
 * serverless environment (RUNPOD_WEBHOOK_GET_JOB) it serves prediction jobs until stopped; otherwise it runs
 * the one job named by SMA_SPEC_URI (main.ts), then ends, and its compute goes away.
 */
import { isMainThread } from "node:worker_threads";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { runServerlessFromEnv } from "./serverless.js";

// The training thread (fit-thread.ts) loads this bundle too: there it only starts the fit, never a job.
if (!isMainThread) {
  await import("./fit-thread.js");
} else if (process.env.RUNPOD_WEBHOOK_GET_JOB) {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const stop = new AbortController();
  process.once("SIGTERM", () => stop.abort());
  await runServerlessFromEnv(process.env, config, logger, stop.signal);
  process.exit(0);
} else {
  await import("./main.js");
}
