/**
 * The worker image's command (Dockerfile): one image for RunPod pods, RunPod Serverless and EC2. With RunPod's
 * serverless environment (RUNPOD_WEBHOOK_GET_JOB) it serves prediction jobs until stopped; otherwise it runs
 * the one job named by SMA_SPEC_URI (main.ts), then ends, and its compute goes away.
 */
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { runServerlessFromEnv } from "./serverless.js";

if (process.env.RUNPOD_WEBHOOK_GET_JOB) {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const stop = new AbortController();
  process.once("SIGTERM", () => stop.abort());
  await runServerlessFromEnv(process.env, config, logger, stop.signal);
  process.exit(0);
} else {
  await import("./main.js");
}
