/** Starts test/helpers/workflow-host.ts as a child process and talks to it over JSON lines. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { ConversationKey } from "../../src/state/store.js";

export interface HostOptions {
  owner: string;
  redisUrl: string;
  prefix: string;
  providerUrl: string;
  leaseTtlMs: number;
  pollMs: number;
}

export interface HostReply {
  ok: boolean;
  state?: string;
  version?: number;
  hosted?: string[];
  error?: { name: string; code: number };
}

export class WorkflowHost {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: HostReply) => void>();
  private output = "";

  private constructor(
    readonly owner: string,
    private readonly child: ChildProcess,
  ) {}

  /** Spawns a host and resolves once it has recovered the stored workflows and takes commands. */
  static async spawn(options: HostOptions): Promise<WorkflowHost> {
    const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/workflow-host.ts"], {
      env: {
        ...process.env,
        HOST_OWNER: options.owner,
        HOST_REDIS_URL: options.redisUrl,
        HOST_PREFIX: options.prefix,
        HOST_PROVIDER_URL: options.providerUrl,
        HOST_LEASE_TTL_MS: String(options.leaseTtlMs),
        HOST_POLL_MS: String(options.pollMs),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const host = new WorkflowHost(options.owner, child);
    child.stderr?.on("data", (chunk: Buffer) => {
      host.output += chunk.toString();
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`host did not start:\n${host.output}`)), 30_000);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`host exited with ${code}:\n${host.output}`));
      });
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const message = JSON.parse(line);
        if (message.ready) {
          clearTimeout(timer);
          resolve();
        } else host.settle(message);
      });
    });
    await ready;
    return host;
  }

  private settle(message: HostReply & { id: number }): void {
    this.pending.get(message.id)?.(message);
    this.pending.delete(message.id);
  }

  begin(key: ConversationKey, type: string, input: Record<string, unknown>): Promise<HostReply> {
    return this.request({ cmd: "begin", key, type, input });
  }

  send(key: ConversationKey, event: Record<string, unknown>): Promise<HostReply> {
    return this.request({ cmd: "send", key, event });
  }

  async hosted(): Promise<string[]> {
    return (await this.request({ cmd: "hosted" })).hosted ?? [];
  }

  /** Resolves once the host's runtime has finished two more rounds of lease renewal and of scanning. */
  async rounds(): Promise<void> {
    await this.request({ cmd: "rounds" });
  }

  /** SIGKILL: no shutdown code runs, leases are left to expire. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM: the host stops its runtime (releasing leases) and exits. */
  async terminate(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    await exited;
  }

  private request(command: Record<string, unknown>): Promise<HostReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`);
    });
  }
}
