/**
 * The fake's pods: a ledger with the lifecycle of runpod-api.md §2 and §7. A created pod is RUNNING with
 * `runtime: null` while it "pulls" its image; then its runtime appears and the pod runs our real worker in a
 * child process (`node --import tsx src/worker/main.ts <SMA_SPEC_URI>`) with the pod's env plus what RunPod
 * adds (RUNPOD_POD_ID, a pod-scoped RUNPOD_API_KEY). A container that exits while its pod is still RUNNING is
 * started again, as RunPod does. Terminated pods disappear. Every pod has a cost clock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const WORKER_ENTRY = fileURLToPath(new URL("../../../src/worker/main.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
/** runpod-api.md §2: "5-second warning (SIGTERM, then SIGKILL)". */
const KILL_GRACE_MS = 5_000;

export interface FakePod {
  id: string;
  name: string;
  imageName: string;
  gpuTypeId: string;
  gpuDisplayName: string;
  cloudType: "SECURE" | "COMMUNITY";
  podType: "RESERVED" | "INTERRUPTABLE";
  desiredStatus: "RUNNING" | "EXITED" | "TERMINATED";
  costPerHr: number;
  env: Record<string, string>;
  vcpuCount: number;
  memoryInGb: number;
  containerDiskInGb: number;
  createdAt: Date;
  runtimeStartedAt?: Date;
  /** The container is running (runtime non-null). */
  running: boolean;
  terminateAfter?: Date;
  endedAt?: Date;
  terminatedBy?: "api" | "self" | "terminateAfter" | "cleanup" | "host-failure";
  workerExitCode?: number | null;
  /** Never gets a runtime (stuck image pull / crash loop). */
  stuck: boolean;
  /** Interrupted this long after its runtime appears (spot). */
  interruptAfterMs?: number;
  /** Its host fails this long after its runtime appears: the pod is gone (terminated), with no result. */
  diesAfterMs?: number;
  /** How many times its container has been started. */
  starts?: number;
  machineId: string;
  /** Scoped key that RunPod gives the pod (RUNPOD_API_KEY inside it). */
  podKey: string;
  /** The network volume mounted at `volumeMountPath` (Secure Cloud, in the volume's data center). */
  networkVolumeId?: string;
  volumeMountPath?: string;
  dataCenterId?: string;
  /** The registry credentials a private image is pulled with. */
  containerRegistryAuthId?: string;
}

export interface PodLedgerOptions {
  /** How long the "image pull" takes before the runtime appears. */
  pullMs: number;
  /** The fake's GraphQL URL, given to pods as RUNPOD_API_URL for self-termination. */
  apiUrl: () => string;
  /** Base env of worker processes (PATH etc.). */
  baseEnv: NodeJS.ProcessEnv;
  /** Node arguments that start the worker, before the spec URI (default: src/worker/main.ts through tsx). */
  workerArgs?: string[];
  /** How long RunPod waits before starting an exited container again. Default 1 s. */
  restartDelayMs?: number;
  /** The directory behind a network volume, which a pod that mounts it sees at its mount path. */
  volumePath?: (volumeId: string) => string;
}

function id(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}

export class PodLedger {
  readonly pods = new Map<string, FakePod>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** When false, pods reach their runtime but run no worker (failure-mode tests that need no training). */
  runWorkers = true;

  constructor(private readonly options: PodLedgerOptions) {}

  add(
    pod: Omit<FakePod, "id" | "createdAt" | "running" | "desiredStatus" | "machineId" | "podKey">,
  ): FakePod {
    const created: FakePod = {
      ...pod,
      id: id(14),
      createdAt: new Date(),
      running: false,
      desiredStatus: "RUNNING",
      machineId: id(12),
      podKey: `rpa_POD${id(20).toUpperCase()}`,
    };
    this.pods.set(created.id, created);
    if (!created.stuck) this.later(this.options.pullMs, () => this.startRuntime(created));
    if (created.terminateAfter) {
      this.later(Math.max(0, created.terminateAfter.getTime() - Date.now()), () =>
        this.terminate(created.id, "terminateAfter"),
      );
    }
    return created;
  }

  /** Pods the API still shows (terminated ones disappear). */
  visible(): FakePod[] {
    return [...this.pods.values()].filter((p) => p.desiredStatus !== "TERMINATED");
  }

  get(podId: string): FakePod | undefined {
    const pod = this.pods.get(podId);
    return pod && pod.desiredStatus !== "TERMINATED" ? pod : undefined;
  }

