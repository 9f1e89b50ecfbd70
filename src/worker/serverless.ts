/**
 * A RunPod Serverless worker in Node, speaking the worker side of the queue protocol that RunPod's Python SDK
 * normally speaks (runpod-api.md §4 "Optional worker protocol"): take a job (GET job-take, 204 = none), report
 * progress and the result (POST job-done, JSON text sent as form data), and ping while alive. The URLs come
 * from RUNPOD_WEBHOOK_GET_JOB / _POST_OUTPUT / _PING with `$ID` and `$RUNPOD_POD_ID` placeholders, the key
 * from RUNPOD_AI_API_KEY. Job cancellation (job-stop) is not handled: a cancelled prediction runs to its end.
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { handlePredictEvent } from "./predict-entry.js";

export interface ServerlessJob {
  id: string;
  input: unknown;
}

/** What a handler returns: `output`, or a string `error` (the job then ends FAILED with that error). */
export type ServerlessResult = { output: unknown } | { error: string };

export type ServerlessHandler = (
  job: ServerlessJob,
  progress: (update: unknown) => Promise<void>,
) => Promise<ServerlessResult>;

export interface ServerlessWorkerOptions {
  /** RUNPOD_WEBHOOK_GET_JOB, e.g. https://api.runpod.ai/v2/{ep}/job-take/$ID?gpu=… */
  getJobUrl: string;
  /** RUNPOD_WEBHOOK_POST_OUTPUT, e.g. https://api.runpod.ai/v2/{ep}/job-done/$RUNPOD_POD_ID/$ID?gpu=…&isStream=false */
  postOutputUrl: string;
  pingUrl?: string;
  pingIntervalMs?: number;
  workerId: string;
  apiKey: string;
  handler: ServerlessHandler;
  logger: Logger;
  /** Wait after "no job" (204) or a failed take. Default 1 s. */
  idleWaitMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const POST_ATTEMPTS = 3;

export async function runServerlessWorker(o: ServerlessWorkerOptions): Promise<void> {
  const http = o.fetch ?? fetch;
  const headers = { authorization: o.apiKey };
  const ping = o.pingUrl ? startPing(o, http) : undefined;
  try {
    while (!o.signal?.aborted) {
      const job = await takeJob(o, http, headers).catch((error) => {
        o.logger.warn({ err: String(error) }, "serverless: taking a job failed");
        return undefined;
      });
      if (!job) {
        await sleep(o.idleWaitMs ?? 1000, o.signal);
        continue;
      }
      const post = (body: unknown) => postResult(o, http, headers, job.id, body);
      const result = await o
        .handler(job, (update) => post({ status: "IN_PROGRESS", output: update }))
        .catch((error: unknown) => ({
          error: JSON.stringify({ error_type: "Error", error_message: String(error) }),
        }));
      await post(result);
    }
  } finally {
    if (ping) clearInterval(ping);
  }
}

async function takeJob(
  o: ServerlessWorkerOptions,
  http: typeof fetch,
  headers: Record<string, string>,
): Promise<ServerlessJob | undefined> {
  const base = o.getJobUrl.replace("$ID", o.workerId);
  const url = `${base}${base.includes("?") ? "&" : "?"}job_in_progress=0`;
  const response = await http(url, { headers, signal: o.signal });
  if (response.status !== 200) {
    await response.body?.cancel();
    return undefined; // 204 no job; 400 with FlashBoot; 429 under load: all mean "ask again"
  }
  const job = (await response.json()) as Partial<ServerlessJob>;
  return job?.id && job.input !== undefined ? (job as ServerlessJob) : undefined;
}

async function postResult(
  o: ServerlessWorkerOptions,
  http: typeof fetch,
  headers: Record<string, string>,
  jobId: string,
  body: unknown,
): Promise<void> {
  const url = o.postOutputUrl.replace("$RUNPOD_POD_ID", o.workerId).replace("$ID", jobId);
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await http(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: JSON.stringify(body),
      });
      await response.body?.cancel();
      if (response.ok) return;
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (attempt >= POST_ATTEMPTS) {
        o.logger.error({ jobId, err: String(error) }, "serverless: could not report to RunPod");
        return; // the result is in storage anyway
      }
      await sleep(250 * 2 ** attempt);
    }
  }
}

function startPing(o: ServerlessWorkerOptions, http: typeof fetch): NodeJS.Timeout {
  const url = o.pingUrl!.replace("$RUNPOD_POD_ID", o.workerId).replace("$ID", o.workerId);
  const timer = setInterval(() => {
    http(url, { headers: { authorization: o.apiKey } }).then(
      (r) => r.body?.cancel(),
      () => undefined,
    );
  }, o.pingIntervalMs ?? 10_000);
  timer.unref();
  return timer;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The prediction handler as a Serverless handler: results in storage, a summary as the job's output. */
export function predictionHandler(config: Config, logger: Logger): ServerlessHandler {
  return async (job, progress) => {
    const response = await handlePredictEvent(job.input, {
      config,
      logger,
      onProgress: (percent, message) => void progress({ percent, message }).catch(() => undefined),
    });
    return response.status === "succeeded" ? { output: response } : { error: JSON.stringify(response.error) };
  };
}

/** Starts the worker from RunPod's environment; resolves when `signal` aborts. */
export function runServerlessFromEnv(
  env: NodeJS.ProcessEnv,
  config: Config,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const getJobUrl = env.RUNPOD_WEBHOOK_GET_JOB;
  const postOutputUrl = env.RUNPOD_WEBHOOK_POST_OUTPUT;
  if (!getJobUrl || !postOutputUrl) throw new Error("RUNPOD_WEBHOOK_GET_JOB and _POST_OUTPUT must be set");
  return runServerlessWorker({
    getJobUrl,
    postOutputUrl,
    pingUrl: env.RUNPOD_WEBHOOK_PING,
    pingIntervalMs: Number(env.RUNPOD_PING_INTERVAL) || undefined,
    workerId: env.RUNPOD_POD_ID ?? "local-worker",
    apiKey: env.RUNPOD_AI_API_KEY ?? "",
    handler: predictionHandler(config, logger),
    logger,
    signal,
  });
}
