/**
 * The engine imports nothing from the project (DESIGN.md: layers): every module under src/ml imports only
 * other modules under src/ml, Node's built-ins and the packages the app depends on at run time. And nothing
 * in src compiles WebAssembly text at run time: wabt is a build tool (npm run build:kernels) only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ML = join(ROOT, "src", "ml");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** Every module specifier in a source: import/export … from, bare import, import(), require(), new URL(). */
function specifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^;'"]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']/g,
    /\brequire\s*\(\s*["']([^"']+)["']/g,
    /\bnew\s+URL\s*\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]));
}

const packageOf = (spec: string) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");

/** What a file under src/ml may not import: project modules outside src/ml, unknown or dev-only packages. */
function violations(file: string, source: string): string[] {
  return specifiers(source).filter((spec) => {
    if (spec.startsWith(".")) return relative(ML, resolve(dirname(file), spec)).startsWith("..");
    if (spec.startsWith("node:") || builtinModules.includes(spec)) return false;
    return !(packageOf(spec) in PACKAGE.dependencies);
  });
}

describe("layers", () => {
  it("finds a project import in an engine file, and allows its own modules, built-ins and packages", () => {
    const file = join(ML, "io", "example.ts");
    const source = [
      'import { DataError } from "../../errors.js";',
      'import type { Config } from "../../config.js";',
      'import { readCsv } from "./csv.js";',
      'import { gzipSync } from "node:zlib";',
      'const x = await import("../../cloud/factory.js");',
      'import { strToU8 } from "fflate";',
      'import wabt from "wabt";',
    ].join("\n");
    expect(violations(file, source)).toEqual([
      "../../errors.js",
      "../../config.js",
      "wabt",
      "../../cloud/factory.js",
    ]);
  });

  it("src/ml imports nothing from the rest of the project", () => {
    const files = sourceFiles(ML);
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) =>
      violations(file, readFileSync(file, "utf8")).map((spec) => `${relative(ROOT, file)}: ${spec}`),
    );
    expect(found).toEqual([]);
  });

  it("nothing in src loads wabt: kernels are compiled at build time", () => {
    const found = sourceFiles(join(ROOT, "src")).filter((file) =>
      specifiers(readFileSync(file, "utf8")).some((spec) => packageOf(spec) === "wabt"),
    );
    expect(found).toEqual([]);
  });
});
