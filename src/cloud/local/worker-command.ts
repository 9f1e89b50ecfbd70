/**
 * How local compute starts a worker. Transpiling the TypeScript worker on every start costs seconds, so the
 * worker entry point is bundled once per bot process with esbuild (packages stay external and resolve from
 * node_modules; dynamic imports stay lazy chunks, so a local job never loads the cloud SDKs). Without esbuild
 * it falls back to running the source through tsx.
 *
 * Bundles are immutable: each is written to a fresh folder and moved to a folder named by its content hash,
 * so processes building at the same time (tests, two bots) never read a half-written file.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const WORKER_SOURCE = fileURLToPath(new URL("../../worker/main.ts", import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BUNDLES_DIR = join(PROJECT_ROOT, "node_modules", ".cache", "sma-worker");
const ENTRY_FILE = "main.mjs";

let built: Promise<string[]> | undefined;

/** The node arguments that run the worker (before the spec URI). Built once, then reused. */
export function workerArgs(): Promise<string[]> {
  built ??= bundle().catch(() => ["--import", import.meta.resolve("tsx"), WORKER_SOURCE]);
  return built;
}

async function bundle(): Promise<string[]> {
  const esbuild = await import("esbuild");
  const scratch = join(BUNDLES_DIR, `tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(scratch, { recursive: true });
  try {
    await esbuild.build({
      entryPoints: [WORKER_SOURCE],
      outdir: scratch,
      splitting: true,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "inline",
      logLevel: "silent",
    });
    const final = join(BUNDLES_DIR, contentHash(scratch));
    try {
      renameSync(scratch, final);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another process made the same bundle first
    }
    return ["--enable-source-maps", join(final, ENTRY_FILE)];
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}

function contentHash(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest("hex").slice(0, 16);
}

/** True when a process's command line runs our worker (bundled or from source). */
export function isWorkerCommand(argv: string[]): boolean {
  return argv.some(
    (arg) => arg === WORKER_SOURCE || (arg.startsWith(BUNDLES_DIR) && arg.endsWith(ENTRY_FILE)),
  );
}
