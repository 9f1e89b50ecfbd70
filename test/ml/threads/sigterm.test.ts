/**
 * SIGTERM ends a fit that runs on several threads: a child process training on 2 threads (boosting, then a
 * forest) is stopped
 * mid-fit and must exit (the test waits for its exit event; a hang would fail by the test's timeout).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("./sigterm-child.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "sma-sigterm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function killMidFit(modelType: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CHILD, join(dir, `${modelType}.csv`), modelType],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("training")) child.kill("SIGTERM");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}

describe("SIGTERM during a threaded fit", () => {
  it("ends a 2-thread boosting fit mid-fit", async () => {
    const { code, output } = await killMidFit("xgboost");
    expect(output).toContain("training");
    expect(output).not.toContain("finished");
    expect(code).toBe(143);
  }, 60_000);

  it("ends a forest growing its trees on 2 threads mid-fit", async () => {
    const { code, output } = await killMidFit("random_forest");
    expect(output).toContain("training");
    expect(output).not.toContain("finished");
    expect(code).toBe(143);
  }, 60_000);
});
