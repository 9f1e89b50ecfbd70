/**
 * One worker child process for one job: the same entry point cloud compute runs (src/worker/main.ts), given
 * the spec's URI, with its stderr in a log file. Shared by the embedded runner (job-runner.ts), whose children
 * outlive a bot restart and are adopted, and by the fleet worker (fleet/worker.ts), whose children are tied to
 * it: when a fleet worker dies its jobs move to another worker, so its children must not go on writing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { setPriority } from "node:os";
import { join } from "node:path";
import { workerArgs } from "./worker-command.js";

export interface JobProcessOptions {
  /** Environment of the worker (DATA_DIR, MODEL_SIGNING_KEY, … or the sandbox's bare one). */
  env: NodeJS.ProcessEnv;
  /** Folder for the workers' stderr files. */
  logDir: string;
  /** Node flags, e.g. a heap cap (`--max-old-space-size=512`). */
  nodeArgs?: string[];
  /** Scheduling niceness (0–19): higher leaves the CPU to the bot first. */
  niceness?: number;
  /**
   * Tied to this process: the worker exits, without writing a result, as soon as this process is gone (even
   * by SIGKILL; it watches its parent pid, given in SMA_PARENT_PID). Otherwise it lives on, detached.
   */
  tied?: boolean;
}

/** How a job's process ended. */
export interface JobExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface JobProcess {
  pid: number;
  child: ChildProcess;
  exited: Promise<JobExit>;
}

export async function spawnJobProcess(
  jobId: string,
  specUri: string,
  options: JobProcessOptions,
): Promise<JobProcess> {
  const args = await workerArgs();
  mkdirSync(options.logDir, { recursive: true });
  const stderr = openSync(jobLogPath(options.logDir, jobId), "a");
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args, specUri], {
    detached: true,
    stdio: ["ignore", stderr, stderr],
    env: options.tied ? { ...options.env, SMA_PARENT_PID: String(process.pid) } : options.env,
  });
  const exited = new Promise<JobExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  child.unref();
  const pid = child.pid ?? -1;
  if (options.niceness && pid > 0) lowerPriority(pid, options.niceness);
  return { pid, child, exited };
}

/** Where a job's worker writes its stderr. */
export function jobLogPath(logDir: string, jobId: string): string {
  return join(logDir, `${jobId}.log`);
}

function lowerPriority(pid: number, niceness: number): void {
  try {
    setPriority(pid, niceness);
  } catch {
    // not permitted here, or already gone: it runs at normal priority
  }
}

/** Signals the worker's whole process group (it was started detached, as a group leader). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
