/**
 * The ingest sandbox: real child processes with a heap cap and a time limit. A file that exhausts either
 * becomes IngestLimitError naming the limit; a sandbox that died while no bot watched counts as that
 * attempt's crash (never as a fresh start), and one that never left the queue simply runs.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LocalIngest,
  type SandboxLimits,
  sandboxEnv,
  sandboxRunnerOptions,
} from "../../../src/cloud/local/ingest.js";
import { LocalJobRunner } from "../../../src/cloud/local/job-runner.js";
import { LocalStorageManager } from "../../../src/cloud/local/storage.js";
import { DataLimitError, IngestLimitError } from "../../../src/errors.js";
import { DEFAULT_LIMITS } from "../../../src/ml/index.js";

let dir: string;
let storage: LocalStorageManager;
const runners: LocalJobRunner[] = [];

function sandbox(limits: SandboxLimits): LocalIngest {
  const runner = new LocalJobRunner({
    storage,
    maxConcurrent: 2,
    env: sandboxEnv(dir),
    logDir: join(dir, "logs"),
    ...sandboxRunnerOptions(limits),
  });
  runners.push(runner);
  return new LocalIngest(runner, { data: DEFAULT_LIMITS, sandbox: limits });
}

function staged(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A CSV whose numeric columns turn to text on the last row: the general reader keeps every cell as a string. */
function wideTextCsv(rows: number): string {
  const lines = ["a,b,c,d,e"];
  for (let i = 0; i < rows; i++) lines.push(`${i},${i % 7},${i % 11},${i % 13},${i % 17}`);
  lines.push("x,x,x,x,x");
  return `${lines.join("\n")}\n`;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-ingest-"));
  storage = new LocalStorageManager(dir);
});

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("LocalIngest", () => {
  it("gives a sandbox no secret from the bot's environment", () => {
    const bot = {
      PATH: "/usr/bin",
      BOT_TOKEN: "123:abc",
      MODEL_SIGNING_KEY: "k".repeat(40),
      AWS_SECRET_ACCESS_KEY: "aws",
      RUNPOD_API_KEY: "rp",
      REDIS_URL: "redis://x",
    };
    expect(sandboxEnv("/data", bot)).toEqual({
      PATH: "/usr/bin",
      HOME: undefined,
      TMPDIR: undefined,
      DATA_DIR: "/data",
      LOG_LEVEL: "warn",
    });
  });

  it("describes a file in a child process", async () => {
    const ingest = sandbox({ memoryMb: 256, timeoutSeconds: 60 });
    const path = staged("people.csv", "name,age,score\nAnn,31,1.5\nBo,42,2.5\nCy,23,0.5\nDi,35,3\n");
    const d = await ingest.describe({
      jobId: "job-ingest-ok",
      userId: 5,
      filePath: path,
      fileName: "people.csv",
    });
    expect(d.nRows).toBe(4);
    expect(d.columns.map((c) => c.name)).toEqual(["name", "age", "score"]);
    expect(d.suggestion.target).toBe("score");
    // Its result read, the job's folder (spec, progress, log, result) is gone.
    expect(existsSync(join(dir, "jobs", "job-ingest-ok"))).toBe(false);
    expect(existsSync(join(dir, "jobs"))).toBe(false);
    expect(existsSync(join(dir, "logs", "job-ingest-ok.log"))).toBe(false);
  });

  it("passes the reader's own refusals through unchanged", async () => {
    const ingest = sandbox({ memoryMb: 256, timeoutSeconds: 60 });
    const header = Array.from({ length: 1500 }, (_, j) => `c${j}`).join(",");
    const path = staged("wide.csv", `${header}\n${header}\n`);
    const failure = ingest.describe({
      jobId: "job-ingest-wide",
      userId: 5,
      filePath: path,
      fileName: "wide.csv",
    });
    await expect(failure).rejects.toThrow(DataLimitError);
    await expect(failure).rejects.toThrow(/1500 columns; the limit is 1000/);
  });

  it("names the memory limit when a file exhausts the sandbox's heap", async () => {
    const ingest = sandbox({ memoryMb: 64, timeoutSeconds: 120 });
    const path = staged("big.csv", wideTextCsv(900_000));
    const failure = ingest.describe({
      jobId: "job-ingest-oom",
      userId: 5,
      filePath: path,
      fileName: "big.csv",
    });
    await expect(failure).rejects.toThrow(IngestLimitError);
    await expect(failure).rejects.toThrow(
      /more than the 64 MB of memory one file may use \(INGEST_MEMORY_MB\)/,
    );
  }, 120_000);

  it("names the time limit when a file takes too long", async () => {
    const ingest = sandbox({ memoryMb: 256, timeoutSeconds: 0.05 });
    const path = staged("slow.csv", "a\n1\n2\n");
    const failure = ingest.describe({
      jobId: "job-ingest-slow",
      userId: 5,
      filePath: path,
      fileName: "slow.csv",
    });
    await expect(failure).rejects.toThrow(
      /longer than 0.05 s, the limit for one file \(INGEST_TIMEOUT_SECONDS\)/,
    );
  });

  it("records an attempt whose sandbox died unwatched as crashed, and requeues one that never started", async () => {
    const limits = { memoryMb: 256, timeoutSeconds: 60 };
    const path = staged("ok.csv", "x,y\n1,2\n3,4\n");
    const request = (jobId: string) => ({ jobId, userId: 5, filePath: path, fileName: "ok.csv" });
    const spec = (jobId: string) => ({
      kind: "ingest",
      jobId,
      userId: 5,
      filePath: path,
      fileName: "ok.csv",
      limits: DEFAULT_LIMITS,
      deadline: new Date(Date.now() + 60_000).toISOString(),
      createdAt: new Date().toISOString(),
    });
    const progress = (state: string) => ({
      state,
      phase: state,
      percent: 1,
      message: state,
      updatedAt: new Date().toISOString(),
    });
    // What an earlier bot process left behind: one attempt started, one still waiting for a slot.
    for (const [jobId, state] of [
      ["job-ingest-died", "running"],
      ["job-ingest-waited", "queued"],
    ]) {
      await storage.writeBytes(storage.jobUri(jobId, "spec.json"), JSON.stringify(spec(jobId)));
      await storage.writeBytes(storage.jobUri(jobId, "progress.json"), JSON.stringify(progress(state)));
    }
    const ingest = sandbox(limits);
    await expect(ingest.describe(request("job-ingest-died"))).rejects.toThrow(/INGEST_MEMORY_MB/);
    expect((await ingest.describe(request("job-ingest-waited"))).nRows).toBe(2);
  });

  it("refuses a description a sandbox should never have written", async () => {
    const path = staged("odd.csv", "a\n1\n");
    const jobId = "job-ingest-odd";
    const result = {
      status: "succeeded",
      finishedAt: new Date().toISOString(),
      runtimeSeconds: 1,
      outputUri: "",
      summary: { nRows: -1, columns: "everything" },
    };
    await storage.writeBytes(storage.jobUri(jobId, "result.json"), JSON.stringify(result));
    const ingest = sandbox({ memoryMb: 256, timeoutSeconds: 60 });
    await expect(ingest.describe({ jobId, userId: 5, filePath: path, fileName: "odd.csv" })).rejects.toThrow(
      /unusable description/,
    );
  });
});
