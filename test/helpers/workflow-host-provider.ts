/**
 * A fake job provider for the state-layer tests. It is idempotent by job id like a real one (a create for a
 * known id returns the existing job) and keeps a log of every call: creations, polls (with the polling
 * process) and cancels. Used in-process (`ports`) or over HTTP by child processes (`serve` / `httpJobPorts`).
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JobPorts } from "./workflow-host-machines.js";

export interface PollRecord {
  jobId: string;
  owner: string;
  at: number;
}

interface Job {
  progress: number;
  complete: boolean;
}

export class FakeJobBoard {
  readonly jobs = new Map<string, Job>();
  /** Every create call, whether it created something or found the job. */
  readonly createCalls: Array<{ jobId: string; owner: string; created: boolean }> = [];
  readonly polls: PollRecord[] = [];
  readonly cancels: string[] = [];
  /** Monitors running now, by job id (a stopped monitor can poll no more). */
  private readonly monitors = new Map<string, number>();
  /** Milliseconds a create for a new job waits before answering (the job exists from the start). */
  createDelayMs = 0;
  private readonly waiters = new Set<() => void>();

  creations(jobId?: string): number {
    return this.createCalls.filter((c) => c.created && (jobId === undefined || c.jobId === jobId)).length;
  }

  pollsOf(jobId: string, owner?: string): PollRecord[] {
    return this.polls.filter((p) => p.jobId === jobId && (owner === undefined || p.owner === owner));
  }

  /** How many monitors are polling `jobId` (or any job) right now. */
  activeMonitors(jobId?: string): number {
    if (jobId !== undefined) return this.monitors.get(jobId) ?? 0;
    return [...this.monitors.values()].reduce((a, b) => a + b, 0);
  }

  complete(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job) job.complete = true;
  }

  async create(jobId: string, owner: string, signal?: AbortSignal): Promise<void> {
    const known = this.jobs.has(jobId);
    if (!known) this.jobs.set(jobId, { progress: 0, complete: false });
    this.createCalls.push({ jobId, owner, created: !known });
    this.changed();
    if (!known && this.createDelayMs > 0) await sleep(this.createDelayMs, signal);
  }

  poll(jobId: string, owner: string): { status: "running" | "complete"; progress: number } {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`unknown job ${jobId}`);
    this.polls.push({ jobId, owner, at: Date.now() });
    this.changed();
    if (job.complete) return { status: "complete", progress: 100 };
    job.progress = Math.min(99, job.progress + 1);
    return { status: "running", progress: job.progress };
  }

  cancel(jobId: string): void {
    this.cancels.push(jobId);
    this.changed();
  }

  /** Resolves when `condition` holds (checked after every call), or rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`fake provider: timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** In-process ports for the job machine; `owner` tags the polls. */
  ports(owner: string, pollIntervalMs = 20): JobPorts {
    return {
      pollIntervalMs,
      launch: (jobId, signal) => this.create(jobId, owner, signal),
      poll: async (jobId) => this.poll(jobId, owner),
      cancel: async (jobId) => this.cancel(jobId),
      monitoring: (jobId, on) => {
        this.monitors.set(jobId, this.activeMonitors(jobId) + (on ? 1 : -1));
        this.changed();
      },
    };
  }

  /** Serves the board over HTTP for child processes. */
  async serve(): Promise<{ url: string; close: () => Promise<void> }> {
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://fake");
      const owner = url.searchParams.get("owner") ?? "?";
      const [, , jobId, action] = url.pathname.split("/");
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      // A create still waiting when its caller dies (SIGKILL) stops waiting.
      const gone = new AbortController();
      res.on("close", () => gone.abort());
      const handle = async () => {
        if (req.method === "POST" && !action) await this.create(jobId, owner, gone.signal);
        else if (req.method === "POST" && action === "cancel") this.cancel(jobId);
        else return reply(200, this.poll(jobId, owner));
        reply(200, { jobId });
      };
      handle().catch((error) => reply(500, { error: String(error) }));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Ports that talk to a board served over HTTP (what a child process uses). */
export function httpJobPorts(baseUrl: string, owner: string, pollIntervalMs: number): JobPorts {
  const call = async (method: string, path: string, signal?: AbortSignal) => {
    const response = await fetch(`${baseUrl}${path}?owner=${encodeURIComponent(owner)}`, { method, signal });
    if (!response.ok) throw new Error(`fake provider answered ${response.status}`);
    return response.json();
  };
  return {
    pollIntervalMs,
    launch: async (jobId, signal) => void (await call("POST", `/jobs/${jobId}`, signal)),
    poll: (jobId) => call("GET", `/jobs/${jobId}`) as ReturnType<JobPorts["poll"]>,
    cancel: async (jobId) => void (await call("POST", `/jobs/${jobId}/cancel`)),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    });
  });
}