  /** Pods still billing and worker processes still alive: both must be empty at the end of a test. */
  leaks(): { pods: string[]; workers: string[] } {
    return { pods: this.visible().map((p) => `${p.name} (${p.id})`), workers: [...this.children.keys()] };
  }

  costOf(pod: FakePod, now = new Date()): number {
    const end = pod.endedAt ?? now;
    return (pod.costPerHr * Math.max(0, end.getTime() - pod.createdAt.getTime())) / 3_600_000;
  }

  terminate(podId: string, by: FakePod["terminatedBy"] | "host-failure"): boolean {
    const pod = this.get(podId);
    if (!pod) return false;
    pod.desiredStatus = "TERMINATED";
    pod.running = false;
    pod.endedAt = new Date();
    pod.terminatedBy = by;
    // A pod terminating itself is the worker's last act; let it exit on its own before the kill.
    this.stopWorker(pod.id, by === "self" ? 3_000 : 0);
    return true;
  }

  /** Spot interruption: the container is stopped (SIGTERM, SIGKILL after 5 s); the pod stays, EXITED. */
  interrupt(podId: string): void {
    const pod = this.get(podId);
    if (!pod) return;
    pod.desiredStatus = "EXITED";
    pod.running = false;
    pod.endedAt = new Date();
    this.stopWorker(pod.id, 0);
  }

  /** Ends everything (test teardown): pods terminated, workers killed and awaited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const pod of this.visible()) this.terminate(pod.id, "cleanup");
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
  }

  /** Starts the worker of every running pod that has none (after a test held them with runWorkers = false). */
  resumeWorkers(): void {
    for (const pod of this.visible()) {
      const specUri = pod.env.SMA_SPEC_URI;
      if (pod.running && specUri && !this.children.has(pod.id)) this.spawnWorker(pod, specUri);
    }
  }

  /** Resolves when no worker process is left (a self-terminating pod's worker exits on its own). */
  async workersExited(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.children.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private startRuntime(pod: FakePod): void {
    if (pod.desiredStatus !== "RUNNING") return;
    pod.running = true;
    pod.runtimeStartedAt = new Date();
    const specUri = pod.env.SMA_SPEC_URI;
    if (specUri && this.runWorkers) this.spawnWorker(pod, specUri);
    if (pod.interruptAfterMs !== undefined) this.later(pod.interruptAfterMs, () => this.interrupt(pod.id));
    if (pod.diesAfterMs !== undefined)
      this.later(pod.diesAfterMs, () => this.terminate(pod.id, "host-failure"));
  }

  private spawnWorker(pod: FakePod, specUri: string): void {
    const args = this.options.workerArgs ?? ["--import", TSX, WORKER_ENTRY];
    // A process here cannot mount the volume at /workspace: the worker is pointed at the volume's directory.
    const mount =
      pod.networkVolumeId && this.options.volumePath
        ? { SMA_VOLUME_PATH: this.options.volumePath(pod.networkVolumeId) }
        : {};
    const child = spawn(process.execPath, [...args, specUri], {
      env: {
        ...this.options.baseEnv,
        ...pod.env,
        ...mount,
        RUNPOD_POD_ID: pod.id,
        RUNPOD_API_KEY: pod.podKey,
        RUNPOD_API_URL: this.options.apiUrl(),
        RUNPOD_GPU_COUNT: "1",
      },
      stdio: ["ignore", "ignore", process.env.FAKE_RUNPOD_WORKER_STDERR ? "inherit" : "ignore"],
    });
    this.children.set(pod.id, child);
    pod.starts = (pod.starts ?? 0) + 1;
    child.once("exit", (code) => {
      this.children.delete(pod.id);
      pod.workerExitCode = code;
      // The container ended but nobody terminated the pod: RunPod starts it again, forever (a crash loop).
      if (pod.desiredStatus === "RUNNING") {
        this.later(this.options.restartDelayMs ?? 1_000, () => {
          if (pod.desiredStatus === "RUNNING" && pod.running && !this.closed) this.spawnWorker(pod, specUri);
        });
      }
    });
  }

  private stopWorker(podId: string, graceMs: number): void {
    const child = this.children.get(podId);
    if (!child) return;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    if (graceMs > 0) {
      this.later(graceMs, () => {
        child.kill("SIGTERM");
        this.later(KILL_GRACE_MS, kill);
      });
      return;
    }
    child.kill("SIGTERM");
    this.later(KILL_GRACE_MS, kill);
  }
}
