/**
 * Pool workers whose task lives in a TypeScript module load it as one plain-JavaScript bundle, built with
 * esbuild and kept in node_modules/.cache/sma-pool. Under tsx a worker would otherwise register tsx's loader
 * (a thread of its own) and transpile every module of the task first: 0.7–1.1 s before its first task on
 * the shared 2-core VM, longer than many whole fits; the bundle loads in milliseconds. A bundle is reused
 * while every file in it keeps its size and modification time, so only the first fit after a change builds
 * (about 0.1–0.3 s, once per process at most). Without esbuild, or when the build fails, workers load the
 * TypeScript through tsx as before.
 *
 * Bundles and their manifests are written under fresh names and renamed into place, so processes building
 * at the same time (test files, a bot and its bench) never read a half-written file.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The project's root and cache folder: beside esbuild, in the node_modules that holds it (throws without it). */
function projectPaths(): { root: string; cache: string } {
  const nodeModules = dirname(dirname(createRequire(import.meta.url).resolve("esbuild/package.json")));
  return { root: dirname(nodeModules), cache: join(nodeModules, ".cache", "sma-pool") };
}

/** A bundle's file and, for every source file in it, [size, mtimeMs] when it was built. */
interface Manifest {
  bundle: string;
  inputs: Record<string, [number, number]>;
}

/** The bundle's file URL per task module URL (null: load through tsx). */
const known = new Map<string, string | null>();

/** The URL of a plain-JavaScript bundle of this TypeScript module, or null when none can be had. */
export function taskBundle(moduleUrl: string): string | null {
  if (!known.has(moduleUrl)) known.set(moduleUrl, reusableBundle(moduleUrl) ?? build(moduleUrl));
  return known.get(moduleUrl) ?? null;
}

function manifestPath(moduleUrl: string): string {
  return join(
    projectPaths().cache,
    `${createHash("sha256").update(moduleUrl).digest("hex").slice(0, 16)}.json`,
  );
}

function stamp(path: string): [number, number] {
  const s = statSync(path);
  return [s.size, s.mtimeMs];
}

/** The cached bundle when none of its inputs changed since it was built. */
export function reusableBundle(moduleUrl: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(moduleUrl), "utf8")) as Manifest;
    for (const [path, [size, mtime]] of Object.entries(manifest.inputs)) {
      const [s, m] = stamp(path);
      if (s !== size || m !== mtime) return null;
    }
    statSync(manifest.bundle);
    return pathToFileURL(manifest.bundle).href;
  } catch {
    return null;
  }
}

function build(moduleUrl: string): string | null {
  try {
    const { root, cache } = projectPaths();
    const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
      entryPoints: [fileURLToPath(moduleUrl)],
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const code = result.outputFiles[0].contents;
    mkdirSync(cache, { recursive: true });
    const bundle = join(cache, `${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
    writeAtomically(bundle, code);
    const inputs: Manifest["inputs"] = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = isAbsolute(input) ? input : join(root, input);
      inputs[path] = stamp(path);
    }
    writeAtomically(manifestPath(moduleUrl), JSON.stringify({ bundle, inputs } satisfies Manifest));
    return pathToFileURL(bundle).href;
  } catch {
    return null;
  }
}

function writeAtomically(path: string, content: string | Uint8Array): void {
  const scratch = `${path}.${process.pid}-${randomBytes(4).toString("hex")}`;
  writeFileSync(scratch, content);
  renameSync(scratch, path);
}
