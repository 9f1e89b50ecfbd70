/**
 * A fleet for end-to-end tests: worker processes (`npm run worker`) whose log lines are read as events, and a
 * webhook front that spreads Telegram's posts over several bot replicas (round robin, or as a test routes).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";

export type WorkerEvent = Record<string, unknown>;

/** A `src/worker/fleet-main.ts` process and what it logged. */
export class WorkerProcess {
  readonly events: WorkerEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private output = "";
  id = "";

  private constructor(readonly child: ChildProcess) {}

  static async spawn(env: Record<string, string>): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "src/worker/fleet-main.ts"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const worker = new WorkerProcess(child);
    child.stderr?.on("data", (chunk: Buffer) => {
      worker.output += chunk.toString();
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      worker.output += `${line}\n`;
      try {
        worker.events.push(JSON.parse(line));
      } catch {
        return;
      }
      for (const wake of worker.waiters) wake();
    });
    const ready = await worker.waitFor((e) => e.msg === "fleet worker ready", 180_000);
    worker.id = String(ready.worker);
    return worker;
  }

  find(match: (e: WorkerEvent) => boolean): WorkerEvent | undefined {
    return this.events.find(match);
  }

  all(match: (e: WorkerEvent) => boolean): WorkerEvent[] {
    return this.events.filter(match);
  }

  waitFor(match: (e: WorkerEvent) => boolean, timeoutMs = 90_000): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
      const settle = (fn: () => void) => {
        this.waiters.delete(check);
        clearTimeout(timer);
        this.child.off("exit", onExit);
        fn();
      };
      const check = () => {
        const found = this.find(match);
        if (found) settle(() => resolve(found));
      };
      const onExit = () => settle(() => reject(new Error(`worker exited:\n${this.output}`)));
      const timer = setTimeout(
        () => settle(() => reject(new Error(`no such worker event in ${timeoutMs} ms:\n${this.output}`))),
        timeoutMs,
      );
      this.waiters.add(check);
      this.child.once("exit", onExit);
      check();
    });
  }

  /** kill -9, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGKILL");
    await exited;
  }
}

export interface Delivery {
  updateId: number;
  userId?: number;
  /** Index of the replica that got it. */
  replica: number;
  document: boolean;
}

/** The webhook URL Telegram posts to, in front of the replicas' own webhook servers. */
export class WebhookFront {
  readonly deliveries: Delivery[] = [];
  /** Picks the replica for an update; round robin unless a test routes. */
  route?: (userId: number | undefined) => number | undefined;
  private turn = 0;

  private constructor(
    private readonly server: Server,
    readonly ports: number[],
  ) {}

  static async start(ports: number[]): Promise<WebhookFront> {
    let front: WebhookFront | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => void front!.forward(req.url ?? "/", req.headers, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    front = new WebhookFront(server, ports);
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/telegram/hook`;
  }

  private async forward(
    path: string,
    headers: NodeJS.Dict<string | string[]>,
    body: Buffer,
    res: import("node:http").ServerResponse,
  ): Promise<void> {
    const update = JSON.parse(body.toString() || "{}");
    const from = update.message?.from ?? update.callback_query?.from;
    const userId = from?.id as number | undefined;
    const replica = this.route?.(userId) ?? this.turn++ % this.ports.length;
    this.deliveries.push({
      updateId: update.update_id,
      userId,
      replica,
      document: Boolean(update.message?.document),
    });
    try {
      const answer = await fetch(`http://127.0.0.1:${this.ports[replica]}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": String(headers["x-telegram-bot-api-secret-token"] ?? ""),
        },
        body,
      });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.writeHead(502);
      res.end();
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
