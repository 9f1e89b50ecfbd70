/**
 * The fake's Serverless queue (runpod-api.md §4): the client routes (`run`, `runsync`, `status`, `cancel`,
 * `health`, `purge-queue`) and the worker protocol (`job-take`, `job-done`, `ping`) that our Node worker
 * speaks. Jobs go IN_QUEUE → IN_PROGRESS → COMPLETED / FAILED / CANCELLED / TIMED_OUT; TTL expiry and the
 * end of result retention turn `/status` into a 404. Workers are real child processes (src/worker/container.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { FaultQueue } from "./faults.js";
import { readBody, sendJson } from "./http.js";

const CONTAINER_ENTRY = fileURLToPath(new URL("../../../src/worker/container.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const RUN_LIMIT_BYTES = 10 * 1024 * 1024;
const RUNSYNC_LIMIT_BYTES = 20 * 1024 * 1024;
const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"]);

type JobStatus = "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | "CANCELLED" | "TIMED_OUT";

export interface FakeJob {
  id: string;
  input: unknown;
  sync: boolean;
  status: JobStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  output?: unknown;
  error?: string;
  workerId?: string;
  executionTimeoutMs: number;
  expiresAt: number;
  stuck: boolean;
  dropOutput: boolean;
  /** Ends TIMED_OUT at this time without a worker ever taking it. */
  timesOutAt?: number;
}

export interface ServerlessOptions {
  endpointId: string;
  /** The key workers use (RUNPOD_AI_API_KEY). */
  workerKey: string;
  faults: FaultQueue;
  /** Result retention after completion: 30 min for /run and 1 min for /runsync on the real API. */
  retention?: { runMs: number; runsyncMs: number };
}

export class FakeServerless {
  readonly jobs = new Map<string, FakeJob>();
  private readonly workers: ChildProcess[] = [];
  private readonly sweep: NodeJS.Timeout;
  private readonly retention: { runMs: number; runsyncMs: number };

  constructor(private readonly o: ServerlessOptions) {
    this.retention = o.retention ?? { runMs: 30 * 60_000, runsyncMs: 60_000 };
    this.sweep = setInterval(() => this.expire(), 50);
    this.sweep.unref();
  }

  /** Starts a worker process with RunPod's serverless environment pointing at this fake. */
  startWorker(baseUrl: string, env: Record<string, string>): ChildProcess {
    const ep = `${baseUrl}/v2/${this.o.endpointId}`;
    const child = spawn(process.execPath, ["--import", TSX, CONTAINER_ENTRY], {
      env: {
        ...process.env,
        ...env,
        RUNPOD_WEBHOOK_GET_JOB: `${ep}/job-take/$ID?gpu=NVIDIA+RTX+A4000`,
        RUNPOD_WEBHOOK_POST_OUTPUT: `${ep}/job-done/$RUNPOD_POD_ID/$ID?gpu=NVIDIA+RTX+A4000&isStream=false`,
        RUNPOD_WEBHOOK_PING: `${ep}/ping/$RUNPOD_POD_ID`,
        RUNPOD_PING_INTERVAL: "1000",
        RUNPOD_POD_ID: `worker-${this.workers.length + 1}`,
        RUNPOD_AI_API_KEY: this.o.workerKey,
      },
      stdio: ["ignore", "ignore", process.env.FAKE_RUNPOD_WORKER_STDERR ? "inherit" : "ignore"],
    });
    this.workers.push(child);
    return child;
  }

