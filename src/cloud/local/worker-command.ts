/**
 * How local compute starts a worker. Transpiling the TypeScript worker on every start costs seconds, so the
 * worker entry point is bundled once per bot process with esbuild (packages stay external and resolve from
 * node_modules); without esbuild it falls back to running the source through tsx.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const WORKER_SOURCE = fileURLToPath(new URL("../../worker/main.ts", import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BUNDLE = join(PROJECT_ROOT, "node_modules", ".cache", "sma-worker", "worker.mjs");

let built: Promise<string[]> | undefined;

/** The node arguments that run the worker (before the spec URI). Built once, then reused. */
export function workerArgs(): Promise<string[]> {
  built ??= bundle().catch(() => ["--import", import.meta.resolve("tsx"), WORKER_SOURCE]);
  return built;
}

async function bundle(): Promise<string[]> {
  const esbuild = await import("esbuild");
  mkdirSync(join(BUNDLE, ".."), { recursive: true });
  await esbuild.build({
    entryPoints: [WORKER_SOURCE],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "silent",
  });
  return ["--enable-source-maps", BUNDLE];
}

/** True when a process's command line runs our worker (bundled or from source). */
export function isWorkerCommand(argv: string[]): boolean {
  return argv.includes(BUNDLE) || argv.includes(WORKER_SOURCE);
}
