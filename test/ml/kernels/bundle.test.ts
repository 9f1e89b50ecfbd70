/**
 * The kernels' bytes travel with the code: bundled by esbuild into one file (as the Lambda function and the
 * worker image are) and run from a directory outside the repository, in this thread and in a worker
 * thread, every kernel gives the same numbers as the unbundled sources.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { runKernels } from "./bundle-entry.js";

const dir = mkdtempSync(join(tmpdir(), "sma-kernels-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(): Promise<string> {
  const outfile = join(dir, "kernels.mjs");
  await build({
    entryPoints: [new URL("./bundle-entry.ts", import.meta.url).pathname],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
  });
  return outfile;
}

describe("kernels in a bundle", () => {
  const expected = runKernels();

  it("computes what the plain walk would (a stump with a missing value going right)", () => {
    expect(expected.stump).toEqual([-1, 2, 2]);
    expect(expected.mlp.every(Number.isFinite)).toBe(true);
    expect(expected.knn.every(Number.isFinite)).toBe(true);
  });

  it("gives the same results bundled, in this thread and in a worker thread", async () => {
    const file = await bundle();
    const bundled = (await import(pathToFileURL(file).href)) as typeof import("./bundle-entry.js");
    expect(bundled.runKernels()).toEqual(expected);
    const fromThread = await new Promise((resolve, reject) => {
      const worker = new Worker(file);
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    expect(fromThread).toEqual(expected);
  });
});