  liveWorkers(): number {
    return this.workers.filter((w) => w.exitCode === null && w.signalCode === null).length;
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once("exit", () => resolve());
            w.kill("SIGTERM");
            setTimeout(() => w.kill("SIGKILL"), 3_000).unref();
          }),
      ),
    );
  }

  /** Handles /v2/{endpointId}/… ; `client` says whether the caller used the account key. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    parts: string[],
    key: string | undefined,
    client: boolean,
  ) {
    const [endpointId, route, ...rest] = parts;
    if (endpointId !== this.o.endpointId) return sendJson(res, 404, { message: "Not Found" });
    const worker = key === this.o.workerKey;
    if (["job-take", "job-done", "ping"].includes(route)) {
      if (!worker) return sendJson(res, 401, { error: "Unauthorized" });
      return this.workerRoute(req, res, route, rest);
    }
    if (!client) return sendJson(res, 401, { error: "Unauthorized" });
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method === "POST" && (route === "run" || route === "runsync"))
      return this.submit(req, res, route, url);
    if (req.method === "GET" && route === "status") {
      const job = this.jobs.get(rest[0]);
      return job ? sendJson(res, 200, view(job)) : sendJson(res, 404, { error: "job not found" });
    }
    if (req.method === "POST" && route === "cancel") {
      const job = this.jobs.get(rest[0]);
      if (!job) return sendJson(res, 404, { error: "job not found" });
      if (!TERMINAL.has(job.status)) this.finish(job, "CANCELLED");
      return sendJson(res, 200, { id: job.id, status: job.status });
    }
    if (req.method === "GET" && route === "health") return sendJson(res, 200, this.health());
    if (req.method === "POST" && route === "purge-queue") {
      const queued = [...this.jobs.values()].filter((j) => j.status === "IN_QUEUE");
      for (const j of queued) this.jobs.delete(j.id);
      return sendJson(res, 200, { removed: queued.length, status: "completed" });
    }
    return sendJson(res, 404, { message: "Not Found" });
  }

  private async submit(req: IncomingMessage, res: ServerResponse, route: "run" | "runsync", url: URL) {
    const raw = await readBody(req);
    if (raw.length > (route === "run" ? RUN_LIMIT_BYTES : RUNSYNC_LIMIT_BYTES)) {
      return sendJson(res, 400, { error: "request body too large" });
    }
    const body = JSON.parse(raw.toString("utf8") || "{}") as {
      input?: unknown;
      policy?: { executionTimeout?: number; ttl?: number };
    };
    if (body.input === undefined) return sendJson(res, 400, { error: "input is required" });
    const now = Date.now();
    const ttl = this.o.faults.take("job-ttl-expiry")?.afterMs ?? body.policy?.ttl ?? 86_400_000;
    const timesOut = this.o.faults.take("job-times-out");
    const job: FakeJob = {
      id: route === "run" ? `${randomUUID()}-u1` : `sync-${randomUUID()}`,
      input: body.input,
      sync: route === "runsync",
      status: "IN_QUEUE",
      createdAt: now,
      executionTimeoutMs: body.policy?.executionTimeout ?? 600_000,
      expiresAt: now + ttl,
      stuck: Boolean(timesOut) || Boolean(this.o.faults.take("job-stuck-in-queue")),
      timesOutAt: timesOut ? now + timesOut.afterMs : undefined,
      dropOutput: Boolean(this.o.faults.take("job-completed-without-output")),
    };
    this.jobs.set(job.id, job);
    if (route === "run") return sendJson(res, 200, { id: job.id, status: job.status });
    const wait = Math.min(300_000, Math.max(1_000, Number(url.searchParams.get("wait") ?? 90_000)));
    const until = Date.now() + wait;
    while (!TERMINAL.has(job.status) && Date.now() < until && this.jobs.has(job.id)) {
      await new Promise((r) => setTimeout(r, 25));
    }
    return sendJson(res, 200, TERMINAL.has(job.status) ? view(job) : { id: job.id, status: job.status });
  }

  private async workerRoute(req: IncomingMessage, res: ServerResponse, route: string, rest: string[]) {
    if (route === "ping") return sendJson(res, 200, {});
    if (route === "job-take") {
      const job = [...this.jobs.values()].find((j) => j.status === "IN_QUEUE" && !j.stuck);
      if (!job) {
        res.writeHead(204).end();
        return;
      }
      job.status = "IN_PROGRESS";
      job.startedAt = Date.now();
      job.workerId = rest[0];
      return sendJson(res, 200, { id: job.id, input: job.input });
    }
    const job = this.jobs.get(rest[1]);
    const body = JSON.parse((await readBody(req)).toString("utf8") || "{}") as {
      status?: string;
      output?: unknown;
      error?: unknown;
    };
    if (!job || TERMINAL.has(job.status)) return sendJson(res, 200, {}); // late progress after the end: ignored
    if (body.status === "IN_PROGRESS") {
      job.output = body.output;
      return sendJson(res, 200, {});
    }
    if (typeof body.error === "string") {
      job.error = body.error;
      this.finish(job, "FAILED");
    } else {
      job.output = job.dropOutput || body.error !== undefined ? undefined : body.output;
      this.finish(job, "COMPLETED");
    }
    return sendJson(res, 200, {});
  }

  private finish(job: FakeJob, status: JobStatus): void {
    job.status = status;
    job.finishedAt = Date.now();
    if (status !== "COMPLETED") job.output = status === "FAILED" ? undefined : job.output;
  }

  private expire(): void {
    const now = Date.now();
    for (const job of this.jobs.values()) {
      if (now >= job.expiresAt) {
        this.jobs.delete(job.id); // TTL: deleted even mid-run
        continue;
      }
      if (job.status === "IN_QUEUE" && job.timesOutAt && now >= job.timesOutAt) this.finish(job, "TIMED_OUT");
      if (job.status === "IN_PROGRESS" && job.startedAt && now - job.startedAt > job.executionTimeoutMs) {
        this.finish(job, "TIMED_OUT");
      }
      const keep = job.sync ? this.retention.runsyncMs : this.retention.runMs;
      if (job.finishedAt && now - job.finishedAt > keep) this.jobs.delete(job.id);
    }
  }

  private health() {
    const count = (s: JobStatus) => [...this.jobs.values()].filter((j) => j.status === s).length;
    return {
      jobs: {
        completed: count("COMPLETED"),
        failed: count("FAILED"),
        inProgress: count("IN_PROGRESS"),
        inQueue: count("IN_QUEUE"),
        retried: 0,
      },
      workers: {
        idle: this.liveWorkers(),
        initializing: 0,
        ready: this.liveWorkers(),
        running: count("IN_PROGRESS"),
        throttled: 0,
        unhealthy: 0,
      },
    };
  }
}

function view(job: FakeJob) {
  const now = Date.now();
  return {
    id: job.id,
    status: job.status,
    delayTime: (job.startedAt ?? now) - job.createdAt,
    executionTime: job.startedAt ? (job.finishedAt ?? now) - job.startedAt : 0,
    ...(job.output !== undefined ? { output: job.output } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
    ...(job.workerId ? { workerId: job.workerId } : {}),
  };
}
